// The generated device tree. Oracles: (1) dtc itself: `dtc -I dtb -O dts` must decompile it with no
// warnings, and recompiling that output with `dtc -I dts -O dtb` must give back our exact bytes;
// (2) a small DTB reader written here from the devicetree specification v0.4 chapter 5, independent
// of src/firmware/fdt.ts, checks header fields and the node/property structure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFdt, fdtAddress } from '../../src/firmware/fdt.js';
import type { BoardDescription } from '../../src/firmware/board-description.js';

export function sampleBoard(withCxl = true): BoardDescription {
  return {
    model: 'cxlemu,virt',
    compatible: ['cxlemu,virt', 'riscv-virtio'],
    memory: [{ base: 0x8000_0000, size: 128 * 2 ** 20 }],
    harts: [
      {
        hartId: 0,
        isa: 'rv64imac_zicsr_zifencei_zicntr',
        isaBase: 'rv64i',
        isaExtensions: ['i', 'm', 'a', 'c', 'zicsr', 'zifencei', 'zicntr'],
        mmuType: 'riscv,sv39',
      },
    ],
    timebaseFrequency: 10_000_000,
    uart: { base: 0x1000_0000, size: 0x100, irq: 10, clockFrequency: 3_686_400 },
    clint: { base: 0x0200_0000, size: 0x10000 },
    plic: { base: 0x0c00_0000, size: 0x60_0000, ndev: 95 },
    finisher: { base: 0x0010_0000, size: 0x1000 },
    pcie: {
      ecam: { base: 0x3000_0000, size: 0x1000_0000 },
      busFirst: 0,
      busLast: 255,
      mmio: { base: 0x4000_0000, size: 0x4000_0000 },
      intxIrqBase: 32,
    },
    cxlWindows: withCxl
      ? [
          {
            name: 'cfmw0',
            base: 0x1_0000_0000,
            size: 0x1000_0000,
            interleaveWays: 1,
            interleaveGranularity: 256,
            targets: [0],
            restrictions: ['volatile', 'persistent'],
          },
          {
            name: 'cfmw1',
            base: 0x2_0000_0000,
            size: 3 * 0x3000_0000,
            interleaveWays: 2,
            interleaveGranularity: 4096,
            arithmetic: 'xor',
            targets: [0, 1],
            restrictions: ['volatile'],
          },
        ]
      : [],
    chosen: { acpiRsdp: 0 },
  };
}

// ---- independent reader -------------------------------------------------------------------
interface RNode {
  name: string;
  props: Map<string, Buffer>;
  children: RNode[];
}
interface Parsed {
  header: Record<string, number>;
  root: RNode;
  rsv: [bigint, bigint][];
}

function parseDtb(b: Buffer): Parsed {
  const names = [
    'magic',
    'totalsize',
    'off_dt_struct',
    'off_dt_strings',
    'off_mem_rsvmap',
    'version',
    'last_comp_version',
    'boot_cpuid_phys',
    'size_dt_strings',
    'size_dt_struct',
  ];
  const header: Record<string, number> = {};
  names.forEach((n, i) => (header[n] = b.readUInt32BE(i * 4)));
  const rsv: [bigint, bigint][] = [];
  for (let o = header.off_mem_rsvmap!; ; o += 16) {
    const a = b.readBigUInt64BE(o);
    const s = b.readBigUInt64BE(o + 8);
    if (a === 0n && s === 0n) break;
    rsv.push([a, s]);
  }
  const str = (off: number) => {
    const start = header.off_dt_strings! + off;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  let p = header.off_dt_struct!;
  const end = p + header.size_dt_struct!;
  const stack: RNode[] = [];
  let root: RNode | undefined;
  const pad = (n: number) => (n + 3) & ~3;
  while (p < end) {
    const tok = b.readUInt32BE(p);
    p += 4;
    if (tok === 1) {
      const z = b.indexOf(0, p);
      const node: RNode = { name: b.toString('latin1', p, z), props: new Map(), children: [] };
      p = pad(z + 1);
      if (stack.length) stack.at(-1)!.children.push(node);
      else root = node;
      stack.push(node);
    } else if (tok === 2) {
      stack.pop();
    } else if (tok === 3) {
      const len = b.readUInt32BE(p);
      const nameoff = b.readUInt32BE(p + 4);
      stack.at(-1)!.props.set(str(nameoff), b.subarray(p + 8, p + 8 + len));
      p = pad(p + 8 + len);
    } else if (tok === 4) {
      // NOP
    } else if (tok === 9) {
      assert.equal(p, end, 'FDT_END is the last token');
      break;
    } else {
      assert.fail(`bad token ${tok} at ${p - 4}`);
    }
  }
  assert.equal(stack.length, 0, 'balanced nodes');
  return { header, root: root!, rsv };
}

function find(n: RNode, path: string): RNode {
  let cur = n;
  for (const part of path.split('/').filter(Boolean)) {
    const next = cur.children.find((c) => c.name === part);
    assert.ok(next, `node ${path} (missing ${part})`);
    cur = next;
  }
  return cur;
}
const cells = (v: Buffer | undefined) => {
  assert.ok(v);
  return Array.from({ length: v.length / 4 }, (_, i) => v.readUInt32BE(i * 4));
};
const strs = (v: Buffer | undefined) => {
  assert.ok(v);
  return v.toString('latin1').split('\0').slice(0, -1);
};

test('header: magic, version 17, block offsets and sizes consistent', () => {
  const b = Buffer.from(generateFdt(sampleBoard()));
  const { header, rsv } = parseDtb(b);
  assert.equal(header.magic, 0xd00dfeed);
  assert.equal(header.version, 17);
  assert.equal(header.last_comp_version, 16);
  assert.equal(header.totalsize, b.length);
  assert.equal(header.off_mem_rsvmap! % 8, 0);
  assert.equal(header.off_dt_struct! % 4, 0);
  assert.equal(header.off_dt_strings! + header.size_dt_strings!, b.length);
  assert.equal(header.boot_cpuid_phys, 0);
  assert.deepEqual(rsv, []);
});

test('structure: memory, cpus, devices, pci, cxl windows, chosen', () => {
  const { root } = parseDtb(Buffer.from(generateFdt(sampleBoard())));
  assert.deepEqual(cells(root.props.get('#address-cells')), [2]);
  assert.deepEqual(cells(find(root, 'memory@80000000').props.get('reg')), [0, 0x8000_0000, 0, 0x0800_0000]);
  const cpus = find(root, 'cpus');
  assert.deepEqual(cells(cpus.props.get('timebase-frequency')), [10_000_000]);
  const cpu = find(root, 'cpus/cpu@0');
  assert.deepEqual(strs(cpu.props.get('riscv,isa')), ['rv64imac_zicsr_zifencei_zicntr']);
  assert.deepEqual(strs(cpu.props.get('mmu-type')), ['riscv,sv39']);
  const intc = find(root, 'cpus/cpu@0/interrupt-controller');
  assert.ok(intc.props.has('interrupt-controller'));
  const intcPh = cells(intc.props.get('phandle'))[0];
  const plic = find(root, 'soc/plic@c000000');
  const plicPh = cells(plic.props.get('phandle'))[0];
  assert.deepEqual(cells(plic.props.get('interrupts-extended')), [intcPh, 11, intcPh, 9]);
  assert.deepEqual(cells(plic.props.get('reg')), [0, 0x0c00_0000, 0, 0x60_0000]);
  assert.deepEqual(cells(plic.props.get('riscv,ndev')), [95]);
  const clint = find(root, 'soc/clint@2000000');
  assert.deepEqual(cells(clint.props.get('interrupts-extended')), [intcPh, 3, intcPh, 7]);
  const uart = find(root, 'soc/serial@10000000');
  assert.deepEqual(cells(uart.props.get('interrupts')), [10]);
  assert.deepEqual(cells(uart.props.get('interrupt-parent')), [plicPh]);
  assert.deepEqual(strs(uart.props.get('compatible')), ['ns16550a']);
  const fin = find(root, 'soc/test@100000');
  assert.deepEqual(strs(fin.props.get('compatible')), ['sifive,test1', 'sifive,test0', 'syscon']);
  const finPh = cells(fin.props.get('phandle'))[0];
  assert.deepEqual(cells(find(root, 'poweroff').props.get('regmap')), [finPh]);
  assert.deepEqual(cells(find(root, 'poweroff').props.get('value')), [0x5555]);
  const pci = find(root, 'soc/pci@30000000');
  assert.deepEqual(strs(pci.props.get('compatible')), ['pci-host-ecam-generic']);
  assert.deepEqual(cells(pci.props.get('bus-range')), [0, 255]);
  assert.deepEqual(cells(pci.props.get('reg')), [0, 0x3000_0000, 0, 0x1000_0000]);
  assert.deepEqual(cells(pci.props.get('ranges')), [0x0200_0000, 0, 0x4000_0000, 0, 0x4000_0000, 0, 0x4000_0000]);
  const imap = cells(pci.props.get('interrupt-map'));
  assert.equal(imap.length, 16 * 6);
  assert.deepEqual(imap.slice(6, 12), [0, 0, 0, 2, plicPh, 33], 'slot 0 INTB -> 33');
  assert.deepEqual(imap.slice(6 * 7, 6 * 8), [1 << 11, 0, 0, 4, plicPh, 32], 'slot 1 INTD -> 32');
  const w1 = find(root, 'cxl-windows/window@200000000');
  assert.deepEqual(cells(w1.props.get('reg')), [2, 0, 0, 0x9000_0000]);
  assert.deepEqual(cells(w1.props.get('cxlemu,targets')), [0, 1]);
  assert.deepEqual(cells(w1.props.get('cxlemu,interleave-granularity')), [4096]);
  assert.deepEqual(strs(w1.props.get('cxlemu,interleave-arithmetic')), ['xor']);
  assert.equal(find(root, 'cxl-windows/window@100000000').props.has('cxlemu,interleave-arithmetic'), false, 'optional');
  const chosen = find(root, 'chosen');
  assert.deepEqual(strs(chosen.props.get('stdout-path')), ['/soc/serial@10000000']);
  assert.deepEqual(cells(chosen.props.get('cxlemu,acpi-rsdp')), [0, 0]);
});

test('/chosen/rng-seed carries the given bytes, and is absent when none are given', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
  const d = sampleBoard();
  const { root } = parseDtb(Buffer.from(generateFdt({ ...d, chosen: { ...d.chosen, rngSeed: seed } })));
  assert.deepEqual([...find(root, 'chosen').props.get('rng-seed')!], [...seed]);
  assert.equal(find(parseDtb(Buffer.from(generateFdt(d))).root, 'chosen').props.has('rng-seed'), false);
});

test('same description, same bytes; no CXL windows means no /cxl-windows node', () => {
  assert.deepEqual(generateFdt(sampleBoard()), generateFdt(sampleBoard()));
  const { root } = parseDtb(Buffer.from(generateFdt(sampleBoard(false))));
  assert.equal(
    root.children.find((c) => c.name === 'cxl-windows'),
    undefined,
  );
});

test('placement: 2 MiB aligned below the top of RAM, as QEMU', () => {
  assert.equal(fdtAddress({ base: 0x8000_0000, size: 128 * 2 ** 20 }, 0x1000), 0x87e0_0000);
  assert.equal(fdtAddress({ base: 0x8000_0000, size: 4 * 2 ** 30 }, 0x1000), 0xbfe0_0000, 'capped at 3 GiB');
  assert.equal(fdtAddress({ base: 0x8010_0000, size: 0x10_0000 }, 0x1001), 0x801f_eff8, 'small RAM: 8-byte aligned');
  assert.equal(fdtAddress({ base: 0x8000_0000, size: 0x100 }, 0x1000), undefined);
});

const DTC = '/usr/bin/dtc';
const haveDtc = existsSync(DTC) || spawnSync('dtc', ['--version']).status === 0;
const dtcCmd = existsSync(DTC) ? DTC : 'dtc';

for (const withCxl of [true, false]) {
  test(`dtc decompiles without warnings and recompiles to the same bytes (cxl windows: ${withCxl})`, (t) => {
    if (!haveDtc) {
      t.skip('dtc not installed (apt-get install device-tree-compiler): skipping the dtc oracle');
      console.log('# SKIP: dtc not found; the device tree was not checked by dtc');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cxlemu-fdt-'));
    try {
      const dtb = generateFdt(sampleBoard(withCxl));
      writeFileSync(join(dir, 'a.dtb'), dtb);
      const dec = spawnSync(dtcCmd, ['-I', 'dtb', '-O', 'dts', '-o', join(dir, 'a.dts'), join(dir, 'a.dtb')], {
        encoding: 'utf8',
      });
      assert.equal(dec.status, 0, dec.stderr);
      assert.equal(dec.stderr, '', 'dtc printed warnings');
      const dts = readFileSync(join(dir, 'a.dts'), 'utf8');
      assert.match(dts, /riscv,isa = "rv64imac_zicsr_zifencei_zicntr"/);
      // Decompiled DTS carries phandles as plain numbers, which dtc's interrupts-extended check
      // flags on recompile (it wants &label references); that check is about the source text.
      const rec = spawnSync(
        dtcCmd,
        [
          '-W',
          'no-interrupts_extended_property',
          '-I',
          'dts',
          '-O',
          'dtb',
          '-o',
          join(dir, 'b.dtb'),
          join(dir, 'a.dts'),
        ],
        { encoding: 'utf8' },
      );
      assert.equal(rec.status, 0, rec.stderr);
      assert.equal(rec.stderr, '', 'dtc printed warnings on recompile');
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'b.dtb'))), dtb);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
