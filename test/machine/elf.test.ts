// ELF64 loader: segments land at p_paddr in RAM and in CXL windows, bss is zero filled, and every
// malformed file gets an error naming the problem. Oracle: the ELF64 / RISC-V psABI header layout
// (e_ident, EM_RISCV = 243, ET_EXEC, 56-byte program headers), built here byte by byte, and the
// committed guests/bin/hello.elf cross-checked with a separate header walk in this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena, AddressSpace, BackingStore, type WindowRouter, type RouteResult } from '../../src/memory/index.js';
import { loadElf, loadRaw, parseElf, isElf, ElfLoadError } from '../../src/machine/elf.js';

interface Seg {
  type?: number;
  paddr: number;
  data: Uint8Array;
  memsz?: number;
}
interface ElfOpts {
  class?: number;
  data?: number;
  version?: number;
  type?: number;
  machine?: number;
  entry?: number;
  phentsize?: number;
}

/** Build a minimal ELF64 LE file: header, program headers, then segment data. */
function makeElf(segs: Seg[], o: ElfOpts = {}): Uint8Array {
  const phoff = 64;
  let dataOff = phoff + 56 * segs.length;
  const total = dataOff + segs.reduce((a, s) => a + s.data.length, 0);
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, o.class ?? 2, o.data ?? 1, o.version ?? 1]);
  dv.setUint16(16, o.type ?? 2, true);
  dv.setUint16(18, o.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(o.entry ?? segs[0]?.paddr ?? 0), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, o.phentsize ?? 56, true);
  dv.setUint16(56, segs.length, true);
  segs.forEach((s, i) => {
    const p = phoff + 56 * i;
    dv.setUint32(p, s.type ?? 1, true);
    dv.setUint32(p + 4, 5, true);
    dv.setBigUint64(p + 8, BigInt(dataOff), true);
    dv.setBigUint64(p + 16, BigInt(s.paddr), true);
    dv.setBigUint64(p + 24, BigInt(s.paddr), true);
    dv.setBigUint64(p + 32, BigInt(s.data.length), true);
    dv.setBigUint64(p + 40, BigInt(s.memsz ?? s.data.length), true);
    b.set(s.data, dataOff);
    dataOff += s.data.length;
  });
  return b;
}

const RAM = 0x8000_0000;
const WIN = 0x1_0000_0000;

/** RAM at 0x8000_0000 (1 MiB), a UART-ish MMIO page, and a 2 MiB CXL window whose upper half is unrouted. */
function machine() {
  const arena = new Arena({ bytes: 16 * 2 ** 20 });
  const space = new AddressSpace(arena);
  const ram = new BackingStore(arena, { name: 'ram', size: 2 ** 20, sizedBy: '-m' });
  const dev = new BackingStore(arena, { name: 'mem0', size: 2 ** 20 });
  const router: WindowRouter = {
    resolve(hpa: number, out: RouteResult): boolean {
      const off = hpa - WIN;
      if (off >= 2 ** 20) return false;
      out.store = dev;
      out.offset = off;
      out.run = 2 ** 20 - off;
      return true;
    },
  };
  space.begin();
  space.ram('ram', RAM, ram);
  space.mmio('uart0', 0x1000_0000, 0x100, {
    valid: { min: 1, max: 8 },
    impl: { min: 1, max: 1 },
    read: () => 0,
    write: () => {},
  });
  space.window('cfmw0', WIN, 2 * 2 ** 20, router);
  space.commit();
  return { space, ram, dev };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

test('segments load at p_paddr into RAM and a committed CXL region; bss is zeroed; entry returned', () => {
  const { space, ram, dev } = machine();
  ram.fill(0x1000, 0x100, 0xaa);
  const text = bytes(300);
  const cxl = bytes(5000, 3);
  const img = loadElf(
    makeElf(
      [
        { paddr: RAM, data: text, memsz: 0x1100 },
        { paddr: WIN + 0x10, data: cxl },
      ],
      { entry: RAM + 4 },
    ),
    space,
  );
  assert.equal(img.entry, RAM + 4);
  assert.equal(img.segments.length, 2);
  const got = new Uint8Array(300);
  ram.read(0, got);
  assert.deepEqual(got, text);
  const bss = new Uint8Array(0x1100 - 300);
  ram.read(300, bss);
  assert.ok(
    bss.every((x) => x === 0),
    'bss zero filled over earlier 0xaa bytes',
  );
  const back = new Uint8Array(5000);
  dev.read(0x10, back);
  assert.deepEqual(back, cxl);
  assert.equal(img.low, RAM);
  assert.equal(img.high, WIN + 0x10 + 5000);
});

test('raw binary at an address', () => {
  const { space, ram } = machine();
  const img = loadRaw(bytes(64), RAM + 0x200, space);
  assert.equal(img.entry, RAM + 0x200);
  const got = new Uint8Array(64);
  ram.read(0x200, got);
  assert.deepEqual(got, bytes(64));
  assert.throws(() => loadRaw(new Uint8Array(0), RAM, space), /empty/);
});

function rejects(file: Uint8Array, re: RegExp) {
  const { space } = machine();
  assert.throws(
    () => loadElf(file, space, 'prog.elf'),
    (e: unknown) => {
      assert.ok(e instanceof ElfLoadError, String(e));
      assert.match(e.message, /^prog\.elf: /);
      assert.match(e.message, re);
      return true;
    },
  );
}

test('malformed headers are named', () => {
  const ok = makeElf([{ paddr: RAM, data: bytes(16) }]);
  rejects(Uint8Array.from([1, 2, 3]), /bad magic/);
  rejects(ok.slice(0, 40), /truncated ELF header.*40 bytes/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { class: 1 }), /EI_CLASS is 1 \(ELF32\)/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { data: 2 }), /EI_DATA is 2 \(big-endian\)/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { version: 0 }), /EI_VERSION/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { machine: 62 }), /e_machine is 62; must be 243 \(EM_RISCV\)/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { type: 3 }), /e_type is 3 ET_DYN/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { type: 1 }), /ET_REL/);
  rejects(makeElf([{ paddr: RAM, data: bytes(16) }], { phentsize: 32 }), /e_phentsize is 32/);
  rejects(makeElf([]), /no program headers/);
  rejects(makeElf([{ type: 4, paddr: RAM, data: bytes(16) }]), /no PT_LOAD segment/);
});

test('truncated files and impossible segments are named', () => {
  const f = makeElf([{ paddr: RAM, data: bytes(100) }]);
  rejects(f.slice(0, 150), /truncated: segment 0 \(PT_LOAD\) needs file bytes 0x78\.\.0xdc/);
  rejects(f.slice(0, 100), /truncated: the program header table/);
  const bad = makeElf([{ paddr: RAM, data: bytes(16), memsz: 8 }]);
  rejects(bad, /p_filesz 0x10 is larger than p_memsz 0x8/);
  const huge = makeElf([{ paddr: RAM, data: bytes(8) }]);
  new DataView(huge.buffer).setBigUint64(64 + 24, 2n ** 60n, true);
  rejects(huge, /p_paddr = 0x1000000000000000 is too large/);
});

test('overlapping PT_LOAD segments and odd or unloaded entry points are refused by name (they loaded silently)', () => {
  rejects(
    makeElf([
      { paddr: RAM, data: bytes(64) },
      { paddr: RAM + 32, data: bytes(64) },
    ]),
    /segment 1 \(PT_LOAD, p_paddr 0x80000020\.\.0x80000060\) overlaps segment 0 \(p_paddr 0x80000000\.\.0x80000040\)/,
  );
  rejects(makeElf([{ paddr: RAM, data: bytes(64) }], { entry: RAM + 3 }), /e_entry 0x80000003 is odd/);
  rejects(
    makeElf([{ paddr: RAM, data: bytes(64) }], { entry: RAM + 0x1000 }),
    /e_entry 0x80001000 lies outside every PT_LOAD segment/,
  );
  // Adjacent segments and an entry in the second one are fine.
  assert.doesNotThrow(() =>
    parseElf(
      makeElf(
        [
          { paddr: RAM, data: bytes(64) },
          { paddr: RAM + 64, data: bytes(64) },
        ],
        { entry: RAM + 66 },
      ),
    ),
  );
});

test('segments outside memory are named with the address and why', () => {
  rejects(
    makeElf([{ paddr: 0x2000_0000, data: bytes(16) }]),
    /segment 0 \(PT_LOAD, p_paddr 0x20000000, p_memsz 0x10\): no memory at 0x20000000/,
  );
  rejects(makeElf([{ paddr: RAM + 2 ** 20 - 8, data: bytes(16) }]), /no memory at 0x80100000/);
  rejects(makeElf([{ paddr: 0x1000_0000, data: bytes(16) }]), /0x10000000 is device registers \(uart0\)/);
  rejects(
    makeElf([{ paddr: WIN + 2 ** 20, data: bytes(16) }]),
    /lies in CXL window cfmw0, but no committed region decodes/,
  );
  rejects(makeElf([{ paddr: RAM, data: bytes(16), memsz: 2 ** 21 }]), /zero fill: no memory at 0x80100000/);
});

const here = dirname(fileURLToPath(import.meta.url));
const hello = resolve(here, '..', '..', '..', 'guests', 'bin', 'hello.elf');

test('the committed guests/bin/hello.elf loads: PT_LOAD bytes land where its headers say', (t) => {
  if (!existsSync(hello)) {
    t.skip(`missing ${hello}`);
    return;
  }
  const file = new Uint8Array(readFileSync(hello));
  assert.ok(isElf(file));
  const { space } = machine();
  const img = loadElf(file, space, hello);
  // Independent walk of the program headers.
  const dv = new DataView(file.buffer, file.byteOffset);
  const phoff = Number(dv.getBigUint64(32, true));
  const phnum = dv.getUint16(56, true);
  let checked = 0;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + 56 * i;
    if (dv.getUint32(p, true) !== 1) continue;
    const off = Number(dv.getBigUint64(p + 8, true));
    const pa = Number(dv.getBigUint64(p + 24, true));
    const fsz = Number(dv.getBigUint64(p + 32, true));
    if (fsz === 0) continue;
    const got = new Uint8Array(fsz);
    assert.equal(space.readBytes(pa, got), 0);
    assert.deepEqual(got, file.subarray(off, off + fsz));
    checked++;
  }
  assert.ok(checked >= 1);
  assert.equal(img.entry, Number(dv.getBigUint64(24, true)));
  assert.equal(parseElf(file).entry, img.entry);
});
