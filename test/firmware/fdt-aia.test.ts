// The AIA nodes of the device tree (irqchip 'aia'). Oracle: QEMU's own tree for
// `-M virt,aia=aplic-imsic` (qemu-system-riscv64 -machine dumpdtb), decompiled by dtc: the IMSIC
// and APLIC nodes must carry the same addresses, sizes, counts, delegation and parent links
// (phandles compared by the node they point at), since OpenSBI and Linux read exactly these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena, AddressSpace } from '../../src/memory/index.js';
import { createBoard } from '../../src/machine/board.js';

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const skip = has('dtc') && has('qemu-system-riscv64') ? false : 'needs dtc and qemu-system-riscv64';

/** dts text -> node path -> property -> value text, with phandle cells replaced by node paths. */
function parseDts(dts: string): Map<string, Map<string, string>> {
  const nodes = new Map<string, Map<string, string>>();
  const byPhandle = new Map<string, string>();
  const stack: string[] = [];
  for (const raw of dts.split('\n')) {
    const line = raw.trim();
    const open = /^([^\s=]+) \{$/.exec(line);
    if (open) {
      stack.push(open[1] === '/' ? '' : open[1]!);
      nodes.set(stack.join('/') || '/', new Map());
    } else if (line === '};') stack.pop();
    else {
      const m = /^([^\s=]+)(?: = (.*))?;$/.exec(line);
      if (!m || stack.length === 0) continue;
      const path = stack.join('/') || '/';
      nodes.get(path)!.set(m[1]!, m[2] ?? '');
      if (m[1] === 'phandle') byPhandle.set(m[2]!.replace(/[<>]/g, '').trim(), path);
    }
  }
  // Resolve phandle-valued properties (first cell of each group, or every cell of a phandle list).
  const refs: Record<string, number> = {
    'msi-parent': 1,
    'riscv,children': 1,
    'interrupts-extended': 2,
    'riscv,delegate': 3,
  };
  for (const props of nodes.values()) {
    for (const [k, stride] of Object.entries(refs)) {
      const v = props.get(k);
      if (v === undefined) continue;
      const cells = v.replace(/[<>]/g, '').trim().split(/\s+/);
      props.set(
        k,
        cells
          .map((c, i) =>
            i % stride === 0
              ? (byPhandle.get(c) ?? `?${c}`).replace(/^\/cpus\/cpu@(\d+)\/.*/, 'cpu$1')
              : String(Number(c)),
          )
          .join(' '),
      );
    }
  }
  return nodes;
}

function ours(dir: string): string {
  const arena = new Arena();
  const board = createBoard({ arena, addressSpace: new AddressSpace(arena), harts: 2, irqchip: 'aia' });
  writeFileSync(join(dir, 'ours.dtb'), board.fdt);
  return spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'ours.dtb')], { encoding: 'utf8' }).stdout;
}

function qemus(dir: string): string {
  const dtb = join(dir, 'qemu.dtb');
  spawnSync('qemu-system-riscv64', ['-M', `virt,aia=aplic-imsic,dumpdtb=${dtb}`, '-smp', '2', '-nographic'], {
    stdio: 'ignore',
  });
  return spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' }).stdout;
}

test('IMSIC and APLIC nodes match QEMU virt aia=aplic-imsic (2 harts)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-aia-'));
  try {
    const a = parseDts(ours(dir));
    const q = parseDts(qemus(dir));
    const keys = [
      'reg',
      'compatible',
      'interrupt-controller',
      'msi-controller',
      '#interrupt-cells',
      'riscv,num-ids',
      'riscv,ipi-id',
      'riscv,num-sources',
      'interrupts-extended',
      'msi-parent',
      'riscv,children',
      'riscv,delegate',
    ];
    for (const node of ['/soc/imsics@28000000', '/soc/imsics@24000000', '/soc/aplic@d000000', '/soc/aplic@c000000']) {
      const mine = a.get(node);
      const theirs = q.get(node);
      assert.ok(mine && theirs, `${node} in both trees`);
      for (const k of keys) assert.equal(mine.get(k), theirs.get(k), `${node} ${k}`);
    }
    // Devices name the supervisor APLIC with two cells (source, level-high), as QEMU's do.
    assert.equal(a.get('/soc/serial@10000000')!.get('interrupts'), q.get('/soc/serial@10000000')!.get('interrupts'));
    assert.match(a.get('/cpus/cpu@0')!.get('riscv,isa')!, /_smaia_ssaia_/);
    assert.equal(a.has('/soc/plic@c000000'), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
