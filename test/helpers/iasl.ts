// Debian's ACPICA disassembler (`iasl -d`, acpica-tools 20200925 in Debian 12) as a test oracle:
// where it is, and a disassembly that fails on any error, warning or structure iasl marks as one
// it could not parse.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const IASL = ['/usr/bin/iasl', 'iasl'].find((c) => spawnSync(c, ['-v'], { encoding: 'utf8' }).status === 0);

/** Disassembles `bytes` as `name`.dat; the .dsl text, after checking iasl reported no problem. */
export function disassemble(name: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-iasl-'));
  try {
    writeFileSync(join(dir, `${name}.dat`), bytes);
    const r = spawnSync(IASL!, ['-d', `${name}.dat`], { cwd: dir, encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.doesNotMatch(out, /error|warning|unknown/i, out);
    const dslName = readdirSync(dir).find((f) => f.endsWith('.dsl'));
    assert.ok(dslName, `no .dsl written:\n${out}`);
    const dsl = readFileSync(join(dir, dslName), 'utf8');
    // iasl marks structures it cannot parse with "****" lines and "Unknown" subtable types.
    assert.doesNotMatch(dsl, /\*\*\*\*|Unknown|Invalid/, dsl);
    assert.match(dsl, new RegExp(`Signature : "${name}"`));
    return dsl;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
