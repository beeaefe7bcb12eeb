// The QEMU-compatible front end: turns a pasted qemu-system command line (or a file holding one,
// with backslash-newlines and # comments) into a machine description. Owns QEMU option syntax
// and its mapping to descriptions; options with no meaning here become warnings, unknown or
// malformed ones become ConfigError issues naming the option and value. Never builds a machine.

import { ConfigError, type ConfigIssue } from './errors.js';
import { type DescriptionInput, type MachineDescription, validateDescription } from './description.js';
import { parseSize, parseInteger } from './sizes.js';

export interface QemuParseResult {
  /** The validated, resolved description (windows placed per DESIGN's board map). */
  description: MachineDescription;
  /** The description as produced from the options, before defaults (input form). */
  input: DescriptionInput;
  /** Options accepted but meaningless here ("ignored: -nographic"), in command-line order. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Tokenising: shell-like words, quotes, backslash-newline continuation, # comments.

/** Split command-line text into words as a POSIX shell would for the simple cases people paste. */
export function tokenizeQemu(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw syntaxError('unterminated single quote', text.slice(i, i + 40));
      cur += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') cur += text[i + 1];
          i += 2;
        } else cur += text[i++];
      }
      if (i >= n) throw syntaxError('unterminated double quote', text.slice(Math.max(0, i - 40)));
      i++;
    } else if (c === '\\' && i + 1 < n) {
      cur += text[i + 1];
      i += 2;
    } else {
      cur += c;
      i++;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

function syntaxError(rule: string, near: string): ConfigError {
  return new ConfigError(
    [{ code: 'syntax', path: 'command line', value: near, allowed: rule }],
    'cannot parse QEMU command line',
  );
}

// ---------------------------------------------------------------------------------------------
// QemuOpts: "driver,key=value,key2=value2" with ",," escaping a comma.

interface Opt {
  key: string;
  value: string;
}

export function splitQemuOpts(arg: string, impliedKey?: string): Opt[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i]!;
    if (c === ',') {
      if (arg[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts
    .filter((p, i) => p !== '' || i === 0)
    .map((p, i) => {
      const eq = p.indexOf('=');
      if (eq < 0) return i === 0 && impliedKey !== undefined ? { key: impliedKey, value: p } : { key: p, value: 'on' };
      return { key: p.slice(0, eq), value: p.slice(eq + 1) };
    });
}

// ---------------------------------------------------------------------------------------------
// Option tables.

/** QEMU options that take an argument and have no meaning in cxlemu (reported as ignored). */
const IGNORED_WITH_ARG = new Set([
  'cpu',
  'accel',
  'display',
  'vga',
  'serial',
  'parallel',
  'monitor',
  'qmp',
  'qmp-pretty',
  'mon',
  'chardev',
  'netdev',
  'nic',
  'net',
  'drive',
  'blockdev',
  'cdrom',
  'hda',
  'hdb',
  'hdc',
  'hdd',
  'fda',
  'fdb',
  'mtdblock',
  'sd',
  'pflash',
  'bios',
  'kernel',
  'append',
  'initrd',
  'dtb',
  'name',
  'boot',
  'rtc',
  'pidfile',
  'D',
  'd',
  'trace',
  'gdb',
  'global',
  'fsdev',
  'virtfs',
  'usbdevice',
  'k',
  'L',
  'uuid',
  'icount',
  'audiodev',
  'audio',
  'spice',
  'vnc',
  'incoming',
  'overcommit',
  'mem-path',
  'sandbox',
  'action',
  'msg',
  'smbios',
  'fw_cfg',
  'tpmdev',
  'watchdog-action',
  'semihosting-config',
  'plugin',
  'run-with',
  'add-fd',
  'iscsi',
  'set',
  'readconfig',
  'loadvm',
  'option-rom',
  'acpitable',
  'device-tree',
  'runas',
  'chroot',
  'compat',
  'seed',
  'async-teardown',
  'xen-domid',
  'xen-attach',
  'portrng',
  'echr',
  'prom-env',
  'g',
  'cpu-topology',
]);
/** QEMU flags (no argument) with no meaning in cxlemu. */
const IGNORED_FLAGS = new Set([
  'nographic',
  'enable-kvm',
  'no-reboot',
  'no-shutdown',
  'S',
  's',
  'daemonize',
  'snapshot',
  'usb',
  'nodefaults',
  'no-user-config',
  'mem-prealloc',
  'full-screen',
  'no-acpi',
  'no-hpet',
  'no-fd-bootchk',
  'semihosting',
  'no-quit',
  'alt-grab',
  'ctrl-grab',
  'win2k-hack',
  'rtc-td-hack',
  'no-kvm',
  'only-migratable',
  'enable-sync-profile',
  'preconfig',
  'old-param',
  'localtime',
  'no-graphic',
  'sdl',
  'curses',
  'no-frame',
  'no-user-config',
  'singlestep',
  'one-insn-per-tb',
]);
/** -device drivers with no meaning here (display, network, storage, USB, generic PCI plumbing). */
const IGNORED_DEVICE =
  /^(virtio-.*|vhost-.*|usb-.*|qemu-xhci|nec-usb-xhci|ich9-.*|piix.*|ide-.*|scsi-.*|megasas.*|lsi.*|ahci|nvme(-ns|-subsys)?|e1000e?|e1000-.*|rtl8139|vmxnet3|pcnet|ne2k_pci|i82559.*|igb|VGA|vga|qxl(-vga)?|bochs-display|ramfb|cirrus-vga|secondary-vga|isa-.*|pci-bridge|pcie-pci-bridge|pcie-root-port|ioh3420|x3130-upstream|xio3130-downstream|i6300esb|ib700|intel-hda|ich9-intel-hda|hda-.*|pvpanic(-pci)?|edu|ivshmem(-plain|-doorbell)?|vfio-.*|intel-iommu|amd-iommu|virtio-iommu.*|loader|pc-dimm|nvdimm|tpm-.*|sga|AC97|sb16|gus|cs4231a|adlib|ES1370|usb-host|pxb(-pcie)?|pci-testdev|pcie-pci-bridge|kvm-pit|hyperv-testdev|vmcoreinfo|vmgenid|ccid-card-.*|ipmi-.*|isa-ipmi-.*|smbus-ipmi|xen-.*|sdhci-pci|sd-card|nand|pflash_cfi01|cfi\.pflash01|guest-loader|i2c-echo|tmp105|ds1338|riscv-iommu-pci)$/;
/** -object types with no meaning here. */
const IGNORED_OBJECT =
  /^(iothread|rng-random|rng-builtin|rng-egd|secret|secret_keyring|tls-creds-.*|tls-cipher-suites|filter-.*|cryptodev-.*|throttle-group|input-linux|input-barrier|authz-.*|colo-compare|sev-guest|sev-snp-guest|tdx-guest|pr-manager-helper|thread-context|can-bus|can-host-socketcan|dbus-vmstate|main-loop|acpi-generic-initiator|acpi-generic-port|memory-backend-epc)$/;
/** Generic PCI device properties with no meaning here (accepted, reported as ignored). */
const IGNORED_PCI_PROPS = new Set([
  'addr',
  'multifunction',
  'romfile',
  'rombar',
  'romsize',
  'failover_pair_id',
  'acpi-index',
  'x-pcie-lnksta-dllla',
  'x-pcie-extcap-init',
  'busnr',
]);
/** -M properties with no meaning here. */
const IGNORED_MACHINE_PROPS = new Set([
  'gic-version',
  'accel',
  'hmat',
  'nvdimm',
  'nvdimm-persistence',
  'kernel-irqchip',
  'kernel_irqchip',
  'smm',
  'vmport',
  'usb',
  'dump-guest-core',
  'mem-merge',
  'memory-backend',
  'aia',
  'aia-guests',
  'acpi',
  'iommu',
  'iommu-sys',
  'ras',
  'its',
  'virtualization',
  'secure',
  'highmem',
  'highmem-redists',
  'highmem-ecam',
  'highmem-mmio',
  'highmem-mmio-size',
  'kvm-type',
  'pflash0',
  'pflash1',
  'sata',
  'hpet',
  'i8042',
  'graphics',
  'default-bus-bypass-iommu',
  'confidential-guest-support',
  'memory-encryption',
  'suppress-vmdesc',
  'firmware',
  'max-ram-below-4g',
  'smbus',
  'pit',
  'pic',
  'x-oem-id',
  'x-oem-table-id',
  'mte',
  'dtb-randomness',
  'dtb-kaslr-seed',
  'phandle-start',
  'linux-boot',
  'fd-bootchk',
  'bus-lock-ratelimit',
  'sgx-epc',
  'smp-cache',
  'boot',
  'dumpdtb',
  'dtb',
  'append',
  'kernel',
  'initrd',
  'usb',
  'enforce-config-section',
]);
const MACHINE_TYPES = /^(q35|pc-q35-[0-9.]+|virt|virt-[0-9.]+)$/;
const BACKEND_RAM_IGNORED = new Set([
  'prealloc',
  'prealloc-threads',
  'prealloc-context',
  'host-nodes',
  'policy',
  'merge',
  'dump',
  'reserve',
  'x-use-canonical-path-for-ramblock-id',
  'hugetlb',
  'hugetlbsize',
  'seal',
]);
const BACKEND_FILE_IGNORED = new Set([
  ...BACKEND_RAM_IGNORED,
  'align',
  'offset',
  'pmem',
  'discard-data',
  'rom',
  'readonly',
]);
const BOOLS: Record<string, boolean> = {
  on: true,
  off: false,
  yes: true,
  no: false,
  true: true,
  false: false,
  y: true,
  n: false,
};

// ---------------------------------------------------------------------------------------------
// The parse.

interface Backend {
  id: string;
  kind: 'ram' | 'file';
  size: number;
  path?: string;
  share: boolean;
  text: string;
  usedBy?: string;
}
interface Dev {
  driver: 'pxb-cxl' | 'cxl-rp' | 'cxl-upstream' | 'cxl-downstream' | 'cxl-type3';
  id: string;
  bus?: string;
  props: Map<string, string>;
  text: string;
  order: number;
}
interface Fmw {
  index: number;
  targets: Map<number, string>;
  size?: number;
  granularity?: number;
  text: string;
}

const DEVICE_PROPS: Record<Dev['driver'], Set<string>> = {
  'pxb-cxl': new Set(['id', 'bus', 'bus_nr', 'hdm_for_passthrough', 'numa_node']),
  'cxl-rp': new Set(['id', 'bus', 'port', 'chassis', 'slot']),
  'cxl-upstream': new Set(['id', 'bus', 'sn']),
  'cxl-downstream': new Set(['id', 'bus', 'port', 'chassis', 'slot']),
  'cxl-type3': new Set(['id', 'bus', 'memdev', 'persistent-memdev', 'volatile-memdev', 'lsa', 'sn']),
};
/** Properties QEMU has that cxlemu does not model yet: an error, not silently dropped. */
const UNSUPPORTED_PROPS: Record<string, string> = {
  'volatile-dc-memdev': 'dynamic capacity is later work',
  'num-dc-regions': 'dynamic capacity is later work',
  cdat: "a CDAT file; cxlemu builds CDAT from the description's perf attributes",
  'mhd-head': 'multi-headed devices are later work',
  'mhd-shmid': 'multi-headed devices are later work',
};

class Ctx {
  issues: ConfigIssue[] = [];
  warnings: string[] = [];
  anonymous = 0;
  err(code: string, option: string, path: string, value: unknown, allowed: string): void {
    this.issues.push({ code, path, value, allowed, option });
  }
}

function shortText(opt: string, arg: string): string {
  const s = `${opt} ${arg}`;
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Parse a pasted QEMU command line (text or pre-split words). Throws ConfigError. */
export function parseQemuCommandLine(args: string | readonly string[]): QemuParseResult {
  const words = typeof args === 'string' ? tokenizeQemu(args) : [...args];
  const ctx = new Ctx();
  let ramSize: number | undefined;
  let cpus: number | undefined;
  let machineType: string | undefined;
  let machineText = '-M';
  let cxlOn = false;
  const backends = new Map<string, Backend>();
  const devices: Dev[] = [];
  const fmws = new Map<number, Fmw>();
  const numaNodes: { nodeId: number; memdev?: string; cpus?: string; initiator?: number; text: string }[] = [];
  const numaDist: { src: number; dst: number; value: number }[] = [];
  const hmatLb: NonNullable<NonNullable<DescriptionInput['numa']>['hmatLb']> = [];

  let i = 0;
  if (words.length > 0 && !words[0]!.startsWith('-') && /qemu/i.test(words[0]!)) i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '...' || w === '…') {
      ctx.warnings.push('ignored: "..." (placeholder from documentation)');
      continue;
    }
    if (!w.startsWith('-') || w === '-' || w === '--') {
      ctx.err('unexpected_argument', w, 'argument', w, 'a QEMU option starting with "-"');
      continue;
    }
    const name = w.replace(/^--?/, '');
    const takeArg = (): string | undefined => {
      if (i + 1 >= words.length) {
        ctx.err('missing_argument', `-${name}`, `-${name}`, undefined, 'an argument after the option');
        return undefined;
      }
      return words[++i]!;
    };
    if (IGNORED_FLAGS.has(name)) {
      ctx.warnings.push(`ignored: -${name} (no meaning in cxlemu)`);
      continue;
    }
    if (IGNORED_WITH_ARG.has(name)) {
      const a = takeArg();
      if (a !== undefined)
        ctx.warnings.push(
          `ignored: -${name} ${a} (${name === 'kernel' ? 'use cxlemu run --kernel' : 'no meaning in cxlemu'})`,
        );
      continue;
    }
    switch (name) {
      case 'm': {
        const a = takeArg();
        if (a === undefined) break;
        const text = `-m ${a}`;
        for (const o of splitQemuOpts(a, 'size')) {
          if (o.key === 'size') {
            const n = parseSize(o.value, 2 ** 20);
            if (n === undefined || n === 0)
              ctx.err('bad_size', text, 'size', o.value, 'a RAM size such as 512M or 4G (a bare number means MiB)');
            else ramSize = n;
          } else if (o.key === 'slots' || o.key === 'maxmem')
            ctx.warnings.push(`ignored: -m ${o.key}=${o.value} (memory hotplug is not modelled)`);
          else ctx.err('unknown_property', text, o.key, o.value, 'size, slots or maxmem');
        }
        break;
      }
      case 'smp': {
        const a = takeArg();
        if (a === undefined) break;
        const text = `-smp ${a}`;
        let product = 1;
        let explicit: number | undefined;
        for (const o of splitQemuOpts(a, 'cpus')) {
          const n = parseInteger(o.value);
          if (
            ![
              'cpus',
              'sockets',
              'cores',
              'threads',
              'dies',
              'clusters',
              'maxcpus',
              'books',
              'drawers',
              'modules',
            ].includes(o.key)
          ) {
            ctx.err(
              'unknown_property',
              text,
              o.key,
              o.value,
              'cpus, sockets, dies, clusters, modules, cores, threads, maxcpus',
            );
          } else if (n === undefined || n === 0) ctx.err('bad_integer', text, o.key, o.value, 'a positive integer');
          else if (o.key === 'cpus') explicit = n;
          else if (o.key !== 'maxcpus') product *= n;
        }
        cpus = explicit ?? product;
        break;
      }
      case 'object': {
        const a = takeArg();
        if (a !== undefined) parseObject(ctx, a, backends);
        break;
      }
      case 'device': {
        const a = takeArg();
        if (a !== undefined) parseDevice(ctx, a, devices);
        break;
      }
      case 'M':
      case 'machine': {
        const a = takeArg();
        if (a === undefined) break;
        const text = shortText(`-${name}`, a);
        const opts = splitQemuOpts(a, 'type');
        for (const o of opts) {
          const fm = /^cxl-fmw\.(\d+)\.(targets\.(\d+)|size|interleave-granularity)$/.exec(o.key);
          if (o.key === 'type') {
            if (!MACHINE_TYPES.test(o.value)) {
              ctx.err(
                'bad_machine_type',
                text,
                'type',
                o.value,
                'q35 or virt (the QEMU machines with CXL; cxlemu builds its RISC-V virt-compatible board either way)',
              );
            } else {
              machineType = o.value;
              machineText = text;
            }
          } else if (o.key === 'cxl') {
            const b = BOOLS[o.value];
            if (b === undefined) ctx.err('bad_bool', text, 'cxl', o.value, 'on or off');
            else cxlOn = b;
          } else if (fm) {
            const idx = Number(fm[1]);
            const f = fmws.get(idx) ?? { index: idx, targets: new Map<number, string>(), text };
            fmws.set(idx, f);
            if (fm[3] !== undefined) f.targets.set(Number(fm[3]), o.value);
            else if (fm[2] === 'size') {
              const n = parseSize(o.value);
              if (n === undefined || n === 0)
                ctx.err('bad_size', text, o.key, o.value, 'a size such as 4G or 256M (a positive multiple of 256 MiB)');
              else f.size = n;
            } else {
              const n = parseSize(o.value);
              if (n === undefined)
                ctx.err('bad_granularity', text, o.key, o.value, 'one of 256, 512, 1k, 2k, 4k, 8k, 16k');
              else f.granularity = n;
            }
          } else if (IGNORED_MACHINE_PROPS.has(o.key) || o.key.startsWith('x-')) {
            ctx.warnings.push(`ignored: -${name} ${o.key}=${o.value} (no meaning in cxlemu)`);
          } else if (/^cxl-fmw\./.test(o.key)) {
            ctx.err(
              'unknown_property',
              text,
              o.key,
              o.value,
              'cxl-fmw.N.targets.K, cxl-fmw.N.size or cxl-fmw.N.interleave-granularity',
            );
          } else {
            ctx.err(
              'unknown_property',
              text,
              o.key,
              o.value,
              'type, cxl, cxl-fmw.N.* (or a known machine property that cxlemu ignores)',
            );
          }
        }
        break;
      }
      case 'cxl-fixed-memory-window': {
        // QEMU 6.2-7.0 spelling of cxl-fmw: targets.K, size, interleave-granularity.
        const a = takeArg();
        if (a === undefined) break;
        const text = shortText('-cxl-fixed-memory-window', a);
        const idx = fmws.size === 0 ? 0 : Math.max(...fmws.keys()) + 1;
        const f: Fmw = { index: idx, targets: new Map(), text };
        fmws.set(idx, f);
        for (const o of splitQemuOpts(a)) {
          const t = /^targets\.(\d+)$/.exec(o.key);
          if (t) f.targets.set(Number(t[1]), o.value);
          else if (o.key === 'size') {
            const n = parseSize(o.value);
            if (n === undefined || n === 0) ctx.err('bad_size', text, 'size', o.value, 'a size such as 4G');
            else f.size = n;
          } else if (o.key === 'interleave-granularity') {
            const n = parseSize(o.value);
            if (n === undefined)
              ctx.err('bad_granularity', text, o.key, o.value, 'one of 256, 512, 1k, 2k, 4k, 8k, 16k');
            else f.granularity = n;
          } else ctx.err('unknown_property', text, o.key, o.value, 'targets.K, size or interleave-granularity');
        }
        break;
      }
      case 'numa': {
        const a = takeArg();
        if (a === undefined) break;
        const text = shortText('-numa', a);
        const opts = splitQemuOpts(a, 'type');
        const type = opts.find((o) => o.key === 'type')?.value;
        const rest = opts.filter((o) => o.key !== 'type');
        const int = (o: Opt): number | undefined => {
          const n = parseInteger(o.value);
          if (n === undefined) ctx.err('bad_integer', text, o.key, o.value, 'a non-negative integer');
          return n;
        };
        if (type === 'node') {
          const node: (typeof numaNodes)[number] = { nodeId: numaNodes.length, text };
          for (const o of rest) {
            if (o.key === 'nodeid') node.nodeId = int(o) ?? 0;
            else if (o.key === 'memdev') node.memdev = o.value;
            else if (o.key === 'cpus') node.cpus = node.cpus === undefined ? o.value : `${node.cpus},${o.value}`;
            else if (o.key === 'initiator') node.initiator = int(o) ?? 0;
            else if (o.key === 'mem')
              ctx.err(
                'unsupported',
                text,
                'mem',
                o.value,
                'memdev=<memory backend id> (QEMU removed mem= for new machine types)',
              );
            else ctx.err('unknown_property', text, o.key, o.value, 'nodeid, memdev, cpus, initiator');
          }
          numaNodes.push(node);
        } else if (type === 'dist') {
          const d = { src: -1, dst: -1, value: -1 };
          for (const o of rest) {
            if (o.key === 'src') d.src = int(o) ?? 0;
            else if (o.key === 'dst') d.dst = int(o) ?? 0;
            else if (o.key === 'val') d.value = int(o) ?? 0;
            else ctx.err('unknown_property', text, o.key, o.value, 'src, dst, val');
          }
          for (const k of ['src', 'dst', 'value'] as const)
            if (d[k] < 0) ctx.err('missing_property', text, k === 'value' ? 'val' : k, undefined, 'required');
          numaDist.push(d);
        } else if (type === 'hmat-lb') {
          const h: Record<string, unknown> = {};
          for (const o of rest) {
            if (o.key === 'initiator' || o.key === 'target') h[o.key] = int(o);
            else if (o.key === 'hierarchy') h.hierarchy = o.value;
            else if (o.key === 'data-type') h.dataType = o.value;
            else if (o.key === 'latency') h.latencyNs = int(o);
            else if (o.key === 'bandwidth') {
              const n = parseSize(o.value);
              if (n === undefined)
                ctx.err('bad_size', text, 'bandwidth', o.value, 'bytes per second, e.g. 200M or 10G');
              h.bandwidthBytesPerSec = n;
            } else
              ctx.err(
                'unknown_property',
                text,
                o.key,
                o.value,
                'initiator, target, hierarchy, data-type, latency, bandwidth',
              );
          }
          if (!['memory', 'first-level', 'second-level', 'third-level'].includes(String(h.hierarchy))) {
            ctx.err('bad_value', text, 'hierarchy', h.hierarchy, 'memory, first-level, second-level or third-level');
          }
          if (
            ![
              'access-latency',
              'read-latency',
              'write-latency',
              'access-bandwidth',
              'read-bandwidth',
              'write-bandwidth',
            ].includes(String(h.dataType))
          ) {
            ctx.err(
              'bad_value',
              text,
              'data-type',
              h.dataType,
              'access-latency, read-latency, write-latency, access-bandwidth, read-bandwidth or write-bandwidth',
            );
          }
          for (const k of ['initiator', 'target'] as const)
            if (h[k] === undefined) ctx.err('missing_property', text, k, undefined, 'required');
          hmatLb.push(h as (typeof hmatLb)[number]);
        } else if (type === 'hmat-cache' || type === 'cpu') {
          ctx.warnings.push(`ignored: -numa ${a} (not modelled yet)`);
        } else {
          ctx.err('bad_value', text, 'type', type, 'node, dist, hmat-lb (hmat-cache and cpu are ignored)');
        }
        break;
      }
      default: {
        const next = words[i + 1];
        const arg = next !== undefined && !next.startsWith('-') ? words[++i] : undefined;
        ctx.err(
          'unknown_option',
          w,
          w,
          arg,
          'a QEMU option cxlemu knows (see docs/machine.md: supported and ignored options)',
        );
      }
    }
  }

  // ----- Build the description from the collected objects.
  const sourceMap: [string, string][] = [];
  const anyCxl = devices.length > 0 || fmws.size > 0;
  if (anyCxl && (machineType === undefined || !cxlOn)) {
    ctx.err(
      'cxl_not_enabled',
      machineText,
      machineType === undefined ? '-M' : 'cxl',
      machineType === undefined ? undefined : 'off',
      '-M q35,cxl=on or -M virt,cxl=on (QEMU refuses pxb-cxl and cxl-fmw otherwise)',
    );
  }

  const byId = new Map<string, Dev>();
  for (const d of devices) {
    const prev = byId.get(d.id);
    if (prev) ctx.err('duplicate_id', d.text, 'id', d.id, `a unique id (also used by ${prev.text})`);
    else byId.set(d.id, d);
  }
  const parentKinds: Record<Dev['driver'], Dev['driver'][]> = {
    'pxb-cxl': [],
    'cxl-rp': ['pxb-cxl'],
    'cxl-upstream': ['cxl-rp', 'cxl-downstream'],
    'cxl-downstream': ['cxl-upstream'],
    'cxl-type3': ['cxl-rp', 'cxl-downstream'],
  };
  const children = new Map<string, Dev[]>();
  for (const d of devices) {
    if (d.driver === 'pxb-cxl') {
      if (d.bus !== undefined && !/^pcie\.0$/.test(d.bus))
        ctx.err('bad_bus', d.text, 'bus', d.bus, 'pcie.0 (the main PCIe root bus)');
      continue;
    }
    if (d.bus === undefined) {
      ctx.err('missing_property', d.text, 'bus', undefined, `the id of a ${parentKinds[d.driver].join(' or ')}`);
      continue;
    }
    const parent = byId.get(d.bus);
    if (!parent || !parentKinds[d.driver].includes(parent.driver)) {
      ctx.err(
        'bad_bus',
        d.text,
        'bus',
        d.bus,
        `the id of a ${parentKinds[d.driver].join(' or ')} (${parent ? `${d.bus} is a ${parent.driver}` : 'no device has that id'})`,
      );
      continue;
    }
    const list = children.get(parent.id) ?? [];
    if ((parent.driver === 'cxl-rp' || parent.driver === 'cxl-downstream') && list.length > 0) {
      ctx.err('port_in_use', d.text, 'bus', d.bus, `a free port (${d.bus} already holds ${list[0]!.id})`);
      continue;
    }
    list.push(d);
    children.set(parent.id, list);
  }

  const prop = (d: Dev, k: string): string | undefined => d.props.get(k);
  const intProp = (d: Dev, k: string, max: number, dflt?: number): number | undefined => {
    const v = prop(d, k);
    if (v === undefined) return dflt;
    const n = parseInteger(v);
    if (n === undefined || n > max) {
      ctx.err('bad_integer', d.text, k, v, `an integer 0..${max}`);
      return dflt;
    }
    return n;
  };
  const boolProp = (d: Dev, k: string): boolean | undefined => {
    const v = prop(d, k);
    if (v === undefined) return undefined;
    const b = BOOLS[v];
    if (b === undefined) ctx.err('bad_bool', d.text, k, v, 'on or off');
    return b;
  };
  const useBackend = (
    d: Dev,
    k: string,
    path: string,
  ): { size: number; file?: { path: string; share: boolean } } | undefined => {
    const id = prop(d, k);
    if (id === undefined) return undefined;
    const b = backends.get(id);
    if (!b) {
      ctx.err(
        'unknown_backend',
        d.text,
        k,
        id,
        `the id of a -object memory-backend-ram or memory-backend-file (${[...backends.keys()].join(', ') || 'none defined'})`,
      );
      return undefined;
    }
    if (b.usedBy !== undefined) {
      ctx.err('backend_in_use', d.text, k, id, `a backend not used by another device (${b.usedBy} uses it)`);
      return undefined;
    }
    b.usedBy = `${d.id} ${k}`;
    sourceMap.push([path, b.text]);
    return b.kind === 'file' ? { size: b.size, file: { path: b.path!, share: b.share } } : { size: b.size };
  };

  type Child = Record<string, unknown>;
  const reached = new Set<string>();
  const childDesc = (port: Dev, path: string): Child | undefined => {
    const kids = children.get(port.id) ?? [];
    const c = kids[0];
    if (!c) return undefined;
    reached.add(c.id);
    sourceMap.push([path, c.text]);
    if (c.driver === 'cxl-type3') {
      const legacy = prop(c, 'memdev');
      if (legacy !== undefined && prop(c, 'persistent-memdev') !== undefined) {
        ctx.err(
          'conflicting_properties',
          c.text,
          'memdev',
          legacy,
          'memdev (deprecated) or persistent-memdev, not both',
        );
      }
      const vol = useBackend(c, 'volatile-memdev', `${path}.volatile`);
      const per = useBackend(c, legacy !== undefined ? 'memdev' : 'persistent-memdev', `${path}.persistent`);
      const lsa = useBackend(c, 'lsa', `${path}.lsa`);
      if (
        prop(c, 'volatile-memdev') === undefined &&
        prop(c, 'persistent-memdev') === undefined &&
        legacy === undefined
      ) {
        ctx.err(
          'missing_property',
          c.text,
          'volatile-memdev',
          undefined,
          'at least one of volatile-memdev, persistent-memdev (or legacy memdev)',
        );
      }
      const sn = prop(c, 'sn');
      let serial: number | undefined;
      if (sn !== undefined) {
        serial = parseInteger(sn);
        if (serial === undefined)
          ctx.err('bad_integer', c.text, 'sn', sn, 'a serial number below 2^53 (decimal or 0x hex)');
      }
      return {
        kind: 'type3',
        id: c.id,
        ...(serial !== undefined ? { serial } : {}),
        ...(vol ? { volatile: vol } : {}),
        ...(per ? { persistent: per } : {}),
        ...(lsa ? { lsa } : {}),
      };
    }
    // cxl-upstream: a switch whose downstream ports are its cxl-downstream children.
    if (prop(c, 'sn') !== undefined)
      ctx.warnings.push(
        `ignored: -device cxl-upstream,id=${c.id} sn=${prop(c, 'sn')} (switch serial numbers are not modelled)`,
      );
    const dsps = children.get(c.id) ?? [];
    return {
      kind: 'switch',
      id: c.id,
      downstreamPorts: dsps.map((dsp, k) => {
        reached.add(dsp.id);
        const pp = `${path}.downstreamPorts[${k}]`;
        sourceMap.push([pp, dsp.text]);
        const ch = childDesc(dsp, `${pp}.child`);
        return { id: dsp.id, port: intProp(dsp, 'port', 255, 0)!, ...(ch ? { child: ch } : {}) };
      }),
    };
  };

  const hostBridges = devices
    .filter((d) => d.driver === 'pxb-cxl')
    .map((hb, h) => {
      reached.add(hb.id);
      const path = `cxl.hostBridges[${h}]`;
      sourceMap.push([path, hb.text]);
      const busNr = intProp(hb, 'bus_nr', 255);
      if (busNr === undefined && prop(hb, 'bus_nr') === undefined)
        ctx.err('missing_property', hb.text, 'bus_nr', undefined, 'the first bus number of this host bridge (0..255)');
      const numaNode = intProp(hb, 'numa_node', 0xffff);
      const hdm = boolProp(hb, 'hdm_for_passthrough');
      return {
        id: hb.id,
        busNr: busNr ?? 0,
        ...(numaNode !== undefined ? { numaNode } : {}),
        ...(hdm !== undefined ? { hdmForPassthrough: hdm } : {}),
        rootPorts: (children.get(hb.id) ?? []).map((rp, r) => {
          reached.add(rp.id);
          const pp = `${path}.rootPorts[${r}]`;
          sourceMap.push([pp, rp.text]);
          const ch = childDesc(rp, `${pp}.child`);
          return { id: rp.id, port: intProp(rp, 'port', 255, 0)!, ...(ch ? { child: ch } : {}) };
        }),
      };
    });
  for (const d of devices) {
    if (!reached.has(d.id) && byId.get(d.id) === d && d.bus !== undefined && byId.has(d.bus)) {
      ctx.err('unreachable', d.text, 'bus', d.bus, 'a chain of buses leading to a pxb-cxl host bridge');
    }
  }

  const windows = [...fmws.values()]
    .sort((a, b) => a.index - b.index)
    .map((f, k) => {
      sourceMap.push([`cxl.windows[${k}]`, f.text]);
      const keys = [...f.targets.keys()].sort((a, b) => a - b);
      keys.forEach((t, j) => {
        if (t !== j)
          ctx.err(
            'bad_targets',
            f.text,
            `cxl-fmw.${f.index}.targets.${t}`,
            f.targets.get(t),
            `targets numbered 0, 1, 2, ... without gaps (targets.${j} is missing)`,
          );
      });
      const targets = keys.map((t) => f.targets.get(t)!);
      targets.forEach((t, j) => {
        const d = byId.get(t);
        if (d?.driver !== 'pxb-cxl')
          ctx.err(
            'unknown_target',
            f.text,
            `cxl-fmw.${f.index}.targets.${keys[j]}`,
            t,
            `the id of a pxb-cxl (${
              devices
                .filter((x) => x.driver === 'pxb-cxl')
                .map((x) => x.id)
                .join(', ') || 'none defined'
            })`,
          );
      });
      if (targets.length === 0)
        ctx.err(
          'missing_property',
          f.text,
          `cxl-fmw.${f.index}.targets.0`,
          undefined,
          'at least one target host bridge',
        );
      if (f.size === undefined)
        ctx.err('missing_property', f.text, `cxl-fmw.${f.index}.size`, undefined, 'the window size, e.g. 4G');
      return {
        id: `cxl-fmw.${f.index}`,
        size: f.size ?? 0,
        targets,
        ...(f.granularity !== undefined ? { granularity: f.granularity } : {}),
      };
    });

  const usedNuma = new Set<string>();
  const numa =
    numaNodes.length + numaDist.length + hmatLb.length > 0
      ? {
          nodes: numaNodes.map((n) => {
            let ramBytes: number | undefined;
            if (n.memdev !== undefined) {
              const b = backends.get(n.memdev);
              if (!b)
                ctx.err(
                  'unknown_backend',
                  n.text,
                  'memdev',
                  n.memdev,
                  `the id of a -object memory-backend (${[...backends.keys()].join(', ') || 'none defined'})`,
                );
              else if (b.usedBy !== undefined)
                ctx.err(
                  'backend_in_use',
                  n.text,
                  'memdev',
                  n.memdev,
                  `a backend not used by a CXL device (${b.usedBy} uses it)`,
                );
              else {
                ramBytes = b.size;
                usedNuma.add(b.id);
              }
            }
            return {
              nodeId: n.nodeId,
              ...(ramBytes !== undefined ? { ramSize: ramBytes } : {}),
              ...(n.cpus !== undefined ? { cpus: n.cpus } : {}),
              ...(n.initiator !== undefined ? { initiator: n.initiator } : {}),
            };
          }),
          distances: numaDist,
          hmatLb,
        }
      : undefined;

  if (ctx.issues.length > 0) throw new ConfigError(ctx.issues, 'invalid QEMU command line');

  const input: DescriptionInput = {
    version: 1,
    ram: { size: ramSize ?? 128 * 2 ** 20 },
    cpus: cpus ?? 1,
    cxl: { hostBridges, windows, xorMaps: [] },
    ...(numa ? { numa } : {}),
    state: { regions: [] },
  };
  let description: MachineDescription;
  try {
    description = validateDescription(input);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Point each issue at the option it came from (longest matching description path).
    const issues = e.issues.map((iss) => {
      let best: [string, string] | undefined;
      for (const entry of sourceMap) {
        if (
          (iss.path === entry[0] || iss.path.startsWith(`${entry[0]}.`) || iss.path.startsWith(`${entry[0]}[`)) &&
          (!best || entry[0].length > best[0].length)
        )
          best = entry;
      }
      if (iss.path === 'ram.size') return { ...iss, option: `-m` };
      return best ? { ...iss, option: best[1] } : iss;
    });
    throw new ConfigError(issues, 'invalid QEMU command line');
  }
  return { description, input, warnings: ctx.warnings };
}

function parseObject(ctx: Ctx, arg: string, backends: Map<string, Backend>): void {
  const text = shortText('-object', arg);
  const opts = splitQemuOpts(arg, 'qom-type');
  const type = opts.find((o) => o.key === 'qom-type')?.value ?? '';
  if (IGNORED_OBJECT.test(type)) {
    ctx.warnings.push(`ignored: -object ${type} (no meaning in cxlemu)`);
    return;
  }
  const kind =
    type === 'memory-backend-ram' || type === 'memory-backend-memfd'
      ? 'ram'
      : type === 'memory-backend-file'
        ? 'file'
        : undefined;
  if (!kind) {
    ctx.err(
      'unknown_object',
      text,
      'qom-type',
      type,
      'memory-backend-ram, memory-backend-file or memory-backend-memfd (or an object type cxlemu ignores)',
    );
    return;
  }
  const b: Partial<Backend> & { text: string } = { kind, share: false, text };
  const ignored = kind === 'file' ? BACKEND_FILE_IGNORED : BACKEND_RAM_IGNORED;
  for (const o of opts) {
    if (o.key === 'qom-type') continue;
    if (o.key === 'id') b.id = o.value;
    else if (o.key === 'size') {
      const n = parseSize(o.value);
      if (n === undefined || n === 0)
        ctx.err('bad_size', text, 'size', o.value, 'a size such as 256M or 4G (a bare number means bytes)');
      else b.size = n;
    } else if (o.key === 'share') {
      const v = BOOLS[o.value];
      if (v === undefined) ctx.err('bad_bool', text, 'share', o.value, 'on or off');
      else b.share = v;
    } else if (o.key === 'mem-path' && kind === 'file') b.path = o.value;
    else if (ignored.has(o.key))
      ctx.warnings.push(`ignored: -object ${type},id=${b.id ?? '?'} ${o.key}=${o.value} (no meaning in cxlemu)`);
    else ctx.err('unknown_property', text, o.key, o.value, `id, size, share${kind === 'file' ? ', mem-path' : ''}`);
  }
  if (b.id === undefined) ctx.err('missing_property', text, 'id', undefined, 'an id the devices refer to');
  if (b.size === undefined && !ctx.issues.some((x) => x.option === text && x.path === 'size'))
    ctx.err('missing_property', text, 'size', undefined, 'the backend size, e.g. 256M');
  if (kind === 'file' && b.path === undefined)
    ctx.err('missing_property', text, 'mem-path', undefined, 'the backing file path');
  if (b.id !== undefined) {
    if (backends.has(b.id))
      ctx.err('duplicate_id', text, 'id', b.id, `a unique id (also used by ${backends.get(b.id)!.text})`);
    else backends.set(b.id, { ...b, size: b.size ?? 0 } as Backend);
  }
}

function parseDevice(ctx: Ctx, arg: string, devices: Dev[]): void {
  const text = shortText('-device', arg);
  const opts = splitQemuOpts(arg, 'driver');
  const driver = opts.find((o) => o.key === 'driver')?.value ?? '';
  if (!(driver in DEVICE_PROPS)) {
    if (IGNORED_DEVICE.test(driver)) ctx.warnings.push(`ignored: -device ${driver} (no meaning in cxlemu)`);
    else
      ctx.err(
        'unknown_device',
        text,
        'driver',
        driver,
        'pxb-cxl, cxl-rp, cxl-upstream, cxl-downstream, cxl-type3 (or a device cxlemu ignores, see docs/machine.md)',
      );
    return;
  }
  const drv = driver as Dev['driver'];
  const props = new Map<string, string>();
  for (const o of opts) {
    if (o.key === 'driver') continue;
    if (DEVICE_PROPS[drv].has(o.key)) {
      if (props.has(o.key)) ctx.err('duplicate_property', text, o.key, o.value, `${o.key} given once`);
      props.set(o.key, o.value);
    } else if (UNSUPPORTED_PROPS[o.key] !== undefined)
      ctx.err('unsupported', text, o.key, o.value, `not supported: ${UNSUPPORTED_PROPS[o.key]}`);
    else if (
      IGNORED_PCI_PROPS.has(o.key) ||
      o.key.startsWith('x-') ||
      (drv === 'cxl-rp' && /-reserve$|^hotplug$/.test(o.key))
    ) {
      ctx.warnings.push(`ignored: -device ${driver} ${o.key}=${o.value} (no meaning in cxlemu)`);
    } else ctx.err('unknown_property', text, o.key, o.value, [...DEVICE_PROPS[drv]].join(', '));
  }
  const id = props.get('id') ?? `${driver}.${ctx.anonymous++}`;
  const bus = props.get('bus');
  devices.push({ driver: drv, id, ...(bus !== undefined ? { bus } : {}), props, text, order: devices.length });
}
