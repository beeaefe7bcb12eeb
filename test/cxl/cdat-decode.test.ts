// Decoded CDAT trees (src/cxl/cdat-decode.ts). Oracles: the machine description the CDATs were
// built from (each device's partitions and perf, each switch's downstream ports and perf), CDAT
// structures written by hand here from SPEC-NOTES 3 (DSMSCIS, DSIS and unknown types, which the
// generator never emits), and the robustness rules of test/helpers/table-tree.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCdat } from '../../src/cxl/cdat-decode.js';
import { defaultDescription } from '../../src/machine/default-machine.js';
import { memdevsOf, validateDescription } from '../../src/machine/description.js';
import { buildFirmwareTables } from '../../src/machine/firmware-tables.js';
import { firmwareTableTrees } from '../../src/machine/table-trees.js';
import { fillChecksum } from '../../src/cxl-math/checksum.js';
import type { TableTree } from '../../src/cxl-math/table-tree.js';
import { all, applied, at, checkRobust, errorsIn, num, value } from '../helpers/table-tree.js';

/** The default machine plus a device with a volatile and a persistent partition and its own perf. */
function description() {
  const d = defaultDescription();
  const hb1 = d.cxl.hostBridges[1]!;
  return validateDescription({
    ...d,
    cxl: {
      ...d.cxl,
      hostBridges: [
        d.cxl.hostBridges[0]!,
        {
          ...hb1,
          rootPorts: [
            ...hb1.rootPorts,
            {
              id: 'rp9',
              port: 9,
              child: {
                kind: 'type3',
                id: 'mix',
                volatile: { size: '256M' },
                persistent: { size: '1G' },
                perf: { readLatencyNs: 300, writeLatencyNs: 600, readBandwidthMBs: 8000, writeBandwidthMBs: 4000 },
              },
            },
          ],
        },
      ],
    },
  });
}

const d = description();
const t = buildFirmwareTables(d);
const trees = firmwareTableTrees(t);

/** DSLBIS values by data type for one DSMAS handle, base unit applied. */
function dslbis(tree: TableTree, handle: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of all(tree, 'DSLBIS'))
    if (num(value(s, 'Handle')) === BigInt(handle)) out.set(value(s, 'Data type'), applied(value(s, 'Entry 0')));
  return out;
}

test('every CDAT of the machine decodes without an error, with a valid checksum and its own length', () => {
  for (const c of [...t.cdat, ...t.switchCdat]) {
    const tree = decodeCdat(c.bytes);
    assert.deepEqual(errorsIn(tree), []);
    assert.match(value(tree, 'Header', 'Checksum'), /\(valid\)$/);
    assert.equal(num(value(tree, 'Header', 'Length')), BigInt(c.bytes.length));
    assert.equal(value(tree, 'Header', 'Revision'), '1');
  }
});

test('type-3 CDAT: a DSMAS per partition with the description DPA ranges, DSLBIS latency and bandwidth as its perf, DSEMTS', () => {
  const memdevs = memdevsOf(d);
  assert.deepEqual(
    trees.cdat.map((c) => c.memdev),
    memdevs.map((m) => m.name),
  );
  trees.cdat.forEach(({ tree }, i) => {
    const dev = memdevs[i]!.device;
    const vol = dev.volatile?.size ?? 0;
    const parts = [
      ...(vol > 0 ? [{ base: 0, size: vol, nv: false }] : []),
      ...(dev.persistent ? [{ base: vol, size: dev.persistent.size, nv: true }] : []),
    ];
    const dsmas = all(tree, 'DSMAS');
    assert.deepEqual(
      dsmas.map((s) => [num(value(s, 'DPA base')), num(value(s, 'DPA length')), value(s, 'Flags')]),
      parts.map((p) => [BigInt(p.base), BigInt(p.size), p.nv ? '0x04 (non-volatile)' : '0x00 (none)']),
    );
    parts.forEach((_, h) => {
      assert.deepEqual(
        dslbis(tree, h),
        new Map([
          ['1 (read latency)', dev.perf.readLatencyNs * 1000],
          ['2 (write latency)', dev.perf.writeLatencyNs * 1000],
          ['4 (read bandwidth)', dev.perf.readBandwidthMBs],
          ['5 (write bandwidth)', dev.perf.writeBandwidthMBs],
        ]),
      );
    });
    assert.deepEqual(
      all(tree, 'DSEMTS').map((s) => [value(s, 'EFI memory type and attribute'), num(value(s, 'DPA length'))]),
      parts.map((p) => [
        p.nv ? '2 (EfiReservedMemoryType)' : '1 (EfiConventionalMemory with EFI_MEMORY_SP)',
        BigInt(p.size),
      ]),
    );
  });
  const mix = trees.cdat.find((c) => c.memdev === memdevs.find((m) => m.device.id === 'mix')!.name)!.tree;
  assert.equal(value(at(mix, 'DSMAS'), 'DPA range'), '0x0 - 0xFFFFFFF');
  assert.equal(all(mix, 'DSMAS')[1]!.value, 'handle 1: 0x10000000 - 0x4FFFFFFF');
});

test('switch CDAT: an SSLBIS per data type, each from the upstream port to every downstream port, values as the switch perf', () => {
  const sw = d.cxl.hostBridges[0]!.rootPorts[0]!.child;
  assert.ok(sw?.kind === 'switch');
  const [{ switch: id, tree }] = trees.switchCdat as [(typeof trees.switchCdat)[number]];
  assert.equal(id, sw.id);
  const sslbis = all(tree, 'SSLBIS');
  const perf = [
    sw.perf.readLatencyNs * 1000,
    sw.perf.writeLatencyNs * 1000,
    sw.perf.readBandwidthMBs,
    sw.perf.writeBandwidthMBs,
  ];
  assert.deepEqual(
    sslbis.map((s) => value(s, 'Data type')),
    ['1 (read latency)', '2 (write latency)', '4 (read bandwidth)', '5 (write bandwidth)'],
  );
  sslbis.forEach((s, k) => {
    const entries = all(s, 'Entry ', true).filter((e) => /^Entry \d+$/.test(e.label));
    assert.deepEqual(
      entries.map((e) => [value(e, 'Port X'), num(value(e, 'Port Y')), applied(value(e, 'Value'))]),
      sw.downstreamPorts.map((p) => ['0x0100 (upstream port)', BigInt(p.port), perf[k]]),
    );
  });
});

/** A CDAT from hand-written structures: header, then each structure as given, checksum filled. */
function handMade(...structs: number[][]): Uint8Array {
  const body = structs.flat();
  const b = new Uint8Array(16 + body.length);
  new DataView(b.buffer).setUint32(0, b.length, true);
  b[4] = 1;
  new DataView(b.buffer).setUint32(12, 0xabcd, true);
  b.set(body, 16);
  fillChecksum(b, 5);
  return b;
}

test('hand-written DSMSCIS, DSIS and an unknown type decode by the spec layout', () => {
  // DSMSCIS: handle 2, cache 64 MiB, attributes: 1 level, level 1, direct mapped, write-back, 64-byte lines.
  const dsmscis = [2, 0, 20, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0x11, 0x11, 64, 0];
  const dsis = [3, 0, 8, 0, 1, 7, 0, 0];
  const unknown = [9, 0, 6, 0, 0xde, 0xad];
  const tree = decodeCdat(handMade(dsmscis, dsis, unknown));
  assert.deepEqual(errorsIn(tree), []);
  assert.equal(value(tree, 'Header', 'Sequence'), '0x0000ABCD');
  const c = at(tree, 'DSMSCIS');
  assert.equal(value(c, 'Memory side cache size'), '0x4000000 (64 MiB)');
  assert.deepEqual(
    at(c, 'Cache attributes (decoded)').children!.map((x) => x.value),
    ['1', '1', '1 (direct mapped)', '1 (write-back)', '64 bytes'],
  );
  const s = at(tree, 'DSIS');
  assert.deepEqual([value(s, 'Flags'), s.value], ['0x01 (memory attached)', 'handle 7']);
  assert.equal(value(at(tree, 'CDAT structure type 0x09'), 'Bytes'), '09 00 06 00 DE AD');
});

test('a bad checksum, a lying length and a short structure become error nodes', () => {
  const good = t.cdat[0]!.bytes;
  const bad = good.slice();
  bad[20] = bad[20]! ^ 1;
  assert.match(value(decodeCdat(bad), 'Header', 'Checksum'), /INVALID/);
  const short = good.slice();
  short[16 + 2] = 2; // the first DSMAS claims 2 bytes, below its 4-byte header
  assert.ok(errorsIn(decodeCdat(short)).some((e) => /length 2 is below its header size/.test(e)));
  const long = good.slice();
  new DataView(long.buffer).setUint32(0, good.length + 100, true);
  assert.ok(errorsIn(decodeCdat(long)).some((e) => /only \d+ are present/.test(e)));
});

test('every truncation and random byte flips of every CDAT decode without throwing', () => {
  for (const c of [...t.cdat, ...t.switchCdat]) checkRobust('CDAT', c.bytes, decodeCdat);
});
