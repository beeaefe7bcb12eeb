// Reading decoded table trees (src/cxl-math/table-tree.ts) in tests: find nodes by label, take the
// number a value starts with, list error nodes, and run the robustness checks every decoder must
// pass (every truncation and random byte flips decode without throwing). Any engineer may import it.
import assert from 'node:assert/strict';
import { type TableTree, treeErrors } from '../../src/cxl-math/table-tree.js';
import { Prng } from './prng.js';

/** The children of `t` labelled `label` (or whose label starts with it, when `prefix`). */
export function all(t: TableTree, label: string, prefix = false): TableTree[] {
  return (t.children ?? []).filter((c) => (prefix ? c.label.startsWith(label) : c.label === label));
}

/** The one child of `t` at the label path, failing the test when it is missing. */
export function at(t: TableTree, ...path: string[]): TableTree {
  let n = t;
  for (const label of path) {
    const found = (n.children ?? []).find((c) => c.label === label);
    assert.ok(found, `no '${label}' under '${n.label}' (has: ${(n.children ?? []).map((c) => c.label).join(', ')})`);
    n = found;
  }
  return n;
}

/** The value at the label path. */
export function value(t: TableTree, ...path: string[]): string {
  const v = at(t, ...path).value;
  assert.ok(v !== undefined, `'${path.join(' / ')}' has no value`);
  return v;
}

/** The number a value starts with ("0x1F40 (…)" -> 8000n, "16 (0x10)" -> 16n). */
export function num(v: string): bigint {
  const m = /^(0x[0-9A-Fa-f]+|\d+)/.exec(v);
  assert.ok(m, `'${v}' does not start with a number`);
  return BigInt(m[1]!);
}

/** The amount after "=" in an entry with its base unit applied ("15000 × 10 = 150000 ps" -> 150000). */
export function applied(v: string): number {
  const m = /= (\d+)/.exec(v);
  assert.ok(m, `'${v}' has no applied value`);
  return Number(m[1]);
}

/** Every error node's message below `t`. */
export const errorsIn = treeErrors;

/** Nodes and total text size, to see that garbage never grows a tree beyond its bytes. */
function treeSize(t: TableTree): number {
  return 1 + (t.children ?? []).reduce((a, c) => a + treeSize(c), 0);
}

/**
 * The robustness rules for a decoder on one table: every strict prefix decodes without throwing and
 * reports an error; a prefix decoded through a view into the full buffer reads nothing past the
 * view (it decodes exactly as a copy does); `flips` random multi-byte corruptions (seeded) and
 * random-length garbage decode without throwing and stay small.
 */
export function checkRobust(name: string, bytes: Uint8Array, decode: (b: Uint8Array) => TableTree, flips = 300): void {
  for (let n = 0; n < bytes.length; n++) {
    const view = bytes.subarray(0, n);
    const tree = decode(view);
    assert.ok(errorsIn(tree).length > 0, `${name} truncated to ${n} bytes shows no error`);
    assert.deepEqual(tree, decode(bytes.slice(0, n)), `${name} truncated to ${n}: a view decodes unlike a copy`);
  }
  const seed = bytes.length * 7919 + name.length;
  const rng = new Prng(seed);
  for (let i = 0; i < flips; i++) {
    const b = bytes.slice();
    const k = 1 + rng.below(8);
    for (let j = 0; j < k; j++) b[rng.below(b.length)] = rng.below(256);
    const tree = decode(b);
    assert.ok(treeSize(tree) <= 64 + 4 * b.length, `${name} flip case ${i} (seed ${seed}): tree grew past its bytes`);
    JSON.stringify(tree);
  }
  for (let i = 0; i < flips / 10; i++) {
    const b = new Uint8Array(rng.below(2 * bytes.length + 1)).map(() => rng.below(256));
    b.set(bytes.subarray(0, Math.min(b.length, rng.below(9))));
    decode(b);
  }
}
