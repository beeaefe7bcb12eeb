// `cxlemu run --kernel driver.elf --audit --save state.json` then `cxlemu --machine state.json
// list`: the guest CXL driver (guests/bin/cxl-region-4way.elf) programs a 4-way region itself;
// the audit after it exits covers that region, and the saved state lists it again. Oracles: the
// audit (placement on device media) and the CLI's own JSON before/after the round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type CliIo } from '../../src/cli/main.js';
import { GUEST_BIN, REPO } from '../diff/harness.js';

const ELF = join(GUEST_BIN, 'cxl-region-4way.elf');
const MACHINE = join(REPO, 'guests', 'cxl-driver', 'machines', 'default-empty.json');

function io(): CliIo & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return { out: (s) => (out += s), err: (s) => (err += s), progress: false, outText: () => out, errText: () => err };
}

test('run --kernel --audit --save keeps guest-programmed decoders; --machine state list shows them', {
  skip: !existsSync(ELF) || !existsSync(MACHINE) ? 'guest driver ELF or fixture not built' : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-run-save-'));
  try {
    const state = join(dir, 'state.json');
    const a = io();
    const status = await main(
      ['--machine', MACHINE, 'run', '--kernel', ELF, '--uart-out', join(dir, 'uart.txt'), '--audit', '--save', state],
      a,
    );
    assert.equal(status, 0, a.errText());
    assert.match(a.outText(), /region0: 4-way 256 B.*: ok/);
    assert.match(a.outText(), /audit: every checked word is where the spec says/);
    const saved = JSON.parse(readFileSync(state, 'utf8')) as {
      state: { regions: unknown[]; decoders: { id: string }[] };
    };
    assert.deepEqual(saved.state.regions, []);
    assert.deepEqual(saved.state.decoders.map((c) => c.id).sort(), [
      'hb0',
      'hb1',
      'mem0',
      'mem1',
      'mem2',
      'mem3',
      'usp0',
    ]);
    const b = io();
    assert.equal(await main(['--machine', state, 'list', '-v'], b), 0, b.errText());
    const l = JSON.parse(b.outText()) as {
      regions: {
        region: string;
        resource: number;
        interleave_ways: number;
        origin: string;
        mappings: { memdev: string }[];
      }[];
    };
    assert.deepEqual(
      l.regions.map((r) => [r.region, r.resource, r.interleave_ways, r.origin]),
      [['region0', 0x1_0000_0000, 4, 'registers']],
    );
    assert.deepEqual(
      l.regions[0]!.mappings.map((x) => x.memdev),
      ['mem0', 'mem2', 'mem1', 'mem3'],
    );
    const c = io();
    assert.equal(await main(['--machine', state, 'audit'], c), 0, c.errText());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
