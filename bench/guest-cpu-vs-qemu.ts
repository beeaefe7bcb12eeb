// cxlemu's CPU against qemu-system-riscv64 on the same ELF in the same run: the integer
// benchmark (guests/bin/bench.elf by default; --small for bench-small.elf) runs on QEMU (TCG) and
// on cxlemu via runProgram (src/machine/board.ts). Prints JSON with both timings, MIPS, the ratio
// and whether the checksums match (compare checksums, not instret: QEMU without -icount counts
// host ticks). Usage: node dist/bench/guest-cpu-vs-qemu.js [--small] [--elf path]
import { join } from 'node:path';
import { GUEST_BIN, cxlemuUnavailableReason, loadRunProgram } from '../test/diff/harness.js';
import { benchQemu, parseBenchLine } from './guest-qemu.js';

const args = process.argv.slice(2);
const elfArg = args.indexOf('--elf');
const elf = elfArg >= 0 ? args[elfArg + 1]! : join(GUEST_BIN, args.includes('--small') ? 'bench-small.elf' : 'bench.elf');

const qemu = await benchQemu(elf, 3);
const runProgram = await loadRunProgram();
let cxlemu: Record<string, unknown> | null = null;
if (runProgram) {
  const chunks: Uint8Array[] = [];
  const r = await runProgram({ kernel: elf, output: (c: Uint8Array) => void chunks.push(Uint8Array.from(c)), maxInstructions: 20_000_000_000 });
  const uart = Buffer.concat(chunks).toString('latin1');
  const p = parseBenchLine(uart);
  cxlemu = { exit: r.exit, seconds: r.seconds, instret: r.instret, mips: r.mips, checksum: p?.checksum ?? null, ok: p?.ok ?? false };
}
const out = {
  bench: 'guest-cpu-vs-qemu',
  elf,
  qemu,
  cxlemu: cxlemu ?? { skipped: cxlemuUnavailableReason() },
  checksumsMatch: cxlemu ? cxlemu.checksum === qemu.checksum : null,
  cxlemuOverQemuMips: cxlemu ? (cxlemu.mips as number) / qemu.mips : null,
};
console.log(JSON.stringify(out, null, 2));
if (cxlemu && !out.checksumsMatch) process.exitCode = 1;
