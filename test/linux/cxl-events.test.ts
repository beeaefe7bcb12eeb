// CXL event records through Linux's own driver: General Media and DRAM records that cxlemu adds to
// a memdev's logs (`run --event`) reach Linux's cxl_general_media / cxl_dram trace events. Oracle:
// Linux 6.12's cxl_pci, which decodes every field itself. One record is in the Failure log before
// boot (Linux drains it at probe); one is added to the Warning log at 2.5 s of guest time, after
// probe, so only the event interrupt can bring it: the device's MSI-X vector 3, through the IMSIC
// (the AIA), to cxl_pci's threaded handler. Device-tree boot: with ACPI, Linux 6.12 on RISC-V
// never asks _OSC for CXL error reporting control (that needs CONFIG_MEMORY_FAILURE, which RISC-V
// cannot select) and so leaves event records to firmware (docs/linux-cxl.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cxlemuLinuxArgs } from './qemu-linux.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(repo, 'guests', 'linux', 'out');
const image = join(out, 'Image');
const initrd = join(out, 'initramfs.cpio');
const skip =
  (!existsSync(image) || !existsSync(initrd)) && 'guests/linux/out/{Image,initramfs.cpio} not built: run npm run linux';

/** `key=value` and `key='quoted value'` pairs of a trace event line. */
function fieldsOf(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of line.matchAll(/(\w+)=('([^']*)'|\S+)/g)) m.set(f[1]!, f[3] ?? f[2]!);
  return m;
}

test('event records reach Linux: a General Media record drained at probe and a DRAM record signalled later by MSI-X through the IMSIC', {
  skip,
}, () => {
  const serials = (() => {
    const m = Machine.build(defaultDescription());
    try {
      return new Map(m.cxl.memdevs.map((d) => [d.name, d.serial]));
    } finally {
      m.close();
    }
  })();
  const r = spawnSync(
    process.execPath,
    cxlemuLinuxArgs(
      {
        image,
        initrd,
        append: 'console=ttyS0 cxlemu.events=2 trace_event=cxl:cxl_general_media,cxl:cxl_dram',
        acpi: 'off',
      },
      [
        '--event',
        'memdev=mem0,kind=general-media,dpa=0x1000,log=failure,transaction=host-read,uncorrectable=on,channel=2',
        '--event',
        'memdev=mem1,kind=dram,dpa=0x2040,log=warning,at=2.5,channel=1,rank=2,bank=3,row=0x44,column=0x55',
        '--timeout',
        '600',
      ],
    ),
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const transcript = r.stdout.replace(/^\[\s*\d+\.\d+\] /gm, '');
  mkdirSync(join(repo, 'test-artifacts'), { recursive: true });
  writeFileSync(join(repo, 'test-artifacts', 'linux-cxl-events.txt'), `${transcript}\n--- stderr ---\n${r.stderr}`);
  assert.equal(r.status, 0, `the init's checks pass (transcript in test-artifacts/linux-cxl-events.txt)\n${r.stderr}`);
  assert.match(transcript, /riscv-imsic: .*providing IPIs/, 'Linux runs on the AIA');
  assert.match(transcript, /^check CXL event records reported: ok \(2\)$/m);

  const gm = /^event-trace: +(\S+) .*cxl_general_media: (.*)$/m.exec(transcript);
  assert.ok(gm, 'a cxl_general_media event');
  const g = fieldsOf(gm[2]!);
  assert.equal(g.get('memdev'), 'mem0');
  assert.equal(Number(g.get('serial')), serials.get('mem0'));
  assert.equal(g.get('log'), 'Failure');
  assert.equal(g.get('uuid'), 'fbcd0a77-c260-417f-85a9-088b1621eba6');
  assert.equal(g.get('dpa'), '1000');
  assert.equal(g.get('dpa_flags'), 'VOLATILE');
  assert.equal(g.get('descriptor'), 'UNCORRECTABLE_EVENT');
  assert.equal(g.get('type'), 'ECC Error');
  assert.equal(g.get('transaction_type'), 'Host Read');
  assert.equal(g.get('channel'), '2');
  assert.equal(g.get('validity_flags'), 'CHANNEL');

  const dr = /^event-trace: +(\S+) .*cxl_dram: (.*)$/m.exec(transcript);
  assert.ok(dr, 'a cxl_dram event');
  assert.match(dr[1]!, /^irq\/\d+-/, "reported by cxl_pci's threaded interrupt handler, not at probe");
  const d = fieldsOf(dr[2]!);
  assert.equal(d.get('memdev'), 'mem1');
  assert.equal(Number(d.get('serial')), serials.get('mem1'));
  assert.equal(d.get('log'), 'Warning');
  assert.equal(d.get('uuid'), '601dcbb3-9c06-4eab-b8af-4e9bfb5c9624');
  assert.equal(d.get('dpa'), '2040');
  assert.deepEqual(
    ['channel', 'rank', 'bank', 'row', 'column'].map((k) => d.get(k)),
    ['1', '2', '3', '68', '85'],
  );
  assert.equal(d.get('validity_flags'), 'CHANNEL|RANK|BANK|ROW|COLUMN');

  // mem1's function: its Warning-log vector (3) fired once; Info, Failure and Fatal (2, 4, 5) never.
  const host = d.get('host')!;
  const vectors = new Map(
    [
      ...transcript.matchAll(
        new RegExp(`^irq: +\\d+: +(\\d+) +PCI-MSIX-${host.replace(/\./g, '\\.')} +(\\d+) Edge`, 'gm'),
      ),
    ].map((m) => [Number(m[2]), Number(m[1])]),
  );
  assert.deepEqual(
    [2, 3, 4, 5].map((v) => vectors.get(v)),
    [0, 1, 0, 0],
  );
});
