// cxl-info.elf (guests/cxl-driver/info-main.c, docs/cxl-driver.md): the guest driver reads every
// switch's and endpoint's CDAT over DOE, talks to every endpoint's primary mailbox and builds a
// region from the ACPI CEDT alone (device tree stripped of its CXL nodes), on two machine
// descriptions with different per-device `perf`.
// Oracles: (1) the machine description itself: the latency/bandwidth figures the guest prints
// from DSLBIS/SSLBIS must equal the fixture JSON's `perf` (or the documented defaults, docs/machine.md:
// type-3 150/250 ns 16000/16000 MB/s, switch 150/150 ns 16000/16000 MB/s), each DSMAS the device's
// partition sizes, Identify/Get Partition Info the capacities, Get LSA the bytes this test wrote
// into the device's label storage area before the run; these values are parsed from the transcript
// here, independently of the golden; (2) golden transcripts test/golden/driver/info-*.txt
// (UPDATE_GOLDEN=1 rewrites them; review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../src/machine/build.js';
import { boardOptionsForMachine, runProgram } from '../../src/machine/board.js';
import { compareGolden as compareGoldenIn } from '../helpers/golden.js';
import { GUEST_BIN, REPO } from '../diff/harness.js';

const GOLDEN = join(REPO, 'test', 'golden', 'driver');
const MACHINES = join(REPO, 'guests', 'cxl-driver', 'machines');
const MiB = 2 ** 20;
const SIZE_UNITS: Record<string, number> = { K: 1024, M: MiB, G: 1024 * MiB };

interface Perf {
  readLatencyNs: number;
  writeLatencyNs: number;
  readBandwidthMBs: number;
  writeBandwidthMBs: number;
}
const TYPE3_DEFAULT: Perf = {
  readLatencyNs: 150,
  writeLatencyNs: 250,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
};
const SWITCH_DEFAULT: Perf = {
  readLatencyNs: 150,
  writeLatencyNs: 150,
  readBandwidthMBs: 16000,
  writeBandwidthMBs: 16000,
};

/** What the description says, walked by hand: type-3 devices by serial, switches in order. */
interface Expect {
  devices: Map<number, { perf: Perf; volatile: number; persistent: number; lsa: number }>;
  switches: { perf: Perf; ports: number[] }[];
}
function sizeOf(s: unknown): number {
  if (typeof s === 'number') return s;
  const m = /^(\d+)([KMG])$/i.exec(String(s));
  assert.ok(m, `size ${String(s)}`);
  return Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!;
}
function expectOf(desc: any): Expect {
  const e: Expect = { devices: new Map(), switches: [] };
  let index = 0; // type-3 devices are memN in description order (depth first); serial defaults to N
  const walk = (child: any): void => {
    if (!child) return;
    if (child.kind === 'switch') {
      e.switches.push({
        perf: { ...SWITCH_DEFAULT, ...child.perf },
        ports: child.downstreamPorts.map((p: any) => p.port),
      });
      for (const p of child.downstreamPorts) walk(p.child);
    } else {
      const serial = child.serial ?? index;
      index++;
      e.devices.set(serial, {
        perf: { ...TYPE3_DEFAULT, ...child.perf },
        volatile: child.volatile ? sizeOf(child.volatile.size) : 0,
        persistent: child.persistent ? sizeOf(child.persistent.size) : 0,
        lsa: child.lsa ? sizeOf(child.lsa.size) : 0,
      });
    }
  };
  for (const hb of desc.cxl.hostBridges) for (const rp of hb.rootPorts) walk(rp.child);
  return e;
}

const compareGolden = (name: string, text: string): void => compareGoldenIn(GOLDEN, name, text);

/** Known label bytes: 32 bytes, different per device serial. */
const lsaBytes = (serial: number) => Uint8Array.from({ length: 32 }, (_, i) => (0x5a + 37 * i + 11 * serial) & 0xff);

const CASES = [
  {
    name: 'info-default',
    fixture: 'default-empty',
    what: 'the default machine (defaults: 150/250 ns, 16000 MB/s; switch 150 ns)',
  },
  {
    name: 'info-slow',
    fixture: 'info-slow',
    what: 'a slow volatile device (400/700 ns, 4000/2000 MB/s) and a persistent one with an LSA behind a fast switch',
  },
];

for (const c of CASES) {
  test(`cxl-info on ${c.fixture}: ${c.what}`, { timeout: 120_000 }, async () => {
    const desc = JSON.parse(readFileSync(join(MACHINES, `${c.fixture}.json`), 'utf8'));
    const exp = expectOf(desc);
    const m = Machine.build(desc, { arenaBytes: 512 * MiB });
    for (const d of m.cxl.memdevs) if (d.lsaStore) d.lsaStore.write(0, lsaBytes(d.serial));
    const machine = boardOptionsForMachine(m);
    machine.cxlWindows = []; // the CEDT-only path: no CXL nodes in the device tree
    delete machine.cxlHostBridges;
    let uart = '';
    const r = await runProgram({
      kernel: join(GUEST_BIN, 'cxl-info.elf'),
      machine,
      output: (ch) => {
        uart += Buffer.from(ch).toString('latin1');
      },
      maxInstructions: 50_000_000,
    });
    assert.equal(r.exit.kind, 'pass', `guest exit ${JSON.stringify(r.exit)}; transcript:\n${uart}`);
    assert.match(uart, /^PASS cxl-info$/m);
    assert.match(uart, /^cedt: windows and host bridges taken from the CEDT$/m);
    const lines = uart.split('\n');
    assert.doesNotMatch(uart, /UNEXPECTED/);
    // DOE error path (SPEC-NOTES 2.6 step 5): an unoffered protocol ends in Error; Abort clears it.
    assert.match(uart, /^doe mem0: unsupported protocol 1e98:7f -> Error set after Go; after abort status 0x0$/m);

    // The driver's names (memN, uspN in its enumeration order) -> serials.
    const serialOf = new Map<string, number>();
    for (const l of lines) {
      const x = /^port (mem\d+): endpoint .* serial 0x([0-9a-f]+) /.exec(l);
      if (x) serialOf.set(x[1]!, parseInt(x[2]!, 16));
    }
    assert.deepEqual(
      [...serialOf.values()].sort((a, b) => a - b),
      [...exp.devices.keys()].sort((a, b) => a - b),
      'every device enumerated',
    );

    // CDAT: header line with checksum ok for every endpoint and switch.
    const cdatHeaders = lines.filter((l) => /^cdat \w+: \d+ bytes/.test(l));
    assert.equal(cdatHeaders.length, exp.devices.size + exp.switches.length, 'one CDAT per endpoint and switch');
    for (const l of cdatHeaders) assert.match(l, /checksum ok/);

    const KEY: Record<string, keyof Perf> = {
      'read latency': 'readLatencyNs',
      'write latency': 'writeLatencyNs',
      'read bandwidth': 'readBandwidthMBs',
      'write bandwidth': 'writeBandwidthMBs',
    };
    for (const [name, serial] of serialOf) {
      const want = exp.devices.get(serial)!;
      const got: Partial<Perf> = {};
      for (const l of lines) {
        const x = new RegExp(
          `^cdat ${name}: DSLBIS handle 0 (read|write) (latency|bandwidth) (\\d+(?:\\.\\d+)?) (?:ns|MB/s) `,
        ).exec(l);
        if (x) got[KEY[`${x[1]} ${x[2]}`]!] = Number(x[3]);
      }
      assert.deepEqual(got, want.perf, `${name} (serial ${serial}): DSLBIS figures vs the description's perf`);
      const dsmas = lines
        .filter((l) => l.startsWith(`cdat ${name}: DSMAS`))
        .map((l) => {
          const x = /dpa 0x([0-9a-f]+) length 0x([0-9a-f]+) .*\) (volatile|non-volatile) /.exec(l);
          assert.ok(x, l);
          return { dpa: parseInt(x[1]!, 16), length: parseInt(x[2]!, 16), kind: x[3] };
        });
      const wantDsmas = [
        ...(want.volatile ? [{ dpa: 0, length: want.volatile, kind: 'volatile' }] : []),
        ...(want.persistent ? [{ dpa: want.volatile, length: want.persistent, kind: 'non-volatile' }] : []),
      ];
      assert.deepEqual(dsmas, wantDsmas, `${name}: DSMAS ranges vs the description's partitions`);

      // Mailbox: capacities and the LSA.
      const total = want.volatile + want.persistent;
      const mib = (n: number) =>
        n === 0 ? '0 B' : n % (1024 * MiB) === 0 ? `${n / 1024 / MiB} GiB` : `${n / MiB} MiB`;
      assert.ok(
        lines.includes(
          `partition ${name}: active volatile ${mib(want.volatile)} persistent ${mib(want.persistent)} next volatile 0 B persistent 0 B`,
        ),
        `${name} partition line`,
      );
      assert.match(uart, new RegExp(`^identify ${name}: fw revision "[^"]*" total ${mib(total)} `, 'm'));
      assert.match(uart, new RegExp(`^identify ${name}: event logs .* lsa ${want.lsa} bytes `, 'm'));
      assert.match(uart, new RegExp(`^health ${name}: status 0x0 `, 'm'));
      if (want.lsa) {
        const hex = [...lsaBytes(serial)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
        assert.ok(
          lines.includes(`lsa ${name}: offset 0 length 32: ${hex}`),
          `${name}: Get LSA returns the bytes written into the LSA`,
        );
      } else {
        assert.ok(lines.includes(`lsa ${name}: none (LSA size 0)`));
      }
    }

    // Switches: every SSLBIS entry (upstream port to each downstream port) carries the switch's perf.
    const usps = [...new Set(lines.map((l) => /^cdat (usp\d+): SSLBIS/.exec(l)?.[1]).filter((x): x is string => !!x))];
    assert.equal(usps.length, exp.switches.length);
    usps.forEach((usp, k) => {
      const sw = exp.switches[k]!;
      for (const [label, key] of Object.entries(KEY)) {
        const entries = lines
          .map((l) =>
            new RegExp(`^cdat ${usp}: SSLBIS ${label} port upstream to port (\\d+) (\\d+(?:\\.\\d+)?) `).exec(l),
          )
          .filter((x): x is RegExpExecArray => !!x)
          .map((x) => [Number(x[1]), Number(x[2])]);
        assert.deepEqual(
          entries,
          sw.ports.map((p) => [p, sw.perf[key]]),
          `${usp} SSLBIS ${label}`,
        );
      }
    });

    // The region built from the CEDT: every endpoint below window 0, committed, workload clean.
    assert.match(uart, /^region region0: valid$/m);
    assert.match(uart, /^workload: .*: 0 mismatches,/m);
    compareGolden(c.name, uart);
    const rep = m.audit({ mode: 'sampled', samples: 500, seed: 3 });
    assert.equal(rep.regions.length, 1, 'one region inferred from the committed decoders');
    assert.ok(rep.ok, 'audit of the guest-built region');
  });
}
