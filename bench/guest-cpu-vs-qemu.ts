// cxlemu's CPU against qemu-system-riscv64 on the same ELF in the same run: the integer
// benchmark (guests/bin/bench.elf by default; --small for bench-small.elf) runs on QEMU (TCG) and
// on cxlemu via runProgram (src/machine/board.ts). Prints JSON with both timings, MIPS, the ratio
// and whether the checksums match (compare checksums, not instret: QEMU without -icount counts
// host ticks). --cxl runs bench-cxl.elf (linked at 0x1_0000_0000): on cxlemu out of region R0 of
// the default machine (4-way, 256 B interleave), on QEMU from RAM with -m 8G.
// Usage: node dist/bench/guest-cpu-vs-qemu.js [--small] [--cxl] [--elf path]
import { join } from 'node:path';
import { GUEST_BIN, cxlemuUnavailableReason, loadRunProgram, runCxlemu } from '../test/diff/harness.js';
import { benchQemu, parseBenchLine } from './guest-qemu.js';

const args = process.argv.slice(2);
const elfArg = args.indexOf('--elf');
const cxl = args.includes('--cxl');
const elf =
  elfArg >= 0
    ? args[elfArg + 1]!
    : join(GUEST_BIN, `bench${args.includes('--small') ? '-small' : ''}${cxl ? '-cxl' : ''}.elf`);

const qemu = await benchQemu(elf, 3);
const runProgram = await loadRunProgram();
let cxlemu: Record<string, unknown> | null = null;
if (runProgram) {
  const r = await runCxlemu(elf, {
    maxInstructions: 20_000_000_000,
    defaultMachine: cxl || /-cxl[^/]*\.elf$/.test(elf),
  });
  if (r) {
    const p = parseBenchLine(r.uart);
    const mips = r.instret !== undefined && r.seconds > 0 ? r.instret / r.seconds / 1e6 : undefined;
    cxlemu = {
      exit: { kind: r.kind, code: r.code, message: r.message },
      seconds: r.seconds,
      instret: r.instret,
      mips,
      checksum: p?.checksum ?? null,
      ok: p?.ok ?? false,
    };
  }
}
const out = {
  bench: 'guest-cpu-vs-qemu',
  elf,
  qemu,
  cxlemu: cxlemu ?? { skipped: cxlemuUnavailableReason() },
  checksumsMatch: cxlemu ? cxlemu.checksum === qemu.checksum : null,
  cxlemuOverQemuMips: cxlemu && qemu.mips ? (cxlemu.mips as number) / qemu.mips : null,
};
console.log(JSON.stringify(out, null, 2));
if (cxlemu && !out.checksumsMatch) process.exitCode = 1;
