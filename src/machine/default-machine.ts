// The built-in default machine (issue 3, item 3), used when no description is given: 512 MiB RAM,
// two host bridges (one behind a switch), four 512 MiB volatile type-3 devices, a modulo and an
// XOR window, and two regions committed as platform firmware would. Data only; never builds.

import { type DescriptionInput, type MachineDescription, validateDescription } from './description.js';

const vol512 = { size: '512M' };

/**
 * The default description in its input form. hb0 (bus 0x10): rp0 -> switch usp0 {dsp0 -> mem0,
 * dsp1 -> mem1}; hb1 (bus 0x20): rp1 -> mem2, rp2 -> mem3. W0 interleaves hb0,hb1 modulo at
 * 0x1_0000_0000 and holds R0 (4-way, 256 B, 1 GiB: positions mem0=0, mem2=1, mem1=2, mem3=3 as
 * Linux computes them); W1 interleaves them by XOR (CXIMS for 256 B: [0x404100]) at 0x2_0000_0000
 * and holds R1 (2-way over mem0 and mem2, 512 MiB).
 */
export function defaultDescriptionInput(opts: { locked?: boolean } = {}): DescriptionInput {
  const locked = opts.locked ?? false;
  return {
    version: 1,
    ram: { size: '512M' },
    cpus: 1,
    cxl: {
      hostBridges: [
        {
          id: 'hb0',
          busNr: 0x10,
          // One root port, but HDM decoders all the same (QEMU's hdm_for_passthrough=true): Linux
          // can assemble a firmware region through a switch only if every port above it decodes.
          hdmForPassthrough: true,
          rootPorts: [
            {
              id: 'rp0',
              port: 0,
              child: {
                kind: 'switch',
                id: 'usp0',
                downstreamPorts: [
                  { id: 'dsp0', port: 0, child: { kind: 'type3', id: 'mem0', volatile: vol512 } },
                  { id: 'dsp1', port: 1, child: { kind: 'type3', id: 'mem1', volatile: vol512 } },
                ],
              },
            },
          ],
        },
        {
          id: 'hb1',
          busNr: 0x20,
          rootPorts: [
            { id: 'rp1', port: 0, child: { kind: 'type3', id: 'mem2', volatile: vol512 } },
            { id: 'rp2', port: 1, child: { kind: 'type3', id: 'mem3', volatile: vol512 } },
          ],
        },
      ],
      windows: [
        {
          id: 'W0',
          base: '0x1_0000_0000',
          size: '4G',
          targets: ['hb0', 'hb1'],
          granularity: 256,
          arithmetic: 'modulo',
        },
        { id: 'W1', base: '0x2_0000_0000', size: '4G', targets: ['hb0', 'hb1'], granularity: 256, arithmetic: 'xor' },
      ],
      xorMaps: [{ granularity: 256, maps: ['0x404100'] }],
    },
    state: {
      regions: [
        {
          name: 'R0',
          window: 'W0',
          ways: 4,
          granularity: 256,
          size: '1G',
          base: '0x1_0000_0000',
          memdevs: ['mem0', 'mem1', 'mem2', 'mem3'],
          locked,
        },
        {
          name: 'R1',
          window: 'W1',
          ways: 2,
          granularity: 256,
          size: '512M',
          base: '0x2_0000_0000',
          memdevs: ['mem0', 'mem2'],
          locked,
        },
      ],
    },
  };
}

/** The default machine, validated and resolved. `locked: true` emulates firmware that locks R0/R1. */
export function defaultDescription(opts: { locked?: boolean } = {}): MachineDescription {
  return validateDescription(defaultDescriptionInput(opts));
}
