// Checks DESIGN.md's layer table: every import under src/ stays inside its layer's row, src/cxl-math
// imports nothing at all, hot-path layers use no npm packages, and there are no import cycles.
// Oracle: the table below, copied from DESIGN.md "Layers".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/; the sources live two levels up.
const repo = resolve(here, '..', '..');
const srcRoot = join(repo, 'src');

/**
 * DESIGN.md's "Layers" rows, as written: a layer imports only the layers its row names (no
 * transitive closure). DESIGN calls the pure math layer `src/spec`; its folder is `src/cxl-math`
 * (a folder named spec reads as tests). `machine` lists "all of the above" except `server`, which
 * sits on top of machine; `debug` exposes an interface that machine implements.
 */
const LAYERS: Record<string, string[]> = {
  'cxl-math': [],
  memory: ['cxl-math'],
  pci: ['memory'],
  iommu: ['memory', 'pci'],
  cxl: ['cxl-math', 'memory', 'pci'],
  devices: ['memory', 'pci', 'iommu'],
  cpu: ['memory'],
  firmware: ['cxl-math'],
  perf: ['memory', 'cxl'],
  host: [],
  boot: ['cxl-math', 'firmware'],
  debug: [],
  machine: ['cxl-math', 'memory', 'pci', 'iommu', 'cxl', 'devices', 'cpu', 'firmware', 'perf', 'host', 'boot', 'debug'],
  server: ['machine'],
  cli: ['machine', 'server'],
};

/** npm packages a layer may import; node: builtins are allowed everywhere except cxl-math. */
const PACKAGES: Record<string, string[]> = {
  machine: ['zod', 'yaml'],
  cli: ['commander', 'cli-progress', 'yaml'],
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

function layerOf(file: string): string {
  return relative(srcRoot, file).split(sep)[0]!;
}

test('every src import stays within its layer row (DESIGN.md)', () => {
  const problems: string[] = [];
  for (const file of walk(srcRoot)) {
    const layer = layerOf(file);
    const rel = relative(repo, file);
    if (!(layer in LAYERS)) {
      problems.push(`${rel}: folder src/${layer} is not a layer in DESIGN.md`);
      continue;
    }
    const allowed = new Set(LAYERS[layer]);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const targetLayer = relative(srcRoot, target).split(sep)[0]!;
        if (relative(srcRoot, target).startsWith('..')) {
          problems.push(`${rel}: imports ${spec}, outside src/`);
        } else if (targetLayer !== layer && !allowed.has(targetLayer)) {
          problems.push(
            `${rel}: src/${layer} may not import src/${targetLayer} (${spec}); allowed: ${[...allowed].join(', ') || 'nothing'}`,
          );
        }
      } else if (spec.startsWith('node:')) {
        if (layer === 'cxl-math') problems.push(`${rel}: src/cxl-math is pure and may not import ${spec}`);
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        const ok = new Set<string>();
        for (const l of [layer]) for (const p of PACKAGES[l] ?? []) ok.add(p);
        if (!ok.has(pkg)) problems.push(`${rel}: src/${layer} may not import the package '${pkg}'`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('no import cycles under src/', () => {
  const files = walk(srcRoot);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const spec of importsOf(f)) {
      if (!spec.startsWith('.')) continue;
      const t = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
      deps.push(t);
    }
    graph.set(f, deps);
  }
  const state = new Map<string, number>(); // 1 = on stack, 2 = done
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    state.set(f, 1);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) {
        const from = stack.indexOf(d);
        cycles.push([...stack.slice(from), d].map((p) => relative(repo, p)).join(' -> '));
      } else if (!state.has(d)) visit(d, [...stack, d]);
    }
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});
