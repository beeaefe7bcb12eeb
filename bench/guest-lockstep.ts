// Lock-step comparison of cxlemu with QEMU, instruction by instruction, to find where a
// differential mismatch starts. QEMU runs with `-singlestep -d cpu,nochain` (full register state
// before every instruction); cxlemu runs with runProgram's trace (pc, disassembly and the
// registers each instruction wrote). Both traces are aligned at the ELF entry (QEMU first runs its
// reset ROM at 0x1000) and compared pc by pc and register by register (x1..x31; registers neither
// side changed are not compared, so boot values such as a1 = DTB address may differ).
// Usage:
//   node dist/bench/guest-lockstep.js --seed N [--length L]   one random sequence (test/diff)
//   node dist/bench/guest-lockstep.js --elf path [--max N]      any RAM-linked ELF (QEMU's log
//                                                               grows by ~2 KB per instruction)
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { QEMU_CPU, buildRandomElf, cxlemuUnavailableReason, loadRunProgram } from '../test/diff/harness.js';
import { ABI_NAMES } from '../src/cpu/disasm.js';

const abiIndex = new Map<string, number>(ABI_NAMES.map((n, i) => [n, i]));
abiIndex.set('fp', 8);

interface QemuStep {
  pc: bigint;
  regs: bigint[];
}
interface EmuStep {
  pc: bigint;
  text: string;
  writes: Map<number, bigint>;
}

async function qemuTrace(elf: string, dir: string, max: number, entry: bigint): Promise<QemuStep[]> {
  const log = join(dir, 'qemu.log');
  spawnSync(
    'qemu-system-riscv64',
    [
      '-M',
      'virt',
      '-smp',
      '1',
      '-m',
      '128M',
      '-nographic',
      '-bios',
      'none',
      '-cpu',
      QEMU_CPU,
      '-monitor',
      'none',
      '-serial',
      'null',
      '-singlestep',
      '-d',
      'cpu,nochain',
      '-D',
      log,
      '-kernel',
      elf,
    ],
    { stdio: 'ignore', timeout: 600_000 },
  );
  const steps: QemuStep[] = [];
  let cur: QemuStep | null = null;
  let started = false;
  const rl = createInterface({ input: createReadStream(log) });
  for await (const line of rl) {
    const pcm = /^ pc\s+([0-9a-f]{16})/.exec(line);
    if (pcm) {
      const pc = BigInt('0x' + pcm[1]);
      if (!started && pc !== entry) {
        cur = null;
        continue;
      }
      started = true;
      if (steps.length >= max + 1) break;
      cur = { pc, regs: new Array<bigint>(32).fill(0n) };
      steps.push(cur);
      continue;
    }
    if (!cur) continue;
    for (const m of line.matchAll(/x(\d+)\/\w+\s+([0-9a-f]{16})/g)) cur.regs[Number(m[1])] = BigInt('0x' + m[2]);
  }
  return steps;
}

async function emuTrace(elf: string, max: number): Promise<EmuStep[] | null> {
  const runProgram = await loadRunProgram();
  if (!runProgram) return null;
  const steps: EmuStep[] = [];
  await runProgram({
    kernel: elf,
    output: () => {},
    maxInstructions: max + 1,
    trace: (line: string) => {
      const m = /^([0-9a-f]+)\s+(.*?)(?:\s+;\s+(.*))?$/.exec(line);
      if (!m) return;
      const writes = new Map<number, bigint>();
      for (const w of (m[3] ?? '').split(/\s+/)) {
        const kv = /^(\w+)=(0x[0-9a-f]+|-?\d+)$/.exec(w);
        if (!kv) continue;
        const idx = abiIndex.get(kv[1]!) ?? (/^x(\d+)$/.test(kv[1]!) ? Number(kv[1]!.slice(1)) : undefined);
        if (idx !== undefined) writes.set(idx, BigInt.asUintN(64, BigInt(kv[2]!)));
      }
      steps.push({ pc: BigInt('0x' + m[1]), text: m[2]!, writes });
    },
  });
  return steps;
}

const hex = (v: bigint) => '0x' + v.toString(16).padStart(16, '0');

export async function lockstep(elf: string, max: number): Promise<{ compared: number; divergence: string | null }> {
  const bytes = readFileSync(elf);
  const entry = bytes.readBigUInt64LE(24);
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-lockstep-'));
  try {
    const q = await qemuTrace(elf, dir, max, entry);
    const e = await emuTrace(elf, max);
    if (!e) throw new Error(`cxlemu is not available: ${cxlemuUnavailableReason()}`);
    const n = Math.min(q.length - 1, e.length);
    const context = (i: number) =>
      e
        .slice(Math.max(0, i - 8), i + 1)
        .map((s, k) => `    #${Math.max(0, i - 8) + k} ${hex(s.pc)}  ${s.text}`)
        .join('\n');
    // cxlemu's register file as the trace reveals it: reset values (all zero; a0 = hart id 0;
    // a1 = its DTB address, unknown here), then every write. Traces list changed registers only.
    const eRegs: (bigint | undefined)[] = new Array<bigint | undefined>(32).fill(0n);
    eRegs[11] = undefined;
    for (let i = 0; i < n; i++) {
      const qs = q[i]!;
      const qn = q[i + 1]!;
      const es = e[i]!;
      if (qs.pc !== es.pc)
        return {
          compared: i,
          divergence: `instruction #${i}: pc differs: qemu ${hex(qs.pc)}, cxlemu ${hex(es.pc)}\n${context(i)}`,
        };
      for (let r = 1; r < 32; r++) {
        const qChanged = qn.regs[r] !== qs.regs[r];
        const eWrote = es.writes.has(r);
        if (eWrote) eRegs[r] = es.writes.get(r)!;
        if (!qChanged && !eWrote) continue;
        const qv = qn.regs[r]!;
        const ev = eRegs[r];
        if (ev === undefined) continue;
        if (qv !== ev) {
          return {
            compared: i,
            divergence: `instruction #${i} at ${hex(es.pc)} (${es.text}): x${r}/${ABI_NAMES[r]} qemu ${hex(qv)}, cxlemu ${eWrote ? hex(ev) : 'not written'}\n${context(i)}`,
          };
        }
      }
    }
    return { compared: n, divergence: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (opt('--seed') === undefined && opt('--elf') === undefined) {
  console.error('usage: guest-lockstep --seed N [--length L] | --elf path [--max N]');
  process.exit(2);
}
const max = Number(opt('--max') ?? 2_000_000);
let elf = opt('--elf');
let tmp: string | undefined;
if (!elf) {
  tmp = mkdtempSync(join(tmpdir(), 'cxlemu-lockstep-elf-'));
  elf = buildRandomElf(tmp, 'seed', [Number(opt('--seed'))], Number(opt('--length') ?? 2000));
}
try {
  const r = await lockstep(elf, max);
  if (r.divergence) {
    console.log(`lockstep: ${r.compared} instructions identical, then\n  ${r.divergence}`);
    process.exitCode = 1;
  } else {
    console.log(`lockstep: ${r.compared} instructions identical (pc and x1..x31)`);
  }
} finally {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
