// The type-3 primary mailbox command table and dispatcher. Owns the checks every command shares,
// in QEMU's order (cxl_process_cci_message): unknown opcode -> Unsupported; input length other than
// the command's -> Invalid Payload Length; a background-capable command while one runs -> Busy;
// a media command while the media is disabled -> Media Disabled; then the handler. Never touches
// registers (device-registers.ts does) and never throws for guest input.

import { capacityCommands } from './capacity.js';
import { eventCommands } from './events.js';
import { firmwareCommands } from './firmware.js';
import { healthCommands } from './health.js';
import { identifyCommands } from './identify.js';
import { infoCommands } from './info.js';
import { logCommands } from './logs.js';
import { mediaCommands } from './media.js';
import { sanitizeCommands } from './sanitize.js';
import type { MailboxCommand, MailboxState } from './state.js';
import { timestampCommands } from './timestamp.js';
import { EFFECT, RC, type CommandResult } from './types.js';

export { MailboxState, EventLog, EVENT_RECORD_BYTES, EVENT_LOG_CAPACITY } from './state.js';
export type { MailboxCommand, MailboxStateOptions, EventRecord, HealthState, AlertConfig } from './state.js';
export { RC, EFFECT, CAPACITY_UNIT } from './types.js';
export type { CommandResult } from './types.js';
export { CEL_UUID, commandEffectsLog } from './logs.js';
export { IDENTIFY_BYTES } from './identify.js';
export * from './event-records.js';

/** Every command the primary mailbox implements, by opcode (the CEL lists exactly these). */
export const MAILBOX_COMMANDS: readonly MailboxCommand[] = [
  ...infoCommands,
  ...eventCommands,
  ...firmwareCommands,
  ...timestampCommands,
  ...logCommands,
  ...identifyCommands,
  ...capacityCommands,
  ...healthCommands,
  ...mediaCommands,
  ...sanitizeCommands,
].sort((a, b) => a.opcode - b.opcode);

const byOpcode = new Map(MAILBOX_COMMANDS.map((c) => [c.opcode, c]));

export function commandFor(opcode: number): MailboxCommand | undefined {
  return byOpcode.get(opcode);
}

/** Run one command: the shared checks, then the handler. `input` is exactly the payload length. */
export function executeCommand(st: MailboxState, opcode: number, input: Uint8Array): CommandResult {
  st.pollBackground();
  const cmd = byOpcode.get(opcode);
  if (!cmd) return { rc: RC.Unsupported };
  const spec = cmd.input;
  if (
    typeof spec === 'number'
      ? input.length !== spec
      : input.length < spec.min || (spec.max !== undefined && input.length > spec.max)
  ) {
    return { rc: RC.InvalidPayloadLength };
  }
  if (cmd.effects & EFFECT.BackgroundOperation && st.backgroundRunning) return { rc: RC.Busy };
  if (cmd.needsMedia && st.media.mediaDisabled) return { rc: RC.MediaDisabled };
  const r = cmd.run(st, input);
  if (r.out && r.out.length > st.payloadSize) return { rc: RC.InternalError };
  return r;
}
