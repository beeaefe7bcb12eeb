// A sample AcpiPlatform shared by the ACPI tests: three host bridges; a modulo, a 3-way, an XOR and
// a 1-way window near 2^52; two XOR map lists; two RAM domains; two harts; two generic ports; a
// 4-locality SLIT; HMAT matrices with an odd entry count (padding) and a cache level.
import type { AcpiPlatform } from '../../src/firmware/acpi/platform.js';

/** A platform with two host bridges, a modulo, an XOR, a 3-way and a 1-way window, and NUMA data. */
export function samplePlatform(): AcpiPlatform {
  return {
    hostBridges: [
      { uid: 7, chbsBase: 0x7fff_0000, chbsLength: 0x10000 },
      { uid: 6, chbsBase: 0x7ffe_0000, chbsLength: 0x10000 },
      { uid: 0x20, chbsBase: 0x7ffd_0000, chbsLength: 0x10000 },
    ],
    windows: [
      {
        base: 0x1_0000_0000,
        size: 0x1_0000_0000,
        targets: [7, 6],
        granularity: 256,
        arithmetic: 'modulo',
        restrictions: ['type3', 'volatile'],
        qtgId: 0,
      },
      {
        base: 0x2_0000_0000,
        size: 0x1_0000_0000,
        targets: [6, 7, 0x20],
        granularity: 4096,
        arithmetic: 'modulo',
        restrictions: ['type3', 'persistent'],
        qtgId: 1,
      },
      {
        base: 0x30_0000_0000,
        size: 0x8000_0000,
        targets: [7, 6],
        granularity: 512,
        arithmetic: 'xor',
        restrictions: ['type3', 'volatile', 'persistent', 'fixed'],
        qtgId: 2,
      },
      {
        base: 0xf_f000_0000_0000 - 0x1000_0000,
        size: 0x1000_0000,
        targets: [0x20],
        granularity: 16384,
        arithmetic: 'modulo',
        restrictions: ['type2'],
        qtgId: 0xffff,
      },
    ],
    xorMaps: [
      { granularity: 512, maps: [0x2020900] },
      { granularity: 256, maps: [0x404100, 0x808200] },
    ],
    memory: [
      { proximityDomain: 0, base: 0x8000_0000, size: 0x4000_0000 },
      { proximityDomain: 1, base: 0xc000_0000, size: 0x2000_0000, hotPluggable: true, nonVolatile: true },
    ],
    harts: [
      { acpiProcessorUid: 0, proximityDomain: 0 },
      { acpiProcessorUid: 1, proximityDomain: 1, clockDomain: 3 },
    ],
    genericPorts: [
      { proximityDomain: 2, uid: 7 },
      { proximityDomain: 3, uid: 6 },
    ],
    distances: [
      [10, 20, 30, 40],
      [20, 10, 25, 35],
      [30, 25, 10, 255],
      [40, 35, 255, 10],
    ],
    hmat: {
      memoryDomains: [{ memoryDomain: 0, initiatorDomain: 0 }, { memoryDomain: 1 }],
      localities: [
        {
          hierarchy: 'memory',
          dataType: 'read-latency',
          initiators: [0, 1],
          targets: [0, 1, 2],
          values: [
            [100_000, 250_000, 300_000],
            [260_000, 110_000, undefined],
          ],
        },
        { hierarchy: 'memory', dataType: 'write-bandwidth', initiators: [0], targets: [2], values: [[16_000]] },
        {
          hierarchy: 'first-level',
          dataType: 'access-bandwidth',
          initiators: [0],
          targets: [0, 1],
          values: [[200_000, 64_000]],
        },
      ],
    },
  };
}
