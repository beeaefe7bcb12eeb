// The CPU/memory boundary: the CPU learns everything about a physical page from
// AddressSpace.resolvePage (kind, flags, arena offset, a fine-interleaved page's chunk table) and
// never sees how a CXL window routes. Oracle: the source text of src/cpu (DESIGN's cpu row: memory
// only; routes are a memory/cxl concern).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cpuDir = resolve(here, '..', '..', '..', 'src', 'cpu');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('no src/cpu file touches window routing (router, RouteResult, WindowRouter)', () => {
  const files = sources(cpuDir);
  assert.ok(files.length > 5, `found the cpu sources in ${cpuDir}`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const word of ['router', 'RouteResult', 'WindowRouter', 'routerBase']) {
      assert.ok(!text.includes(word), `${f} mentions ${word}`);
    }
  }
});
