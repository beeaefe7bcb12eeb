// Health Information and Alerts command set (CXL r3.x §8.2.9.9.3): Get Health Info (4200h),
// Get/Set Alert Configuration (4201h/4202h).

import { ALERT_MASK, type MailboxCommand } from './state.js';
import { fail, ok, put16, put32, RC, u16 } from './types.js';

export const healthCommands: MailboxCommand[] = [
  {
    opcode: 0x4200,
    name: 'Get Health Info',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      const h = st.health;
      const out = new Uint8Array(0x12);
      out[0] = h.healthStatus;
      // Media status: 0 normal, ... 3 = "all data lost" etc.; we report 0, or "not ready" (1) while disabled.
      out[1] = st.media.mediaDisabled ? 1 : h.mediaStatus;
      out[2] = h.additionalStatus;
      out[3] = h.lifeUsed;
      put16(out, 4, h.temperature);
      put32(out, 6, h.dirtyShutdowns);
      put32(out, 0xa, h.correctedVolatileErrors);
      put32(out, 0xe, h.correctedPersistentErrors);
      return ok(out);
    },
  },
  {
    opcode: 0x4201,
    name: 'Get Alert Configuration',
    input: 0,
    effects: 0,
    needsMedia: false,
    run(st) {
      const a = st.alerts;
      const out = new Uint8Array(0x10);
      out[0] = a.validAlerts;
      out[1] = a.programmableAlerts;
      out[2] = a.lifeUsedCritical;
      out[3] = a.lifeUsedWarning;
      put16(out, 4, a.overTempCritical);
      put16(out, 6, a.underTempCritical);
      put16(out, 8, a.overTempWarning);
      put16(out, 0xa, a.underTempWarning);
      put16(out, 0xc, a.correctedVolatileWarning);
      put16(out, 0xe, a.correctedPersistentWarning);
      return ok(out);
    },
  },
  {
    opcode: 0x4202,
    name: 'Set Alert Configuration',
    input: 0xc,
    effects: 1 << 3,
    needsMedia: false,
    run(st, inp) {
      const valid = inp[0]!;
      const enable = inp[1]!;
      if (valid & ~ALERT_MASK || enable & ~ALERT_MASK || inp[3]) return fail(RC.InvalidInput);
      const a = st.alerts;
      const life = inp[2]!;
      const over = u16(inp, 4);
      const under = u16(inp, 6);
      // CXL r3.2 Table 8-149: each warning threshold stays inside its critical threshold (QEMU's checks).
      if (valid & 1 && life >= a.lifeUsedCritical) return fail(RC.InvalidInput);
      if (valid & 2 && over >= a.overTempCritical) return fail(RC.InvalidInput);
      if (valid & 4 && under <= a.underTempCritical) return fail(RC.InvalidInput);
      // Valid selects the thresholds this command sets; Enable turns each selected alert on or off.
      if (valid & 1 && enable & 1) a.lifeUsedWarning = life;
      if (valid & 2 && enable & 2) a.overTempWarning = over;
      if (valid & 4 && enable & 4) a.underTempWarning = under;
      if (valid & 8 && enable & 8) a.correctedVolatileWarning = u16(inp, 8);
      if (valid & 16 && enable & 16) a.correctedPersistentWarning = u16(inp, 0xa);
      a.validAlerts = (a.validAlerts & ~valid) | (enable & valid);
      return ok();
    },
  },
];
