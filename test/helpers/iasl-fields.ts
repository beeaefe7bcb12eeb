// Debian's `iasl -d` (acpica-tools 20200925) as a field list: every "[offset size] Name : Value"
// line of its disassembly, in order, including tables and subtables it can only partly decode
// (unlike disassemble() in iasl.ts, which fails on them). Oracle for test/firmware/acpi-decode.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IASL } from './iasl.js';

export interface IaslField {
  offset: number;
  size: number;
  name: string;
  /** The value text up to the first space ("0000000080000000", "\"CXLEMU\""). */
  value: string;
  /** The whole value text ("0A 15 1E" for a SLIT row). */
  text: string;
}

const LINE = /^\[([0-9A-F]+)h\s+\d+\s+(\d+)\]\s+(.*?)\s+:\s+((\S+).*?)\s*$/;

export function iaslFields(name: string, bytes: Uint8Array): IaslField[] {
  assert.ok(IASL, 'iasl not found');
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-iasl-fields-'));
  try {
    writeFileSync(join(dir, `${name}.dat`), bytes);
    const r = spawnSync(IASL, ['-d', `${name}.dat`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const dsl = readdirSync(dir).find((f) => f.endsWith('.dsl'));
    assert.ok(dsl, `iasl wrote no .dsl:\n${r.stdout}\n${r.stderr}`);
    const out: IaslField[] = [];
    for (const line of readFileSync(join(dir, dsl), 'utf8').split('\n')) {
      const m = LINE.exec(line);
      if (m)
        out.push({ offset: Number.parseInt(m[1]!, 16), size: Number(m[2]), name: m[3]!, value: m[5]!, text: m[4]! });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The values iasl gives a field name, in table order, as numbers (iasl prints hex). */
export function iaslNumbers(fields: readonly IaslField[], name: string): bigint[] {
  return fields.filter((f) => f.name === name).map((f) => BigInt(`0x${f.value}`));
}
