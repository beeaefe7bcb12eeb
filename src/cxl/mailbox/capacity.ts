// Capacity Configuration and Label Storage command set (CXL r3.x §8.2.9.9.2): Get/Set Partition
// Info (4100h/4101h; a new split takes effect on the next reset) and Get/Set LSA (4102h/4103h),
// which read and write the device's LSA store (flushed, so a file-backed LSA persists).

import type { MailboxCommand } from './state.js';
import { CAPACITY_UNIT, fail, ok, put64, RC, u32, u64 } from './types.js';

const SET_LSA_HDR = 8;

export const capacityCommands: MailboxCommand[] = [
  {
    opcode: 0x4100,
    name: 'Get Partition Info',
    input: 0,
    effects: 0,
    needsMedia: true,
    run(st) {
      const out = new Uint8Array(0x20);
      const next = st.nextVolatile;
      put64(out, 0, st.activeVolatile / CAPACITY_UNIT);
      put64(out, 8, (st.capacity - st.activeVolatile) / CAPACITY_UNIT);
      put64(out, 0x10, next === null ? 0 : next / CAPACITY_UNIT);
      put64(out, 0x18, next === null ? 0 : (st.capacity - next) / CAPACITY_UNIT);
      return ok(out);
    },
  },
  {
    opcode: 0x4101,
    name: 'Set Partition Info',
    input: 9,
    effects: 1 << 0,
    needsMedia: true,
    run(st, inp) {
      const units = u64(inp, 0);
      const flags = inp[8]!;
      if (flags & 0xfe) return fail(RC.InvalidInput);
      // Immediate repartition is not supported: the split changes on the next reset.
      if (flags & 1) return fail(RC.Unsupported);
      const bytes = units * CAPACITY_UNIT;
      const partitionable = st.capacity - st.volatileOnly - st.persistentOnly;
      if (!(bytes >= st.volatileOnly && bytes - st.volatileOnly <= partitionable)) return fail(RC.InvalidInput);
      if ((bytes - st.volatileOnly) % st.partitionAlign !== 0) return fail(RC.InvalidInput);
      st.nextVolatile = bytes;
      return ok();
    },
  },
  {
    opcode: 0x4102,
    name: 'Get LSA',
    input: 8,
    effects: 0,
    needsMedia: true,
    run(st, inp) {
      const offset = u32(inp, 0);
      const length = u32(inp, 4);
      const lsa = st.device.lsaStore;
      const size = lsa ? st.device.lsaBytes : 0;
      if (length > st.payloadSize || offset + length > size) return fail(RC.InvalidInput);
      const out = new Uint8Array(length);
      if (length) lsa!.read(offset, out);
      return ok(out);
    },
  },
  {
    opcode: 0x4103,
    name: 'Set LSA',
    input: { min: SET_LSA_HDR },
    effects: (1 << 1) | (1 << 2),
    needsMedia: true,
    run(st, inp) {
      const offset = u32(inp, 0);
      if (u32(inp, 4) !== 0) return fail(RC.InvalidInput);
      const data = inp.subarray(SET_LSA_HDR);
      const lsa = st.device.lsaStore;
      const size = lsa ? st.device.lsaBytes : 0;
      if (offset + data.length > size) return fail(RC.InvalidInput);
      if (data.length) {
        lsa!.write(offset, data);
        lsa!.flush();
      }
      return ok();
    },
  },
];
