// Host-backed media (host: { memType: cxlram }; QEMU's host-mem-type=cxlram): the QEMU option's
// rules (not with host-nodes or policy, not on a file backend, refused on a host without CXL
// nodes), the description's rules, and binding at build: a notice without the addon, a notice when
// mbind fails, and with the addon a page bound to the host's node 0 as get_mempolicy reads it back.
// Oracles: the fake sysfs trees; the kernel's own get_mempolicy(2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/machine/errors.js';
import { Machine } from '../../src/machine/build.js';
import { parseQemuCommandLine } from '../../src/machine/qemu-parser.js';
import { validateDescription } from '../../src/machine/description.js';
import { loadMbind, MPOL_BIND, MBIND_ADDON_ENV, resetMbindForTests } from '../../src/host/mbind.js';
import { withFakeSysfs, type FakeHost, NO_CXL, ONE_CXL } from '../helpers/fake-sysfs.js';

const line = (backend: string) =>
  `-M q35,cxl=on -m 1G -object ${backend} -device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1 ` +
  '-device cxl-rp,port=0,bus=cxl.1,id=rp0 -device cxl-type3,bus=rp0,volatile-memdev=m0,id=d0 ' +
  '-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G';

const withTree = withFakeSysfs;

function issuesOf(fn: () => unknown): { code: string; path: string; option?: string; allowed: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues as never;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

test('host-mem-type=cxlram with host-nodes or policy is refused, naming both properties', () => {
  withTree(ONE_CXL, (root) => {
    const opt = 'memory-backend-ram,id=m0,size=256M,host-mem-type=cxlram,host-nodes=1,policy=bind';
    const issues = issuesOf(() => parseQemuCommandLine(line(opt), { sysfsRoot: root }));
    assert.deepEqual(
      issues.map((i) => [i.code, i.path, i.option]),
      [
        ['conflicting_properties', 'host-nodes', `-object ${opt}`],
        ['conflicting_properties', 'policy', `-object ${opt}`],
      ],
    );
    assert.match(issues[0]!.allowed, /not together with host-mem-type=cxlram, which picks the host nodes itself/);
  });
});

test('host-mem-type=cxlram on a host without CXL nodes is refused, saying what was read', () => {
  withTree(NO_CXL, (root) => {
    const e = (() => {
      try {
        parseQemuCommandLine(line('memory-backend-ram,id=m0,size=256M,host-mem-type=cxlram'), { sysfsRoot: root });
      } catch (x) {
        return x as ConfigError;
      }
      assert.fail('expected a ConfigError');
    })();
    assert.equal(e.issues[0]!.code, 'no_host_cxl');
    assert.match(
      e.message,
      /-object memory-backend-ram,id=m0,size=256M,host-mem-type=cxlram: host-mem-type: "?cxlram"?: a host with CXL memory: the host has no CXL memory node \(read from /,
    );
  });
});

test('host-mem-type takes cxlram only, on RAM and memfd backends only', () => {
  withTree(ONE_CXL, (root) => {
    assert.deepEqual(
      issuesOf(() =>
        parseQemuCommandLine(line('memory-backend-ram,id=m0,size=256M,host-mem-type=dram'), { sysfsRoot: root }),
      ).map((i) => i.code),
      ['bad_value'],
    );
    assert.deepEqual(
      issuesOf(() =>
        parseQemuCommandLine(line('memory-backend-file,id=m0,size=256M,mem-path=/tmp/x,host-mem-type=cxlram'), {
          sysfsRoot: root,
        }),
      ).map((i) => i.code),
      ['unsupported_property'],
    );
    const ok = parseQemuCommandLine(line('memory-backend-memfd,id=m0,size=256M,host-mem-type=cxlram'), {
      sysfsRoot: root,
    });
    assert.deepEqual(ok.description.cxl.hostBridges[0]!.rootPorts[0]!.child, {
      ...ok.description.cxl.hostBridges[0]!.rootPorts[0]!.child,
      volatile: { size: 256 * 2 ** 20, host: { memType: 'cxlram' } },
    });
  });
});

const described = (store: object, lsa?: object) => ({
  cxl: {
    hostBridges: [
      {
        id: 'hb0',
        busNr: 16,
        rootPorts: [
          { id: 'rp0', port: 0, child: { kind: 'type3', id: 'd0', volatile: store, ...(lsa ? { lsa } : {}) } },
        ],
      },
    ],
    windows: [{ id: 'W0', size: '256M', targets: ['hb0'] }],
  },
});

test('the description: host backing is not for files or the label area; nodes must be host CXL nodes; no CXL host is refused at build', () => {
  assert.deepEqual(
    issuesOf(() =>
      validateDescription(described({ size: '256M', file: { path: '/tmp/x' }, host: { memType: 'cxlram' } })),
    ).map((i) => [i.code, i.path]),
    [['host_backing_with_file', 'cxl.hostBridges[0].rootPorts[0].child.volatile.host']],
  );
  assert.deepEqual(
    issuesOf(() => validateDescription(described({ size: '256M' }, { size: '128K', host: { memType: 'cxlram' } }))).map(
      (i) => i.code,
    ),
    ['host_backing_lsa'],
  );
  withTree(NO_CXL, (root) => {
    const issues = issuesOf(() =>
      Machine.build(described({ size: '256M', host: { memType: 'cxlram' } }), { sysfsRoot: root, arenaBytes: 1 << 24 }),
    );
    assert.deepEqual(
      issues.map((i) => [i.code, i.path]),
      [['no_host_cxl', 'cxl.hostBridges[0].rootPorts[0].child.volatile.host.memType']],
    );
  });
  withTree(ONE_CXL, (root) => {
    const issues = issuesOf(() =>
      Machine.build(described({ size: '256M', host: { memType: 'cxlram', nodes: [0, 1] } }), {
        sysfsRoot: root,
        arenaBytes: 1 << 24,
      }),
    );
    assert.deepEqual(
      issues.map((i) => [i.code, i.path, i.allowed]),
      [
        [
          'not_host_cxl_node',
          'cxl.hostBridges[0].rootPorts[0].child.volatile.host.nodes',
          "the host's CXL nodes with memory: 1",
        ],
      ],
    );
  });
});

test('without the addon: the machine builds, runs, and a notice says the pages were not bound', () => {
  const before = process.env[MBIND_ADDON_ENV];
  process.env[MBIND_ADDON_ENV] = '/nonexistent/cxlemu_mbind.node';
  resetMbindForTests();
  try {
    withTree(ONE_CXL, (root) => {
      const m = Machine.build(described({ size: '256M', host: { memType: 'cxlram' } }), {
        sysfsRoot: root,
        arenaBytes: 1 << 24,
      });
      try {
        assert.deepEqual(m.notices, [
          'mem0 volatile (host-mem-type=cxlram): not bound to host CXL node(s) 1: the mbind addon is not built (/nonexistent/cxlemu_mbind.node does not exist): run `npm run addon` (needs a C compiler and node-gyp); its pages come from wherever the host allocates them',
        ]);
        m.cxl.memdevs[0]!.volatileStore!.writeU32(0, 0x1234);
        assert.equal(m.cxl.memdevs[0]!.volatileStore!.readU32(0), 0x1234);
      } finally {
        m.close();
      }
    });
  } finally {
    if (before === undefined) delete process.env[MBIND_ADDON_ENV];
    else process.env[MBIND_ADDON_ENV] = before;
    resetMbindForTests();
  }
});

const addon = loadMbind();
const noAddon = addon.ok ? false : `the mbind addon is not built (npm run addon): ${addon.reason}`;

test('with the addon: a failed mbind (node 1 does not exist here) is one notice and the run continues', {
  skip: noAddon,
}, () => {
  withTree(ONE_CXL, (root) => {
    const m = Machine.build(described({ size: '256M', host: { memType: 'cxlram' } }), {
      sysfsRoot: root,
      arenaBytes: 1 << 24,
    });
    try {
      const seen: string[] = [];
      m.onNotice = (s) => seen.push(s);
      const st = m.cxl.memdevs[0]!.volatileStore!;
      for (let p = 0; p < 1024; p++) st.writeU32(p * 4096, p); // two runs: one notice
      assert.equal(st.readU32(1023 * 4096), 1023);
      assert.equal(seen.length, 1);
      assert.match(
        seen[0]!,
        /^mem0 volatile \(host-mem-type=cxlram\): arena pages at offset 0x[0-9a-f]+ not bound to host CXL node\(s\) 1: mbind failed: EINVAL .*\(the run continues\)$/,
      );
    } finally {
      m.close();
    }
  });
});

test('with the addon: pages of a device backed by host node 0 are bound there (get_mempolicy: MPOL_BIND, node 0)', {
  skip: noAddon,
}, () => {
  // A host whose node 0 holds a CXL region (dax target_node 0): the one node this machine has.
  const host: FakeHost = {
    ...ONE_CXL,
    nodes: [{ ...ONE_CXL.nodes[0]!, distances: [10] }],
    regions: [{ id: 0, resource: 0x22_0000_0000, size: 2 ** 30, targetNode: 0 }],
  };
  withTree(host, (root) => {
    const m = Machine.build(described({ size: '256M', host: { memType: 'cxlram' } }), {
      sysfsRoot: root,
      arenaBytes: 1 << 24,
    });
    try {
      assert.deepEqual(m.notices, [
        'mem0 volatile (host-mem-type=cxlram): arena pages bound to host CXL node(s) 0 as they are first touched (mbind MPOL_BIND)',
      ]);
      const st = m.cxl.memdevs[0]!.volatileStore!;
      st.writeU32(5 * 4096, 7);
      const off = st.arenaOffsetIfMapped(5 * 4096);
      assert.ok(addon.ok);
      const pol = addon.policy(m.arena.u8, off);
      assert.deepEqual(pol, { mode: MPOL_BIND, nodes: [0], node: 0 });
      assert.equal(st.placementError, undefined);
      // RAM is not host-backed: no policy of its own.
      m.ram.store.writeU32(0, 1);
      const ramPol = addon.policy(m.arena.u8, m.ram.store.arenaOffsetIfMapped(0));
      assert.notEqual(typeof ramPol === 'object' ? ramPol.mode : ramPol, MPOL_BIND);
    } finally {
      m.close();
    }
  });
});
