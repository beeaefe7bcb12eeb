// SRAT, SLIT and HMAT through Debian's ACPICA disassembler (`iasl -d`, acpica-tools 20200925 in
// Debian 12; CI installs the acpica-tools package). Oracle: iasl decodes our bytes without errors
// and shows the proximity domains, addresses, distances and latencies we configured. That iasl
// predates SRAT types 6 (generic port) and 7 (RINTC affinity) and the CEDT, so the SRAT here is
// the variant without them; CEDT and CDAT are checked by test/helpers/acpi-decoder.ts instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { disassemble, IASL } from '../helpers/iasl.js';
import { buildSrat } from '../../src/firmware/acpi/srat.js';
import { buildSlit } from '../../src/firmware/acpi/slit.js';
import { buildHmat } from '../../src/firmware/acpi/hmat.js';
import { DEFAULT_OEM } from '../../src/firmware/acpi/tables.js';
import { buildFirmwareTables } from '../../src/machine/firmware-tables.js';
import { samplePlatform } from './acpi-fixtures.js';

const skip = IASL ? false : 'iasl not found: install acpica-tools to disassemble SRAT/SLIT/HMAT';
if (!IASL) console.log(`# SKIP acpi-iasl: ${skip}`);

/** iasl's "FieldName : Value" line, whitespace-insensitive. */
function field(_dsl: string, name: string, value: string): RegExp {
  return new RegExp(`${name.replace(/[()#]/g, '\\$&')}\\s*:\\s*${value}(?![0-9A-Fa-f])`);
}

test('iasl: SRAT (memory affinity only) decodes with our domains, bases and lengths', { skip }, () => {
  const dsl = disassemble('SRAT', buildSrat(samplePlatform(), DEFAULT_OEM, { legacyOnly: true }));
  assert.match(dsl, field(dsl, 'Revision', '03'));
  assert.match(dsl, field(dsl, 'Subtable Type', '01 \\[Memory Affinity\\]'));
  assert.match(dsl, field(dsl, 'Proximity Domain', '00000000'));
  assert.match(dsl, field(dsl, 'Proximity Domain', '00000001'));
  assert.match(dsl, field(dsl, 'Base Address', '0000000080000000'));
  assert.match(dsl, field(dsl, 'Address Length', '0000000040000000'));
  assert.match(dsl, field(dsl, 'Base Address', '00000000C0000000'));
  assert.match(dsl, field(dsl, 'Address Length', '0000000020000000'));
  assert.match(dsl, field(dsl, 'Hot Pluggable', '1'));
  assert.match(dsl, field(dsl, 'Non-Volatile', '1'));
});

test('iasl: SLIT decodes with our locality count and distances', { skip }, () => {
  const dsl = disassemble('SLIT', buildSlit(samplePlatform().distances!, DEFAULT_OEM));
  assert.match(dsl, field(dsl, 'Localities', '0000000000000004'));
  assert.match(dsl, /Locality\s+0 : 0A 14 1E 28\b/);
  assert.match(dsl, /Locality\s+1 : 14 0A 19 23\b/);
  assert.match(dsl, /Locality\s+2 : 1E 19 0A FF\b/);
  assert.match(dsl, /Locality\s+3 : 28 23 FF 0A\b/);
});

test('iasl: HMAT decodes with our domains, data types, base units and latency/bandwidth entries', { skip }, () => {
  const dsl = disassemble('HMAT', buildHmat(samplePlatform().hmat!, DEFAULT_OEM));
  assert.match(dsl, field(dsl, 'Revision', '02'));
  assert.match(dsl, field(dsl, 'Memory Proximity Domain', '00000001'));
  assert.match(dsl, field(dsl, 'Data Type', '01'));
  assert.match(dsl, field(dsl, 'Data Type', '05'));
  assert.match(dsl, field(dsl, 'Initiator Proximity Domains #', '00000002'));
  assert.match(dsl, field(dsl, 'Target Proximity Domains #', '00000003'));
  assert.match(dsl, field(dsl, 'Entry Base Unit', '000000000000000A'));
  // 100 ns = 100000 ps = 0x2710 x 10; 250 ns = 0x61A8 x 10; 16000 MB/s = 0x3E80 x 1.
  for (const e of ['2710', '61A8', '7530', '6590', '2AF8', '3E80', '4E20', '1900'])
    assert.match(dsl, field(dsl, 'Entry', e));
});

test('iasl: the tables of a machine description (docs example shape) decode', { skip }, () => {
  const t = buildFirmwareTables({
    ram: { size: '1G' },
    cpus: 2,
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 0x10,
          numaNode: 2,
          rootPorts: [{ id: 'rp0', port: 0, child: { kind: 'type3', id: 'm', volatile: { size: '512M' } } }],
        },
      ],
      windows: [{ id: 'W0', size: '4G', targets: ['hb0'] }],
    },
    numa: {
      nodes: [{ nodeId: 0, cpus: '0', ramSize: '768M' }, { nodeId: 1, cpus: '1', ramSize: '256M' }, { nodeId: 2 }],
      distances: [
        { src: 0, dst: 1, value: 21 },
        { src: 0, dst: 2, value: 30 },
      ],
      hmatLb: [
        { initiator: 0, target: 0, hierarchy: 'memory', dataType: 'access-latency', latencyNs: 80 },
        { initiator: 0, target: 2, hierarchy: 'memory', dataType: 'access-latency', latencyNs: 200 },
        { initiator: 0, target: 2, hierarchy: 'memory', dataType: 'access-bandwidth', bandwidthBytesPerSec: '32G' },
      ],
    },
  });
  const srat = disassemble('SRAT', buildSrat(t.platform, DEFAULT_OEM, { legacyOnly: true }));
  assert.match(srat, field(srat, 'Base Address', '00000000B0000000'));
  assert.match(srat, field(srat, 'Address Length', '0000000010000000'));
  const slit = disassemble('SLIT', t.acpi.find((a) => a.name === 'SLIT')!.bytes);
  assert.match(slit, /Locality\s+0 : 0A 15 1E\b/);
  const hmat = disassemble('HMAT', t.acpi.find((a) => a.name === 'HMAT')!.bytes);
  // 80 ns and 200 ns: base 10 ps -> 8000 (0x1F40) and 20000 (0x4E20); 32 GiB/s = 32768 MB/s (0x8000).
  for (const e of ['1F40', '4E20', '8000']) assert.match(hmat, field(hmat, 'Entry', e));
  assert.ok(existsSync(IASL!) || IASL === 'iasl');
});
