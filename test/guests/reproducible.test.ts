// The guest ELFs committed under guests/bin are exactly what `make -C guests` builds: rebuild them
// into a temporary directory with the cross compiler and compare bytes. Also checks that the
// generated ALU test vectors match their generator. Oracle: the committed files themselves.
// Skips (visibly) when riscv64-unknown-elf-gcc is not installed; CI installs it (.ci/apt-packages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUESTS, GUEST_BIN, HAVE_CROSS } from '../diff/harness.js';

test('generated ALU vectors match gen-alu-vectors.mjs', () => {
  const fresh = execFileSync(process.execPath, [join(GUESTS, 'isa', 'gen-alu-vectors.mjs')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const committed = readFileSync(join(GUESTS, 'isa', 'alu-vectors.h'), 'utf8');
  assert.ok(
    fresh === committed,
    'guests/isa/alu-vectors.h is stale: node guests/isa/gen-alu-vectors.mjs > guests/isa/alu-vectors.h',
  );
});

test('guests/bin ELFs rebuild byte for byte', { timeout: 300_000 }, (t) => {
  if (!HAVE_CROSS) {
    t.skip(
      'SKIPPED: riscv64-unknown-elf-gcc (or make) not installed; CI installs gcc-riscv64-unknown-elf from .ci/apt-packages',
    );
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'cxlemu-guests-'));
  try {
    execFileSync('make', ['-s', '-j2', '-C', GUESTS, `OUT=${out}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const committed = readdirSync(GUEST_BIN)
      .filter((f) => f.endsWith('.elf'))
      .sort();
    const built = readdirSync(out)
      .filter((f) => f.endsWith('.elf'))
      .sort();
    assert.deepEqual(committed, built, 'the committed ELFs are exactly the ones make builds');
    const differ = built.filter((f) => !readFileSync(join(out, f)).equals(readFileSync(join(GUEST_BIN, f))));
    assert.deepEqual(
      differ,
      [],
      `rebuilt ELFs differ from guests/bin (run make -C guests and commit): ${differ.join(', ')}`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
