// Machine building against description size (issue: nothing hangs): the largest topology one ECAM
// segment's 256 buses hold (7 host bridges x 31 root ports x 1 device), and 10^3 / 10^4 windows.
// Building is linear in devices and windows (windows are placed and checked for overlap in
// n log n); each figure is a wall time of Machine.build + list, with ratios to the smallest case
// of the same kind measured in the same run.
// Usage: node dist/bench/description-scale.js
import { Machine } from '../src/machine/build.js';

function timed(desc: unknown): number {
  const t0 = performance.now();
  const m = Machine.build(desc, { arenaBytes: 64 * 2 ** 20 });
  try {
    m.list(1);
  } finally {
    m.close();
  }
  return (performance.now() - t0) / 1000;
}

function devices(hbs: number, perHb: number): unknown {
  return {
    cxl: {
      hostBridges: Array.from({ length: hbs }, (_, h) => ({
        id: `hb${h}`,
        busNr: 16 + 32 * h,
        rootPorts: Array.from({ length: perHb }, (_, p) => ({
          id: `hb${h}rp${p}`,
          port: p,
          child: { kind: 'type3', id: `hb${h}m${p}`, volatile: { size: '256M' } },
        })),
      })),
      windows: Array.from({ length: hbs }, (_, h) => ({ size: '8G', targets: [`hb${h}`] })),
    },
  };
}

function windows(n: number): unknown {
  return {
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 16,
          rootPorts: [{ id: 'rp', port: 0, child: { kind: 'type3', id: 'm', volatile: { size: '256M' } } }],
        },
      ],
      windows: Array.from({ length: n }, () => ({ size: '256M', targets: ['hb0'] })),
    },
  };
}

const dev = [
  { devices: 31, seconds: timed(devices(1, 31)) },
  { devices: 217, seconds: timed(devices(7, 31)) },
];
const win = [1000, 10000].map((n) => ({ windows: n, seconds: timed(windows(n)) }));
console.log(
  JSON.stringify(
    {
      bench: 'description-scale',
      devices: dev.map((d) => ({ ...d, perDeviceRatio: d.seconds / d.devices / (dev[0]!.seconds / dev[0]!.devices) })),
      windows: win.map((w) => ({ ...w, perWindowRatio: w.seconds / w.windows / (win[0]!.seconds / win[0]!.windows) })),
    },
    null,
    2,
  ),
);
