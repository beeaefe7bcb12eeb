// The QEMU-compatible front end: turns a pasted qemu-system command line (or a file holding one,
// with backslash-newlines and # comments) into a machine description. Owns QEMU option syntax
// and its mapping to descriptions; options with no meaning here become warnings, unknown or
// malformed ones become ConfigError issues naming the option and value. Never builds a machine.

import { ConfigError, type ConfigIssue } from './errors.js';
import { type DescriptionInput, type MachineDescription, validateDescription } from './description.js';
import { parseSize, parseInteger } from './sizes.js';
import { DEFAULT_RAM_SIZE, MAX_HARTS } from './board-map.js';
import { HMAT_DATA_TYPES, HMAT_HIERARCHIES } from '../firmware/acpi/hmat.js';
import { discoverHostMemory, type HostMemory, noCxlReason, sysfsRootFromEnv } from './host.js';

export interface QemuParseResult {
  /** The validated, resolved description (windows placed per DESIGN's board map). */
  description: MachineDescription;
  /** The description as produced from the options, before defaults (input form). */
  input: DescriptionInput;
  /** Options accepted but meaningless here ("ignored: -nographic"), in command-line order. */
  warnings: string[];
  /** The boot options of the line (used by `cxlemu run` when it has no --kernel of its own). */
  boot: QemuBoot;
}

/** QEMU's -kernel, -initrd, -append and -bios, as given. */
export interface QemuBoot {
  kernel?: string;
  initrd?: string;
  append?: string;
  bios?: string;
  /** -gdb DEV, or -s (tcp::1234): serve the GDB stub there. */
  gdb?: string;
  /** -S: stand still before the first instruction until the debugger continues. */
  stopped?: boolean;
  /** -M virt,acpi=on|off (auto: cxlemu's default, on with CXL host bridges). */
  acpi?: 'on' | 'off' | 'auto';
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
  'dtb',
  'name',
  'boot',
  'rtc',
  'pidfile',
  'D',
  'd',
  'trace',
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
  'aia-guests',
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
// Parse state: what the option handlers collect; the description is assembled from it afterwards.

interface Backend {
  id: string;
  kind: 'ram' | 'file';
  size: number;
  path?: string;
  share: boolean;
  /** host-mem-type=cxlram: the host's CXL nodes back it. */
  hostMemType?: 'cxlram';
  text: string;
  usedBy?: string;
}

export interface QemuParseOptions {
  /** Where host-mem-type=cxlram looks for the host's CXL nodes (default: CXLEMU_SYSFS_ROOT or /sys). */
  sysfsRoot?: string;
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
interface NumaNodeOpt {
  nodeId: number;
  memdev?: string;
  cpus?: string;
  initiator?: number;
  text: string;
}
type HmatLbInput = NonNullable<NonNullable<DescriptionInput['numa']>['hmatLb']>[number];

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

class ParseState {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: string[] = [];
  /** -kernel, -initrd, -append, -bios: what `cxlemu run` boots. */
  readonly boot: QemuBoot = {};
  /** Ids given to -device options without one. */
  anonymous = 0;
  ramSize: number | undefined;
  cpus: number | undefined;
  irqchip: 'plic' | 'aia' | undefined;
  machineType: string | undefined;
  /** The -M option text that set the machine type (named when cxl=on is missing). */
  machineText = '-M';
  cxlOn = false;
  readonly backends = new Map<string, Backend>();
  readonly devices: Dev[] = [];
  readonly fmws = new Map<number, Fmw>();
  readonly numaNodes: NumaNodeOpt[] = [];
  readonly numaDist: { src: number; dst: number; value: number }[] = [];
  readonly hmatLb: HmatLbInput[] = [];
  private hostMemory: HostMemory | undefined;
  constructor(private readonly sysfsRoot: string | undefined) {}
  /** The host's memory, read once, when a backend asks for host-mem-type=cxlram. */
  host(): HostMemory {
    this.hostMemory ??= discoverHostMemory(this.sysfsRoot ?? sysfsRootFromEnv());
    return this.hostMemory;
  }
  err(code: string, option: string, path: string, value: unknown, allowed: string): void {
    this.issues.push({ code, path, value, allowed, option });
  }
}

function shortText(opt: string, arg: string): string {
  const s = `${opt} ${arg}`;
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

// ---------------------------------------------------------------------------------------------
// The option table: one entry per QEMU option, its arity and its handler.

interface QemuOption {
  /** Words the option takes after itself: 0 (a flag) or 1 (its argument). */
  arity: 0 | 1;
  /** `arg` is the argument ('' for a flag); `name` the option without its dashes (-M vs -machine). */
  handle(s: ParseState, arg: string, name: string): void;
}

const HANDLED: Record<string, QemuOption> = {
  m: { arity: 1, handle: parseMemory },
  smp: { arity: 1, handle: parseSmp },
  object: { arity: 1, handle: parseObject },
  device: { arity: 1, handle: parseDevice },
  M: { arity: 1, handle: parseMachine },
  machine: { arity: 1, handle: parseMachine },
  'cxl-fixed-memory-window': { arity: 1, handle: parseFixedMemoryWindow },
  numa: { arity: 1, handle: parseNuma },
  // What to boot: kept for `cxlemu run` (QemuParseResult.boot), meaningless to the description.
  kernel: { arity: 1, handle: (s, arg) => (s.boot.kernel = arg) },
  initrd: { arity: 1, handle: (s, arg) => (s.boot.initrd = arg) },
  append: { arity: 1, handle: (s, arg) => (s.boot.append = arg) },
  bios: { arity: 1, handle: (s, arg) => (s.boot.bios = arg) },
  gdb: { arity: 1, handle: (s, arg) => (s.boot.gdb = arg) },
  s: { arity: 0, handle: (s) => (s.boot.gdb = 'tcp::1234') },
  S: { arity: 0, handle: (s) => (s.boot.stopped = true) },
};
const IGNORED_OPTION: QemuOption = {
  arity: 1,
  handle: (s, arg, name) => s.warnings.push(`ignored: -${name} ${arg} (no meaning in cxlemu)`),
};
const IGNORED_FLAG: QemuOption = {
  arity: 0,
  handle: (s, _arg, name) => s.warnings.push(`ignored: -${name} (no meaning in cxlemu)`),
};
/** Every option cxlemu accepts, by name without dashes. An ignored flag wins over an option of the same name. */
const QEMU_OPTIONS = new Map<string, QemuOption>([
  ...Object.entries(HANDLED),
  ...[...IGNORED_WITH_ARG].map((n): [string, QemuOption] => [n, IGNORED_OPTION]),
  ...[...IGNORED_FLAGS].map((n): [string, QemuOption] => [n, IGNORED_FLAG]),
]);

/** Parse a pasted QEMU command line (text or pre-split words). Throws ConfigError. */
export function parseQemuCommandLine(args: string | readonly string[], opts: QemuParseOptions = {}): QemuParseResult {
  const words = typeof args === 'string' ? tokenizeQemu(args) : [...args];
  const s = new ParseState(opts.sysfsRoot);
  // A leading program name (qemu-system-x86_64) is skipped.
  let i = words.length > 0 && !words[0]!.startsWith('-') && /qemu/i.test(words[0]!) ? 1 : 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '...' || w === '…') {
      s.warnings.push('ignored: "..." (placeholder from documentation)');
      continue;
    }
    if (!w.startsWith('-') || w === '-' || w === '--') {
      s.err('unexpected_argument', w, 'argument', w, 'a QEMU option starting with "-"');
      continue;
    }
    const name = w.replace(/^--?/, '');
    const option = QEMU_OPTIONS.get(name);
    if (!option) {
      // Swallow the unknown option's likely argument so it is not reported a second time.
      const next = words[i + 1];
      const arg = next !== undefined && !next.startsWith('-') ? words[++i] : undefined;
      s.err(
        'unknown_option',
        w,
        w,
        arg,
        'a QEMU option cxlemu knows (see docs/machine.md: supported and ignored options)',
      );
    } else if (option.arity === 0) option.handle(s, '', name);
    else if (i + 1 >= words.length)
      s.err('missing_argument', `-${name}`, `-${name}`, undefined, 'an argument after the option');
    else option.handle(s, words[++i]!, name);
  }
  return assemble(s);
}

// ---- -m, -smp ----

function parseMemory(s: ParseState, a: string): void {
  const text = `-m ${a}`;
  for (const o of splitQemuOpts(a, 'size')) {
    if (o.key === 'size') {
      const n = parseSize(o.value, 2 ** 20);
      if (n === undefined || n === 0)
        s.err('bad_size', text, 'size', o.value, 'a RAM size such as 512M or 4G (a bare number means MiB)');
      else s.ramSize = n;
    } else if (o.key === 'slots' || o.key === 'maxmem')
      s.warnings.push(`ignored: -m ${o.key}=${o.value} (memory hotplug is not modelled)`);
    else s.err('unknown_property', text, o.key, o.value, 'size, slots or maxmem');
  }
}

const SMP_KEYS = ['cpus', 'sockets', 'cores', 'threads', 'dies', 'clusters', 'maxcpus', 'books', 'drawers', 'modules'];

function parseSmp(s: ParseState, a: string): void {
  const text = `-smp ${a}`;
  let product = 1;
  let explicit: number | undefined;
  for (const o of splitQemuOpts(a, 'cpus')) {
    const n = parseInteger(o.value);
    if (!SMP_KEYS.includes(o.key))
      s.err(
        'unknown_property',
        text,
        o.key,
        o.value,
        'cpus, sockets, dies, clusters, modules, cores, threads, maxcpus',
      );
    else if (n === undefined || n === 0) s.err('bad_integer', text, o.key, o.value, 'a positive integer');
    else if (o.key === 'cpus') explicit = n;
    else if (o.key !== 'maxcpus') product *= n;
  }
  const cpus = explicit ?? product;
  if (cpus > MAX_HARTS) s.err('bad_integer', text, 'cpus', String(cpus), `1 to ${MAX_HARTS} harts (cxlemu's limit)`);
  else s.cpus = cpus;
}

// ---- -M / -machine, -cxl-fixed-memory-window ----

function parseMachine(s: ParseState, a: string, name: string): void {
  const text = shortText(`-${name}`, a);
  for (const o of splitQemuOpts(a, 'type')) {
    const fm = /^cxl-fmw\.(\d+)\.(targets\.(\d+)|size|interleave-granularity)$/.exec(o.key);
    if (o.key === 'type') {
      if (!MACHINE_TYPES.test(o.value)) {
        s.err(
          'bad_machine_type',
          text,
          'type',
          o.value,
          'q35 or virt (the QEMU machines with CXL; cxlemu builds its RISC-V virt-compatible board either way)',
        );
      } else {
        s.machineType = o.value;
        s.machineText = text;
      }
    } else if (o.key === 'cxl') {
      const b = BOOLS[o.value];
      if (b === undefined) s.err('bad_bool', text, 'cxl', o.value, 'on or off');
      else s.cxlOn = b;
    } else if (o.key === 'aia') {
      // QEMU virt: none (PLIC), aplic (APLIC direct mode, not modelled), aplic-imsic.
      if (o.value === 'none') s.irqchip = 'plic';
      else if (o.value === 'aplic-imsic') s.irqchip = 'aia';
      else s.err('bad_value', text, 'aia', o.value, 'none or aplic-imsic (APLIC direct mode is not modelled)');
    } else if (o.key === 'acpi') {
      const b = o.value === 'auto' ? 'auto' : BOOLS[o.value];
      if (b === undefined) s.err('bad_bool', text, 'acpi', o.value, 'on, off or auto');
      else s.boot.acpi = b === 'auto' ? 'auto' : b ? 'on' : 'off';
    } else if (fm) {
      const idx = Number(fm[1]);
      const f = s.fmws.get(idx) ?? { index: idx, targets: new Map<number, string>(), text };
      s.fmws.set(idx, f);
      if (fm[3] !== undefined) f.targets.set(Number(fm[3]), o.value);
      else if (fm[2] === 'size')
        windowSize(s, f, text, o.key, o.value, 'a size such as 4G or 256M (a positive multiple of 256 MiB)');
      else windowGranularity(s, f, text, o.key, o.value);
    } else if (IGNORED_MACHINE_PROPS.has(o.key) || o.key.startsWith('x-')) {
      s.warnings.push(`ignored: -${name} ${o.key}=${o.value} (no meaning in cxlemu)`);
    } else if (/^cxl-fmw\./.test(o.key)) {
      s.err(
        'unknown_property',
        text,
        o.key,
        o.value,
        'cxl-fmw.N.targets.K, cxl-fmw.N.size or cxl-fmw.N.interleave-granularity',
      );
    } else {
      s.err(
        'unknown_property',
        text,
        o.key,
        o.value,
        'type, cxl, acpi, cxl-fmw.N.* (or a known machine property that cxlemu ignores)',
      );
    }
  }
}

/** QEMU 6.2-7.0 spelling of cxl-fmw: targets.K, size, interleave-granularity; the next window index. */
function parseFixedMemoryWindow(s: ParseState, a: string): void {
  const text = shortText('-cxl-fixed-memory-window', a);
  const idx = s.fmws.size === 0 ? 0 : Math.max(...s.fmws.keys()) + 1;
  const f: Fmw = { index: idx, targets: new Map(), text };
  s.fmws.set(idx, f);
  for (const o of splitQemuOpts(a)) {
    const t = /^targets\.(\d+)$/.exec(o.key);
    if (t) f.targets.set(Number(t[1]), o.value);
    else if (o.key === 'size') windowSize(s, f, text, 'size', o.value, 'a size such as 4G');
    else if (o.key === 'interleave-granularity') windowGranularity(s, f, text, o.key, o.value);
    else s.err('unknown_property', text, o.key, o.value, 'targets.K, size or interleave-granularity');
  }
}

function windowSize(s: ParseState, f: Fmw, text: string, key: string, value: string, allowed: string): void {
  const n = parseSize(value);
  if (n === undefined || n === 0) s.err('bad_size', text, key, value, allowed);
  else f.size = n;
}

function windowGranularity(s: ParseState, f: Fmw, text: string, key: string, value: string): void {
  const n = parseSize(value);
  if (n === undefined) s.err('bad_granularity', text, key, value, 'one of 256, 512, 1k, 2k, 4k, 8k, 16k');
  else f.granularity = n;
}

// ---- -numa: one handler per type= ----

type NumaHandler = (s: ParseState, text: string, rest: Opt[], a: string) => void;

const NUMA_TYPES: Record<string, NumaHandler> = {
  node: parseNumaNode,
  dist: parseNumaDist,
  'hmat-lb': parseHmatLb,
  'hmat-cache': (s, _text, _rest, a) => s.warnings.push(`ignored: -numa ${a} (not modelled yet)`),
  cpu: (s, _text, _rest, a) => s.warnings.push(`ignored: -numa ${a} (not modelled yet)`),
};

function parseNuma(s: ParseState, a: string): void {
  const text = shortText('-numa', a);
  const opts = splitQemuOpts(a, 'type');
  const type = opts.find((o) => o.key === 'type')?.value;
  const handler = type !== undefined && Object.hasOwn(NUMA_TYPES, type) ? NUMA_TYPES[type] : undefined;
  if (handler)
    handler(
      s,
      text,
      opts.filter((o) => o.key !== 'type'),
      a,
    );
  else s.err('bad_value', text, 'type', type, 'node, dist, hmat-lb (hmat-cache and cpu are ignored)');
}

function numaInt(s: ParseState, text: string, o: Opt): number | undefined {
  const n = parseInteger(o.value);
  if (n === undefined) s.err('bad_integer', text, o.key, o.value, 'a non-negative integer');
  return n;
}

function parseNumaNode(s: ParseState, text: string, rest: Opt[]): void {
  const node: NumaNodeOpt = { nodeId: s.numaNodes.length, text };
  for (const o of rest) {
    if (o.key === 'nodeid') node.nodeId = numaInt(s, text, o) ?? 0;
    else if (o.key === 'memdev') node.memdev = o.value;
    else if (o.key === 'cpus') node.cpus = node.cpus === undefined ? o.value : `${node.cpus},${o.value}`;
    else if (o.key === 'initiator') node.initiator = numaInt(s, text, o) ?? 0;
    else if (o.key === 'mem')
      s.err(
        'unsupported',
        text,
        'mem',
        o.value,
        'memdev=<memory backend id> (QEMU removed mem= for new machine types)',
      );
    else s.err('unknown_property', text, o.key, o.value, 'nodeid, memdev, cpus, initiator');
  }
  s.numaNodes.push(node);
}

function parseNumaDist(s: ParseState, text: string, rest: Opt[]): void {
  const d = { src: -1, dst: -1, value: -1 };
  for (const o of rest) {
    if (o.key === 'src') d.src = numaInt(s, text, o) ?? 0;
    else if (o.key === 'dst') d.dst = numaInt(s, text, o) ?? 0;
    else if (o.key === 'val') d.value = numaInt(s, text, o) ?? 0;
    else s.err('unknown_property', text, o.key, o.value, 'src, dst, val');
  }
  for (const k of ['src', 'dst', 'value'] as const)
    if (d[k] < 0) s.err('missing_property', text, k === 'value' ? 'val' : k, undefined, 'required');
  s.numaDist.push(d);
}

function parseHmatLb(s: ParseState, text: string, rest: Opt[]): void {
  const h: Record<string, unknown> = {};
  for (const o of rest) {
    if (o.key === 'initiator' || o.key === 'target') h[o.key] = numaInt(s, text, o);
    else if (o.key === 'hierarchy') h.hierarchy = o.value;
    else if (o.key === 'data-type') h.dataType = o.value;
    else if (o.key === 'latency') h.latencyNs = numaInt(s, text, o);
    else if (o.key === 'bandwidth') {
      const n = parseSize(o.value);
      if (n === undefined) s.err('bad_size', text, 'bandwidth', o.value, 'bytes per second, e.g. 200M or 10G');
      h.bandwidthBytesPerSec = n;
    } else
      s.err('unknown_property', text, o.key, o.value, 'initiator, target, hierarchy, data-type, latency, bandwidth');
  }
  if (!(HMAT_HIERARCHIES as readonly string[]).includes(String(h.hierarchy)))
    s.err('bad_value', text, 'hierarchy', h.hierarchy, 'memory, first-level, second-level or third-level');
  if (!(HMAT_DATA_TYPES as readonly string[]).includes(String(h.dataType)))
    s.err(
      'bad_value',
      text,
      'data-type',
      h.dataType,
      'access-latency, read-latency, write-latency, access-bandwidth, read-bandwidth or write-bandwidth',
    );
  for (const k of ['initiator', 'target'] as const)
    if (h[k] === undefined) s.err('missing_property', text, k, undefined, 'required');
  s.hmatLb.push(h as HmatLbInput);
}

// ---- -object memory-backend-*, -device cxl-* ----

function parseObject(s: ParseState, arg: string): void {
  const text = shortText('-object', arg);
  const opts = splitQemuOpts(arg, 'qom-type');
  const type = opts.find((o) => o.key === 'qom-type')?.value ?? '';
  if (IGNORED_OBJECT.test(type)) {
    s.warnings.push(`ignored: -object ${type} (no meaning in cxlemu)`);
    return;
  }
  const kind =
    type === 'memory-backend-ram' || type === 'memory-backend-memfd'
      ? 'ram'
      : type === 'memory-backend-file'
        ? 'file'
        : undefined;
  if (!kind) {
    s.err(
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
        s.err('bad_size', text, 'size', o.value, 'a size such as 256M or 4G (a bare number means bytes)');
      else b.size = n;
    } else if (o.key === 'share') {
      const v = BOOLS[o.value];
      if (v === undefined) s.err('bad_bool', text, 'share', o.value, 'on or off');
      else b.share = v;
    } else if (o.key === 'mem-path' && kind === 'file') b.path = o.value;
    else if (o.key === 'host-mem-type') {
      if (o.value !== 'cxlram')
        s.err('bad_value', text, 'host-mem-type', o.value, "cxlram (back it with the host's CXL memory nodes)");
      else if (kind !== 'ram')
        s.err(
          'unsupported_property',
          text,
          'host-mem-type',
          o.value,
          "host-mem-type on memory-backend-ram or memory-backend-memfd only (a file backend's pages are its file's)",
        );
      else b.hostMemType = 'cxlram';
    } else if ((o.key === 'host-nodes' || o.key === 'policy') && opts.some((x) => x.key === 'host-mem-type')) {
      // Checked below, once host-mem-type is known.
    } else if (ignored.has(o.key))
      s.warnings.push(`ignored: -object ${type},id=${b.id ?? '?'} ${o.key}=${o.value} (no meaning in cxlemu)`);
    else
      s.err(
        'unknown_property',
        text,
        o.key,
        o.value,
        `id, size, share${kind === 'file' ? ', mem-path' : ', host-mem-type'}`,
      );
  }
  if (b.id === undefined) s.err('missing_property', text, 'id', undefined, 'an id the devices refer to');
  if (b.size === undefined && !s.issues.some((x) => x.option === text && x.path === 'size'))
    s.err('missing_property', text, 'size', undefined, 'the backend size, e.g. 256M');
  if (kind === 'file' && b.path === undefined)
    s.err('missing_property', text, 'mem-path', undefined, 'the backing file path');
  if (b.hostMemType !== undefined) {
    const clash = opts.filter((o) => o.key === 'host-nodes' || o.key === 'policy');
    for (const o of clash)
      s.err(
        'conflicting_properties',
        text,
        o.key,
        o.value,
        `not together with host-mem-type=cxlram, which picks the host nodes itself (the host's CXL nodes): drop ${o.key} or host-mem-type`,
      );
    const why = clash.length === 0 ? noCxlReason(s.host()) : undefined;
    if (why !== undefined) s.err('no_host_cxl', text, 'host-mem-type', 'cxlram', `a host with CXL memory: ${why}`);
  }
  if (b.id !== undefined) {
    if (s.backends.has(b.id))
      s.err('duplicate_id', text, 'id', b.id, `a unique id (also used by ${s.backends.get(b.id)!.text})`);
    else s.backends.set(b.id, { ...b, size: b.size ?? 0 } as Backend);
  }
}

function parseDevice(s: ParseState, arg: string): void {
  const text = shortText('-device', arg);
  const opts = splitQemuOpts(arg, 'driver');
  const driver = opts.find((o) => o.key === 'driver')?.value ?? '';
  if (!Object.hasOwn(DEVICE_PROPS, driver)) {
    if (IGNORED_DEVICE.test(driver)) s.warnings.push(`ignored: -device ${driver} (no meaning in cxlemu)`);
    else
      s.err(
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
      if (props.has(o.key)) s.err('duplicate_property', text, o.key, o.value, `${o.key} given once`);
      props.set(o.key, o.value);
    } else if (UNSUPPORTED_PROPS[o.key] !== undefined)
      s.err('unsupported', text, o.key, o.value, `not supported: ${UNSUPPORTED_PROPS[o.key]}`);
    else if (
      IGNORED_PCI_PROPS.has(o.key) ||
      o.key.startsWith('x-') ||
      (drv === 'cxl-rp' && /-reserve$|^hotplug$/.test(o.key))
    ) {
      s.warnings.push(`ignored: -device ${driver} ${o.key}=${o.value} (no meaning in cxlemu)`);
    } else s.err('unknown_property', text, o.key, o.value, [...DEVICE_PROPS[drv]].join(', '));
  }
  const id = props.get('id') ?? `${driver}.${s.anonymous++}`;
  const bus = props.get('bus');
  s.devices.push({ driver: drv, id, ...(bus !== undefined ? { bus } : {}), props, text, order: s.devices.length });
}

// ---------------------------------------------------------------------------------------------
// Assembly: the collected options -> description input, each path remembered with its option text.

/** The parents each -device driver may sit on (bus=). */
const PARENT_KINDS: Record<Dev['driver'], Dev['driver'][]> = {
  'pxb-cxl': [],
  'cxl-rp': ['pxb-cxl'],
  'cxl-upstream': ['cxl-rp', 'cxl-downstream'],
  'cxl-downstream': ['cxl-upstream'],
  'cxl-type3': ['cxl-rp', 'cxl-downstream'],
};

type HostBridgeInput = NonNullable<NonNullable<DescriptionInput['cxl']>['hostBridges']>[number];
type PortInput = HostBridgeInput['rootPorts'][number];
type ChildInput = NonNullable<PortInput['child']>;
type StoreInput = { size: number; file?: { path: string; share: boolean }; host?: { memType: 'cxlram' } };

class Assembly {
  /** Description path -> the option text it came from (errors from validation point at options). */
  readonly sourceMap: [string, string][] = [];
  readonly byId = new Map<string, Dev>();
  readonly children = new Map<string, Dev[]>();
  private readonly reached = new Set<string>();

  constructor(private readonly s: ParseState) {}

  /** QEMU refuses pxb-cxl and cxl-fmw unless the machine has cxl=on. */
  checkCxlEnabled(): void {
    const s = this.s;
    if ((s.devices.length > 0 || s.fmws.size > 0) && (s.machineType === undefined || !s.cxlOn)) {
      s.err(
        'cxl_not_enabled',
        s.machineText,
        s.machineType === undefined ? '-M' : 'cxl',
        s.machineType === undefined ? undefined : 'off',
        '-M q35,cxl=on or -M virt,cxl=on (QEMU refuses pxb-cxl and cxl-fmw otherwise)',
      );
    }
  }

  /** Device ids unique; each device under a parent of the right kind; one child per port. */
  linkDevices(): void {
    const s = this.s;
    for (const d of s.devices) {
      const prev = this.byId.get(d.id);
      if (prev) s.err('duplicate_id', d.text, 'id', d.id, `a unique id (also used by ${prev.text})`);
      else this.byId.set(d.id, d);
    }
    for (const d of s.devices) {
      if (d.driver === 'pxb-cxl') {
        if (d.bus !== undefined && !/^pcie\.0$/.test(d.bus))
          s.err('bad_bus', d.text, 'bus', d.bus, 'pcie.0 (the main PCIe root bus)');
        continue;
      }
      if (d.bus === undefined) {
        s.err('missing_property', d.text, 'bus', undefined, `the id of a ${PARENT_KINDS[d.driver].join(' or ')}`);
        continue;
      }
      const parent = this.byId.get(d.bus);
      if (!parent || !PARENT_KINDS[d.driver].includes(parent.driver)) {
        s.err(
          'bad_bus',
          d.text,
          'bus',
          d.bus,
          `the id of a ${PARENT_KINDS[d.driver].join(' or ')} (${parent ? `${d.bus} is a ${parent.driver}` : 'no device has that id'})`,
        );
        continue;
      }
      const list = this.children.get(parent.id) ?? [];
      if ((parent.driver === 'cxl-rp' || parent.driver === 'cxl-downstream') && list.length > 0) {
        s.err('port_in_use', d.text, 'bus', d.bus, `a free port (${d.bus} already holds ${list[0]!.id})`);
        continue;
      }
      list.push(d);
      this.children.set(parent.id, list);
    }
  }

  hostBridges() {
    return this.s.devices
      .filter((d) => d.driver === 'pxb-cxl')
      .map((hb, h) => {
        this.reached.add(hb.id);
        const path = `cxl.hostBridges[${h}]`;
        this.sourceMap.push([path, hb.text]);
        const busNr = this.intProp(hb, 'bus_nr', 255);
        if (busNr === undefined && hb.props.get('bus_nr') === undefined)
          this.s.err(
            'missing_property',
            hb.text,
            'bus_nr',
            undefined,
            'the first bus number of this host bridge (0..255)',
          );
        const numaNode = this.intProp(hb, 'numa_node', 0xffff);
        const hdm = this.boolProp(hb, 'hdm_for_passthrough');
        return {
          id: hb.id,
          busNr: busNr ?? 0,
          ...(numaNode !== undefined ? { numaNode } : {}),
          ...(hdm !== undefined ? { hdmForPassthrough: hdm } : {}),
          rootPorts: (this.children.get(hb.id) ?? []).map((rp, r) => this.port(rp, `${path}.rootPorts[${r}]`)),
        };
      });
  }

  /** Devices whose bus chain never reaches a host bridge (a loop of switches, say). */
  checkReached(): void {
    for (const d of this.s.devices) {
      if (!this.reached.has(d.id) && this.byId.get(d.id) === d && d.bus !== undefined && this.byId.has(d.bus))
        this.s.err('unreachable', d.text, 'bus', d.bus, 'a chain of buses leading to a pxb-cxl host bridge');
    }
  }

  /** A root port or switch downstream port and what sits on it. */
  private port(dev: Dev, path: string): PortInput {
    this.reached.add(dev.id);
    this.sourceMap.push([path, dev.text]);
    const ch = this.child(dev, `${path}.child`);
    return { id: dev.id, port: this.intProp(dev, 'port', 255, 0)!, ...(ch ? { child: ch } : {}) };
  }

  private child(port: Dev, path: string): ChildInput | undefined {
    const c = (this.children.get(port.id) ?? [])[0];
    if (!c) return undefined;
    this.reached.add(c.id);
    this.sourceMap.push([path, c.text]);
    return c.driver === 'cxl-type3' ? this.type3(c, path) : this.switchOf(c, path);
  }

  private type3(c: Dev, path: string): ChildInput {
    const s = this.s;
    const legacy = c.props.get('memdev');
    if (legacy !== undefined && c.props.get('persistent-memdev') !== undefined)
      s.err('conflicting_properties', c.text, 'memdev', legacy, 'memdev (deprecated) or persistent-memdev, not both');
    const vol = this.useBackend(c, 'volatile-memdev', `${path}.volatile`);
    const per = this.useBackend(c, legacy !== undefined ? 'memdev' : 'persistent-memdev', `${path}.persistent`);
    const lsa = this.useBackend(c, 'lsa', `${path}.lsa`);
    if (
      c.props.get('volatile-memdev') === undefined &&
      c.props.get('persistent-memdev') === undefined &&
      legacy === undefined
    )
      s.err(
        'missing_property',
        c.text,
        'volatile-memdev',
        undefined,
        'at least one of volatile-memdev, persistent-memdev (or legacy memdev)',
      );
    const sn = c.props.get('sn');
    let serial: number | undefined;
    if (sn !== undefined) {
      serial = parseInteger(sn);
      if (serial === undefined)
        s.err('bad_integer', c.text, 'sn', sn, 'a serial number below 2^53 (decimal or 0x hex)');
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

  /** cxl-upstream: a switch whose downstream ports are its cxl-downstream children. */
  private switchOf(c: Dev, path: string): ChildInput {
    const sn = c.props.get('sn');
    if (sn !== undefined)
      this.s.warnings.push(
        `ignored: -device cxl-upstream,id=${c.id} sn=${sn} (switch serial numbers are not modelled)`,
      );
    return {
      kind: 'switch',
      id: c.id,
      downstreamPorts: (this.children.get(c.id) ?? []).map((dsp, k) => this.port(dsp, `${path}.downstreamPorts[${k}]`)),
    };
  }

  private intProp(d: Dev, k: string, max: number, dflt?: number): number | undefined {
    const v = d.props.get(k);
    if (v === undefined) return dflt;
    const n = parseInteger(v);
    if (n === undefined || n > max) {
      this.s.err('bad_integer', d.text, k, v, `an integer 0..${max}`);
      return dflt;
    }
    return n;
  }

  private boolProp(d: Dev, k: string): boolean | undefined {
    const v = d.props.get(k);
    if (v === undefined) return undefined;
    const b = BOOLS[v];
    if (b === undefined) this.s.err('bad_bool', d.text, k, v, 'on or off');
    return b;
  }

  /** The backend a device property names, claimed for that device (each backend backs one store). */
  private useBackend(d: Dev, k: string, path: string): StoreInput | undefined {
    const id = d.props.get(k);
    if (id === undefined) return undefined;
    const b = this.s.backends.get(id);
    if (!b) {
      this.s.err(
        'unknown_backend',
        d.text,
        k,
        id,
        `the id of a -object memory-backend-ram or memory-backend-file (${[...this.s.backends.keys()].join(', ') || 'none defined'})`,
      );
      return undefined;
    }
    if (b.usedBy !== undefined) {
      this.s.err('backend_in_use', d.text, k, id, `a backend not used by another device (${b.usedBy} uses it)`);
      return undefined;
    }
    b.usedBy = `${d.id} ${k}`;
    this.sourceMap.push([path, b.text]);
    if (b.kind === 'file') return { size: b.size, file: { path: b.path!, share: b.share } };
    return b.hostMemType ? { size: b.size, host: { memType: b.hostMemType } } : { size: b.size };
  }

  /** Windows in index order; targets numbered without gaps, each a pxb-cxl. */
  windows() {
    const s = this.s;
    return [...s.fmws.values()]
      .sort((a, b) => a.index - b.index)
      .map((f, k) => {
        this.sourceMap.push([`cxl.windows[${k}]`, f.text]);
        const keys = [...f.targets.keys()].sort((a, b) => a - b);
        keys.forEach((t, j) => {
          if (t !== j)
            s.err(
              'bad_targets',
              f.text,
              `cxl-fmw.${f.index}.targets.${t}`,
              f.targets.get(t),
              `targets numbered 0, 1, 2, ... without gaps (targets.${j} is missing)`,
            );
        });
        const targets = keys.map((t) => f.targets.get(t)!);
        targets.forEach((t, j) => {
          if (this.byId.get(t)?.driver !== 'pxb-cxl')
            s.err(
              'unknown_target',
              f.text,
              `cxl-fmw.${f.index}.targets.${keys[j]}`,
              t,
              `the id of a pxb-cxl (${
                s.devices
                  .filter((x) => x.driver === 'pxb-cxl')
                  .map((x) => x.id)
                  .join(', ') || 'none defined'
              })`,
            );
        });
        if (targets.length === 0)
          s.err(
            'missing_property',
            f.text,
            `cxl-fmw.${f.index}.targets.0`,
            undefined,
            'at least one target host bridge',
          );
        if (f.size === undefined)
          s.err('missing_property', f.text, `cxl-fmw.${f.index}.size`, undefined, 'the window size, e.g. 4G');
        return {
          id: `cxl-fmw.${f.index}`,
          size: f.size ?? 0,
          targets,
          ...(f.granularity !== undefined ? { granularity: f.granularity } : {}),
        };
      });
  }

  /** NUMA nodes (RAM from their memdev backends), distances and HMAT entries; absent without -numa. */
  numa() {
    const s = this.s;
    if (s.numaNodes.length + s.numaDist.length + s.hmatLb.length === 0) return undefined;
    return {
      nodes: s.numaNodes.map((n) => {
        const ramSize = n.memdev !== undefined ? this.nodeRam(n, n.memdev) : undefined;
        return {
          nodeId: n.nodeId,
          ...(ramSize !== undefined ? { ramSize } : {}),
          ...(n.cpus !== undefined ? { cpus: n.cpus } : {}),
          ...(n.initiator !== undefined ? { initiator: n.initiator } : {}),
        };
      }),
      distances: s.numaDist,
      hmatLb: s.hmatLb,
    };
  }

  private nodeRam(n: NumaNodeOpt, memdev: string): number | undefined {
    const b = this.s.backends.get(memdev);
    if (!b)
      this.s.err(
        'unknown_backend',
        n.text,
        'memdev',
        memdev,
        `the id of a -object memory-backend (${[...this.s.backends.keys()].join(', ') || 'none defined'})`,
      );
    else if (b.usedBy !== undefined)
      this.s.err(
        'backend_in_use',
        n.text,
        'memdev',
        memdev,
        `a backend not used by a CXL device (${b.usedBy} uses it)`,
      );
    else return b.size;
    return undefined;
  }

  /** Validate, pointing each issue at the option it came from (longest matching description path). */
  validate(input: DescriptionInput): MachineDescription {
    try {
      return validateDescription(input);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const issues = e.issues.map((iss) => {
        let best: [string, string] | undefined;
        for (const entry of this.sourceMap) {
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
  }
}

/** The description of the collected options: option errors first, then the description's own rules. */
function assemble(s: ParseState): QemuParseResult {
  const a = new Assembly(s);
  a.checkCxlEnabled();
  a.linkDevices();
  const hostBridges = a.hostBridges();
  a.checkReached();
  const windows = a.windows();
  const numa = a.numa();
  if (s.issues.length > 0) throw new ConfigError(s.issues, 'invalid QEMU command line');
  const input: DescriptionInput = {
    version: 1,
    ram: { size: s.ramSize ?? DEFAULT_RAM_SIZE },
    cpus: s.cpus ?? 1,
    // A QEMU line means QEMU's default: the PLIC unless -M virt,aia=aplic-imsic.
    irqchip: s.irqchip ?? 'plic',
    cxl: { hostBridges, windows, xorMaps: [] },
    ...(numa ? { numa } : {}),
    state: { regions: [] },
  };
  return { description: a.validate(input), input, warnings: s.warnings, boot: s.boot };
}
