// `--observe` end to end: a guest with a known number of accesses runs on the default machine
// (region R0: 4-way, 256 B, positions mem0, mem2, mem1, mem3) and the end-of-run report gives exact
// counts per observed target and names the memdevs not observed; the access log has one line per
// access; a DMA copy driven by the guest is counted like any other access. Oracle: the programs
// below (assembled with riscv64-unknown-elf-as 2.40, -march=rv64imac_zicsr_zifencei, raw binaries
// at 0x8000_0000, source next to each) and hand-counted accesses; which device a granule reaches is
// the CXL layer's translation (checked elsewhere against the spec).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../src/machine/build.js';
import { defaultDescriptionInput } from '../../src/machine/default-machine.js';
import { runMachine, observationText, planObservation } from '../../src/machine/run.js';
import { ConfigError } from '../../src/machine/errors.js';
import { main, type CliIo } from '../../src/cli/main.js';

// loop100:
//     .globl _start
//   _start:
//     li t0, 0x100000000      # R0
//     li t1, 100
//     li t2, 0x1234
//   1: sd t2, 0(t0)           # 100 stores and 100 loads of 8 bytes over R0 bytes 0..799
//     ld t3, 0(t0)
//     addi t0, t0, 8
//     addi t1, t1, -1
//     bnez t1, 1b
//     li t0, 0x100000
//     li t1, 0x5555
//     sw t1, 0(t0)
//   2: j 2b
const LOOP100 = '9b02100082121303400685639b83432323b0720003be0200a1027d13e31a03feb702100015631b03535523a0620001a0';

// dmapass:
//     .globl _start
//   _start:
//     li t0, 0x10009000       # DMA engine
//     li t1, 0x80001000       # SRC = RAM
//     sd t1, 0(t0)
//     li t1, 0x100000000      # DST = R0
//     sd t1, 8(t0)
//     li t1, 4096
//     sw t1, 16(t0)           # LEN
//     li t1, 1
//     sw t1, 20(t0)           # GO
//     li t0, 0x100000
//     li t1, 0x5555
//     sw t1, 0(t0)
//   2: j 2b
const DMAPASS =
  'b7920010370308000523320323b062001b031000021323b46200056323a86200054323aa6200b702100015631b03535523a0620001a0';

const MACHINE_OPTS = { arenaBytes: 128 * 2 ** 20 };

function kernelFile(dir: string, hex: string): string {
  const f = join(dir, 'k.bin');
  writeFileSync(f, Buffer.from(hex, 'hex'));
  return f;
}

test('exact counts per memdev and range for a guest loop; memdevs not observed are named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-observe-'));
  const m = Machine.build(defaultDescriptionInput(), MACHINE_OPTS);
  try {
    const log = join(dir, 'access.log');
    const r = await runMachine(m, {
      kernel: kernelFile(dir, LOOP100),
      output: () => {},
      observe: ['mem0', 'mem3', '0x100000000+800', 'ram'],
      observeLog: log,
    });
    assert.equal(r.kind, 'program');
    if (r.kind !== 'program') return;
    assert.equal(r.status, 0);
    const o = r.observation!;
    const by = Object.fromEntries(o.observed.map((x) => [x.target, [x.reads, x.bytesRead, x.writes, x.bytesWritten]]));
    // Bytes 0..799 of R0: granules 0 (mem0), 1 (mem2), 2 (mem1), 3 (mem3, 32 bytes).
    assert.deepEqual(by['mem0'], [32, 256, 32, 256]);
    assert.deepEqual(by['mem3'], [4, 32, 4, 32]);
    assert.deepEqual(by['0x100000000+800'], [100, 800, 100, 800]);
    // Code runs from RAM: every fetch is an access, as the CPU makes it (never cached while observed).
    assert.ok(by['ram']![0]! > 100, 'instruction fetches from observed RAM are counted');
    assert.equal(by['ram']![2], 0, 'the guest never writes RAM');
    assert.deepEqual(o.notObserved, ['mem1', 'mem2']);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const cxlLines = lines.filter((l) => / 0x1000[0-9a-f]{5} /.test(l));
    // One line per access (piece), however many targets it counted in.
    assert.equal(cxlLines.length, 200);
    assert.equal(lines.length, 200 + by['ram']![0]!);
    assert.equal(cxlLines[0], 'w 0x100000000 8 mem0 0x0');
    assert.equal(cxlLines[1], 'r 0x100000000 8 mem0 0x0');
    assert.equal(cxlLines[64], 'w 0x100000100 8 mem2 0x0', 'granule 1: position 1 = mem2, DPA 0');
    const text = observationText(o);
    assert.match(text, /mem0: 32 reads \(256 B\), 32 writes \(256 B\)/);
    assert.match(text, /not observed: mem1, mem2/);
  } finally {
    m.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a guest-driven DMA copy is counted: source range read, destination memdev written per granule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-observe-dma-'));
  const m = Machine.build(defaultDescriptionInput(), MACHINE_OPTS);
  try {
    const r = await runMachine(m, {
      kernel: kernelFile(dir, DMAPASS),
      output: () => {},
      observe: ['0x80001000+4k', 'mem0', '0x10009000+0x1000'],
    });
    assert.ok(r.kind === 'program' && r.status === 0);
    if (r.kind !== 'program') return;
    const by = Object.fromEntries(
      r.observation!.observed.map((x) => [x.target, [x.reads, x.bytesRead, x.writes, x.bytesWritten]]),
    );
    assert.deepEqual(by['0x80001000+4k'], [1, 4096, 0, 0], 'one page-sized read of the source');
    assert.deepEqual(by['mem0'], [0, 0, 4, 1024], '4 KiB over 4-way 256 B: four granules on mem0');
    // Register accesses: two sd (8 bytes each, one access each) and two sw.
    assert.deepEqual(by['0x10009000+0x1000'], [0, 0, 4, 24]);
  } finally {
    m.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --observe targets are ConfigErrors naming the option and what is allowed', () => {
  const m = Machine.build(defaultDescriptionInput(), MACHINE_OPTS);
  assert.throws(
    () => planObservation(m, ['mem9']),
    (e: unknown) => e instanceof ConfigError && /--observe/.test(e.message) && /mem0=mem0/.test(e.message),
  );
  assert.throws(() => planObservation(m, ['0x10+0']), ConfigError);
  assert.equal(planObservation(m, ['R1', 'mem2', '0x80000000+4k']).requests.length, 3);
});

test('cxlemu run --observe prints the report (text and JSON)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-observe-cli-'));
  try {
    const k = kernelFile(dir, LOOP100);
    let out = '';
    let err = '';
    const io: CliIo = {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
      progress: false,
    };
    const status = await main(
      ['run', '--kernel', k, '--uart-out', join(dir, 'uart.txt'), '--observe', 'mem2', '--observe', 'R0'],
      io,
    );
    assert.equal(status, 0, err);
    assert.match(err, /mem2: 32 reads \(256 B\), 32 writes \(256 B\)/);
    assert.match(err, /R0: 100 reads \(800 B\), 100 writes \(800 B\)/);
    assert.match(err, /not observed: mem0, mem1, mem3/);
    out = '';
    err = '';
    const s2 = await main(
      ['--json', 'run', '--kernel', k, '--uart-out', join(dir, 'uart.txt'), '--observe', 'mem1'],
      io,
    );
    assert.equal(s2, 0, err);
    const j = JSON.parse(out) as {
      observation: { observed: { target: string; reads: number; writes: number }[]; notObserved: string[] };
    };
    assert.deepEqual(
      j.observation.observed.map((x) => [x.target, x.reads, x.writes]),
      [['mem1', 32, 32]],
    );
    assert.deepEqual(j.observation.notObserved, ['mem0', 'mem2', 'mem3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
