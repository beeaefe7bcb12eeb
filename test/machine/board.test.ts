// The board running real guest code on the real hart: UART output, finisher pass/fail codes and
// host exit statuses, a CLINT timer interrupt at a deterministic instret, WFI woken by skipping
// time to mtimecmp, UART receive through PLIC claim/complete, hung-guest and instruction-limit
// exits, the boot registers (a0 = hart id, a1 = DTB), and a board built on an address space that
// already holds RAM and a CXL window. Oracle: the programs below (assembled with Debian's
// riscv64-unknown-elf-as 2.40, `-march=rv64imac_zicsr_zifencei`, linked at 0x8000_0000, source
// next to each) encode their expected behaviour in the finisher code. Checked once against
// qemu-system-riscv64 7.2 -M virt -bios none (GUEST-TOOLCHAIN.md CPU flags): same UART output and
// exit codes for hello, fail42, boot, wfi and echo; fail256 exits 0 on QEMU and 1 here by design;
// timer's count differs on QEMU because its mtime follows the host clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena, AddressSpace, BackingStore, type WindowRouter, type RouteResult } from '../../src/memory/index.js';
import { Hart } from '../../src/cpu/hart.js';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import {
  runProgram,
  runBoard,
  createBoard,
  hostExitStatus,
  boardOptionsForMachine,
  type RunProgramOptions,
} from '../../src/machine/board.js';
import { RAM_BASE } from '../../src/machine/board-map.js';

const P = {
  // hello:
  //     .globl _start
  //   _start:
  //     li t0, 0x10000000
  //     la t1, msg
  //   1: lbu t2, 0(t1)
  //     beqz t2, 2f
  //     sb t2, 0(t0)
  //     addi t1, t1, 1
  //     j 1b
  //   2: li t0, 0x100000
  //     li t1, 0x5555
  //     sw t1, 0(t0)
  //   3: j 3b
  //   msg: .asciz "hello\n"
  hello: 'b702001017030000130383028343030063860300238072000503cdbfb702100015631b03535523a0620001a068656c6c6f0a0000',
  // fail42:
  //     .globl _start
  //   _start:
  //     li t0, 0x100000
  //     li t1, (42 << 16) | 0x3333
  //     sw t1, 0(t0)
  //   1: j 1b
  fail42: 'b702100037332a001b03333323a0620001a0',
  // fail256:
  //     .globl _start
  //   _start:
  //     li t0, 0x100000
  //     li t1, (256 << 16) | 0x3333
  //     sw t1, 0(t0)
  //   1: j 1b
  fail256: 'b7021000373300011b03333323a0620001a0',
  // timer:
  //   # Timer interrupt: mtimecmp = mtime + 100; count loop iterations until the interrupt;
  //   # the handler fails with code = count (a deterministic number), so the exit code pins the instret.
  //     .globl _start
  //   _start:
  //     la t0, handler
  //     csrw mtvec, t0
  //     li t0, 0x200bff8
  //     ld t1, 0(t0)
  //     addi t1, t1, 100
  //     li t0, 0x2004000
  //     sd t1, 0(t0)
  //     li t0, 0x80
  //     csrs mie, t0
  //     csrsi mstatus, 8
  //     li a2, 0
  //   1: addi a2, a2, 1
  //     j 1b
  //     .align 2
  //   handler:
  //     csrr t0, mcause
  //     li t1, 0x8000000000000007
  //     bne t0, t1, bad
  //     slli a2, a2, 16
  //     li t1, 0x3333
  //     or a2, a2, t1
  //     li t0, 0x100000
  //     sw a2, 0(t0)
  //   bad:
  //     li t0, 0x100000
  //     li t1, (99 << 16) | 0x3333
  //     sw t1, 0(t0)
  //   2: j 2b
  timer:
    '970200009382420373905230b7c20002e13203b3020013034306b742000223b062009302000873a042307360043001460506fdbff32220341b03f0ff7e131d03639c620042060d631b03333333666600b702100023a0c200b7021000373363001b03333323a0620001a0',
  // wfi:
  //   # WFI with MTIE set but MIE clear: wakes when mtime reaches mtimecmp (far in the future),
  //   # without taking a trap; checks mtime >= target, then passes. Fails with 2 if woken early.
  //     .globl _start
  //   _start:
  //     li t0, 0x200bff8
  //     ld t1, 0(t0)
  //     li t2, 1000000
  //     add s0, t1, t2
  //     li t0, 0x2004000
  //     sd s0, 0(t0)
  //     li t0, 0x80
  //     csrs mie, t0
  //     wfi
  //     li t0, 0x200bff8
  //     ld t1, 0(t0)
  //     bltu t1, s0, early
  //     csrr t2, time
  //     bltu t2, s0, early
  //     li t0, 0x100000
  //     li t1, 0x5555
  //     sw t1, 0(t0)
  //   early:
  //     li t0, 0x100000
  //     li t1, (2 << 16) | 0x3333
  //     sw t1, 0(t0)
  //   1: j 1b
  wfi: 'b7c20002e13203b30200b7430f009b83032433047300b742000223b082009302000873a0423073005010b7c20002e13203b30200636d8300f32310c063e98300b702100015631b03535523a06200b7021000373302001b03333323a0620001a0',
  // echo:
  //   # UART receive through the PLIC: priority[10] = 1, enable source 10 for context 0, IER.RDI,
  //   # MEIE + MIE; sleep in WFI; the handler claims, echoes every received byte, completes, and
  //   # passes after a 'q'.
  //     .globl _start
  //   _start:
  //     la t0, handler
  //     csrw mtvec, t0
  //     li t0, 0x0c000000
  //     li t1, 1
  //     sw t1, 40(t0)          # priority[10]
  //     li t0, 0x0c002000
  //     li t1, 1 << 10
  //     sw t1, 0(t0)           # enable ctx 0
  //     li t0, 0x0c200000
  //     sw zero, 0(t0)         # threshold 0
  //     li t0, 0x10000000
  //     li t1, 1
  //     sb t1, 1(t0)           # IER = RDI
  //     li t0, 0x800
  //     csrs mie, t0
  //     csrsi mstatus, 8
  //   1: wfi
  //     j 1b
  //     .align 2
  //   handler:
  //     li t3, 0x0c200004
  //     lw t4, 0(t3)           # claim
  //     li t0, 0x10000000
  //   2: lbu t1, 5(t0)         # LSR
  //     andi t1, t1, 1
  //     beqz t1, 3f
  //     lbu t2, 0(t0)
  //     sb t2, 0(t0)           # echo
  //     li t5, 'q'
  //     beq t2, t5, done
  //     j 2b
  //   3: sw t4, 0(t3)          # complete
  //     mret
  //   done:
  //     li t0, 0x100000
  //     li t1, 0x5555
  //     sw t1, 0(t0)
  //   4: j 4b
  echo: '970200009382820473905230b702000c054323a46202b722000c1303004023a06200b702200c23a00200b70200100543a380620085629b82028073a042307360043073005010f5bf370e200c112e832e0e00b702001003c3520013731300630b030083c3020023807200130f10076387e301d5b72320de0173002030b702100015631b03535523a0620001a00000',
  // spin:
  //     .globl _start
  //   _start:
  //   1: addi a2, a2, 1
  //     j 1b
  spin: '0506fdbf',
  // hang:
  //     .globl _start
  //   _start:
  //   1: wfi
  //     j 1b
  hang: '73005010f5bf',
  // boot:
  //   # Boot state as QEMU leaves it: a0 = hart id 0, a1 = DTB address holding FDT magic (big-endian
  //   # d00dfeed, so a little-endian word load reads 0xedfe0dd0). Fails with 3 (a0) or 4 (magic).
  //     .globl _start
  //   _start:
  //     li t1, (3 << 16) | 0x3333
  //     bnez a0, fail
  //     lwu t0, 0(a1)
  //     li t2, 0xedfe0dd0
  //     li t1, (4 << 16) | 0x3333
  //     bne t0, t2, fail
  //     li t1, 0x5555
  //   fail:
  //     li t0, 0x100000
  //     sw t1, 0(t0)
  //   1: j 1b
  boot: '373303001b03333315e183e20500b7e30e008533b203938303dd373304001b0333336395720015631b035355b702100023a0620001a0',
  // hello.S linked with `ld -n -s -Ttext=0x80000000` (a real ELF for the --kernel path)
  helloElf:
    '7f454c460201010000000000000000000200f30001000000000000800000000040000000000000005001000000000000010000004000380002004000040003000300007004000000e400000000000000000000000000000000000000000000004700000000000000000000000000000001000000000000000100000005000000b00000000000000000000080000000000000008000000000340000000000000034000000000000000200000000000000b702001017030000130383028343030063860300238072000503cdbfb702100015631b03535523a0620001a068656c6c6f0a00004146000000726973637600013c0000000572763634693270315f6d3270305f613270315f633270305f7a696373723270305f7a6966656e6365693270305f7a6d6d756c31703000002e7368737472746162002e74657874002e72697363762e61747472696275746573000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000b0000000100000006000000000000000000008000000000b0000000000000003400000000000000000000000000000002000000000000000000000000000000110000000300007000000000000000000000000000000000e40000000000000047000000000000000000000000000000010000000000000000000000000000000100000003000000000000000000000000000000000000002b010000000000002300000000000000000000000000000001000000000000000000000000000000',
  // tdelta: mtime read twice around a 200-instruction loop; fails with code = the tick difference.
  //   _start:
  //     li t0, 0x200bff8
  //     ld t1, 0(t0)
  //     li a2, 100
  //   1: addi a2, a2, -1
  //     bnez a2, 1b
  //     ld t2, 0(t0)
  //     sub t2, t2, t1
  //     csrr t3, time
  //     csrr t4, time
  //     slli t2, t2, 16
  //     li t1, 0x3333
  //     or t2, t2, t1
  //     li t0, 0x100000
  //     sw t2, 0(t0)
  //   2: j 2b
  tdelta:
    'b7c20002e13203b30200130640067d167dfe83b30200b3836340732e10c0f32e10c0c2030d631b033333b3e36300b702100023a0720001a0',
} as const;

const bin = (name: keyof typeof P) => Uint8Array.from(Buffer.from(P[name], 'hex'));
const ARENA = 64 * 2 ** 20;

async function run(name: keyof typeof P, extra: Partial<RunProgramOptions> = {}) {
  const chunks: Uint8Array[] = [];
  const r = await runProgram({
    kernel: bin(name),
    arenaBytes: ARENA,
    ramSize: 16 * 2 ** 20,
    output: (c) => void chunks.push(c),
    maxInstructions: 50_000_000,
    ...extra,
  });
  return { ...r, out: Buffer.concat(chunks).toString('latin1') };
}

test('UART hello, finisher pass -> status 0', async () => {
  const r = await run('hello');
  assert.equal(r.out, 'hello\n');
  assert.deepEqual(r.exit, { kind: 'pass', code: 0 });
  assert.equal(r.status, 0);
  assert.ok(r.instret > 20 && r.instret < 100, `instret ${r.instret}`);
});

test('finisher fail codes: 42 -> 42; 256 -> 1 (low byte 0 never reads as success)', async () => {
  const a = await run('fail42');
  assert.deepEqual(a.exit, { kind: 'fail', code: 42 });
  assert.equal(a.status, 42);
  const b = await run('fail256');
  assert.deepEqual(b.exit, { kind: 'fail', code: 256 });
  assert.equal(b.status, 1);
});

test('host exit status mapping', () => {
  assert.equal(hostExitStatus({ kind: 'pass', code: 0 }), 0);
  assert.equal(hostExitStatus({ kind: 'fail', code: 3 }), 3);
  assert.equal(hostExitStatus({ kind: 'fail', code: 0x1ff }), 0xff);
  assert.equal(hostExitStatus({ kind: 'fail', code: 0 }), 1);
  assert.equal(hostExitStatus({ kind: 'fail', code: 0x300 }), 1);
  assert.equal(hostExitStatus({ kind: 'limit', code: 0 }), 124);
  assert.equal(hostExitStatus({ kind: 'error', code: 0 }), 70);
});

test('boot registers: a0 = 0, a1 = DTB address holding the FDT magic', async () => {
  const r = await run('boot');
  assert.deepEqual(r.exit, { kind: 'pass', code: 0 });
});

test('CLINT timer interrupt lands at the same instret every run (100 ticks = 1000 instructions)', async () => {
  const a = await run('timer');
  const b = await run('timer', { sliceInstructions: 7 });
  assert.equal(a.exit.kind, 'fail');
  assert.notEqual(a.exit.code, 99, 'mcause was not machine timer');
  assert.deepEqual(a.exit, b.exit, 'slice size does not change when the interrupt is taken');
  assert.equal(a.instret, b.instret);
  // Setup is 13 instructions; 100 ticks = instret 1000 at the earliest; the loop is 2 per count.
  assert.ok(a.exit.code >= 490 && a.exit.code <= 500, `count ${a.exit.code}`);
});

test('WFI with a far mtimecmp wakes deterministically without executing the wait', async () => {
  const r = await run('wfi');
  assert.deepEqual(r.exit, { kind: 'pass', code: 0 });
  assert.ok(r.instret < 100, `instret ${r.instret}: time was skipped, not executed`);
});

test('UART rx through PLIC claim/complete echoes stdin until q', async () => {
  const input = Readable.from([Buffer.from('ab'), Buffer.from('cq')]);
  const r = await run('echo', { input });
  assert.equal(r.out, 'abcq');
  assert.deepEqual(r.exit, { kind: 'pass', code: 0 });
});

test('a guest stuck in WFI with no timer and no input ends as limit (124) with a message', async () => {
  const r = await run('hang');
  assert.equal(r.exit.kind, 'limit');
  assert.equal(r.status, 124);
  assert.match(r.exit.message ?? '', /hung: waiting in WFI \(resume pc 0x80000004\) with no timer that can wake it/);
});

test('--max-instructions stops exactly there with limit (124)', async () => {
  const r = await run('spin', { maxInstructions: 12_345, sliceInstructions: 1000 });
  assert.equal(r.exit.kind, 'limit');
  assert.equal(r.status, 124);
  assert.equal(r.instret, 12_345);
  assert.match(r.exit.message ?? '', /12345 instructions/);
});

test('a wall-clock timeout ends a spinning guest as limit (124); it also bounds a wait for input', async () => {
  const r = await run('spin', { maxInstructions: undefined, timeoutSeconds: 0.05, sliceInstructions: 10_000 });
  assert.equal(r.exit.kind, 'limit');
  assert.equal(r.status, 124);
  assert.match(r.exit.message ?? '', /timed out after 0\.05 s \(--timeout\)/);
  const never = new Readable({ read() {} });
  const w = await run('hang', { input: never, timeoutSeconds: 0.05 });
  assert.match(w.exit.message ?? '', /timed out/);
  never.destroy();
});

test('ELF kernel from a file, UART output to a file, --trace to a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-board-'));
  try {
    const elf = join(dir, 'hello.elf');
    writeFileSync(elf, Buffer.from(P.helloElf, 'hex'));
    const r = await runProgram({
      kernel: elf,
      arenaBytes: ARENA,
      ramSize: 16 * 2 ** 20,
      output: join(dir, 'uart.txt'),
      traceFile: join(dir, 'trace.txt'),
    });
    assert.equal(r.status, 0);
    assert.equal(readFileSync(join(dir, 'uart.txt'), 'latin1'), 'hello\n');
    const lines = readFileSync(join(dir, 'trace.txt'), 'utf8').trim().split('\n');
    assert.equal(lines.length, r.instret);
    assert.match(lines[0]!, /^0000000080000000 {2}lui\s+t0.* {2}; t0=0x10000000$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('board on an address space that already holds RAM and a CXL window; code runs from CXL', async () => {
  const arena = new Arena({ bytes: ARENA });
  const space = new AddressSpace(arena);
  const ram = new BackingStore(arena, { name: 'ram', size: 8 * 2 ** 20, sizedBy: '-m' });
  const media = new BackingStore(arena, { name: 'mem0', size: 2 ** 20 });
  const WIN = 0x1_0000_0000;
  const router: WindowRouter = {
    resolve(hpa: number, out: RouteResult) {
      out.store = media;
      out.offset = hpa - WIN;
      out.run = media.size - out.offset;
      return out.offset < media.size;
    },
  };
  space.begin();
  space.ram('ram', RAM_BASE, ram);
  space.window('cfmw0', WIN, 0x1000_0000, router);
  space.commit();
  const out: number[] = [];
  const board = createBoard({
    arena,
    addressSpace: space,
    ram: { size: ram.size, mapped: true },
    cxlWindows: [
      {
        name: 'cfmw0',
        base: WIN,
        size: 0x1000_0000,
        interleaveWays: 1,
        interleaveGranularity: 256,
        arithmetic: 'modulo',
        targets: [0],
        restrictions: ['volatile'],
      },
    ],
    uartSink: (b) => out.push(b),
  });
  // hello.bin is position independent (la = auipc + addi): run it from the window.
  board.loadKernel(bin('hello'), { rawAddress: WIN });
  assert.equal(board.hart.pc, WIN);
  const r = await runBoard(board, { maxInstructions: 10_000 });
  assert.equal(Buffer.from(out).toString(), 'hello\n');
  assert.equal(r.exit.kind, 'pass');
  const first = new Uint8Array(4);
  media.read(0, first);
  assert.deepEqual(first, bin('hello').subarray(0, 4), 'the code sits in the device store');
  assert.equal(board.fdtAddress, RAM_BASE + 8 * 2 ** 20 - 2 * 2 ** 20);
  const dtb = new Uint8Array(board.fdt.length);
  assert.equal(space.readBytes(board.fdtAddress, dtb), 0);
  assert.deepEqual(dtb, board.fdt, 'the DTB in guest RAM is the generated one');
});

test('an exception from our code while running is exit error (70) with a message', async () => {
  const r = await run('hello', {
    hartFactory: (o) => {
      const h = new Hart(o);
      h.run = () => {
        throw new Error('boom in the interpreter');
      };
      return h;
    },
  });
  assert.equal(r.exit.kind, 'error');
  assert.equal(r.status, 70);
  assert.match(r.exit.message ?? '', /internal error after 0 instructions: Error: boom in the interpreter/);
});

test('RAM too small for the device tree and bad options are refused by name', async () => {
  await assert.rejects(
    run('hello', { ramSize: 2048 }),
    /RAM of 2048 bytes is too small for the \d+-byte device tree \(-m\)/,
  );
  await assert.rejects(run('hello', { maxInstructions: -1 }), /--max-instructions must be a non-negative integer/);
});

test('mtime read by the guest advances 1 tick per 10 instructions inside one slice', async () => {
  const r = await run('tdelta');
  // 200 loop instructions + 2 between the reads: 20 ticks.
  assert.deepEqual(r.exit, { kind: 'fail', code: 20 });
});

test('realtime mode: WFI waits on the host clock for mtimecmp (100 ms of guest time)', async () => {
  const t0 = performance.now();
  const r = await run('wfi', { realtime: true });
  assert.deepEqual(r.exit, { kind: 'pass', code: 0 });
  assert.ok(performance.now() - t0 >= 90, 'waited about 100 ms of host time');
});

const guestBin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'guests', 'bin');

test('default machine (src/machine/build.ts): guests/bin/hello-cxl.elf runs out of CXL region R0', async (t) => {
  const elf = join(guestBin, 'hello-cxl.elf');
  if (!existsSync(elf)) {
    t.skip(`missing ${elf}`);
    return;
  }
  const m = Machine.build(defaultDescriptionInput(), { arenaBytes: 128 * 2 ** 20 });
  const opts = boardOptionsForMachine(m);
  assert.deepEqual(
    opts.cxlWindows!.map((w) => [w.name, w.interleaveWays, w.arithmetic]),
    [
      ['W0', 2, 'modulo'],
      ['W1', 2, 'xor'],
    ],
  );
  const chunks: Uint8Array[] = [];
  const r = await runProgram({
    kernel: elf,
    machine: opts,
    maxInstructions: 10_000_000,
    output: (c) => void chunks.push(c),
  });
  assert.equal(r.exit.kind, 'pass');
  assert.match(Buffer.concat(chunks).toString(), /running at 0x00000001/, 'the program counter is in the CXL window');
});

test('--timeout stops a slow, endless guest promptly; the pc prints unsigned', async () => {
  const { runProgram } = await import('../../src/machine/board.js');
  // An endless loop (addi a2, a2, 1; j 1b) run under --trace, which keeps it slow.
  const r = await runProgram({
    kernel: Buffer.from('0506fdbf', 'hex'),
    timeoutSeconds: 1,
    output: () => {},
    trace: () => {},
  });
  assert.equal(r.exit.kind, 'limit');
  assert.match(r.exit.message ?? '', /timed out after 1 s \(--timeout\) at pc 0x8000000[02],/);
  // Slices are sized from the guest's speed (about 20 ms each): well inside 100 ms of the deadline
  // on an idle machine; the bound here leaves room for a loaded CI host.
  assert.ok(r.seconds < 1.5, `stopped after ${r.seconds} s`);
});

test('a trap loop (entry point and trap vector unmapped) stops with the pc and the cause, exit 124', async () => {
  const { runProgram } = await import('../../src/machine/board.js');
  // Raw zeros at the RAM base: illegal instruction -> mtvec 0 (unmapped) -> fetch fault forever.
  const r = await runProgram({ kernel: new Uint8Array(64), output: () => {} });
  assert.equal(r.exit.kind, 'limit');
  assert.equal(r.status, 124);
  assert.match(
    r.exit.message ?? '',
    /^guest stuck in a trap loop at pc 0x0: \d+ instructions attempted, none retired \(mcause 0x1 instruction access fault, mtval 0x0, mtvec 0x0\)$/,
  );
  assert.equal(r.instret, 0, 'nothing retires: the illegal instruction traps, then every fetch faults');
});
