// One mailbox command to a memdev, from its text form (an opcode or command name, payload hex) to
// the reply as `cxlemu mailbox --json` prints it (return code, output hex, decoded fields). Shared
// by the CLI and the dashboard. Two routes: the primary mailbox's registers, as a driver drives
// them (the CLI's, and the dashboard's while no guest runs), or the device's sideband interface
// (DeviceRegisters.sideband), which leaves a running guest's mailbox registers alone.

import {
  clearPoisonInput,
  commandName,
  decodeMailboxOutput,
  injectPoisonInput,
  mailboxCommandList,
  type MailboxReply,
  parseOpcode,
  poisonListInput,
  rcName,
  sendMailboxCommand,
} from '../cxl/index.js';
import type { Machine } from './build.js';
import { ConfigError } from './errors.js';

export interface MailboxReplyJson {
  memdev: string;
  opcode: string;
  command: string | null;
  inputLength: number;
  rc: number;
  rcName: string;
  backgroundRunning: boolean;
  outputLength: number;
  output: string;
  decoded?: Record<string, unknown>;
  /** How the command reached the device. */
  via: 'registers' | 'sideband';
}

export { mailboxCommandList };

/** Parse an opcode text (hex or command name); a ConfigError naming `path` otherwise. */
export function opcodeOf(text: string, path = 'opcode'): number {
  const opcode = parseOpcode(text);
  if (opcode !== undefined) return opcode;
  throw new ConfigError(
    [
      {
        code: 'bad_option',
        path,
        value: text,
        allowed: 'a 16-bit hex opcode such as 4000 or 0x4000, or a command name such as get-partition-info',
      },
    ],
    'bad opcode',
  );
}

/** Hex bytes in order ("01 00", "0x0100", "01:00", "01_00"); a ConfigError naming `path` otherwise. */
export function hexBytesOf(text: string, path = 'payload-hex'): Uint8Array {
  const t = text.replace(/^0x/i, '').replace(/[\s_:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(t)) {
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path,
          value: text,
          allowed:
            'hex digits, two per byte, in byte order (e.g. 0100000000000000 00); spaces, "_" and ":" are ignored',
        },
      ],
      'bad payload',
    );
  }
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Send `opcode` with `payload` to `memdev` and describe the reply. */
export function mailboxCommand(
  m: Machine,
  memdev: string,
  opcode: number,
  payload: Uint8Array,
  via: 'registers' | 'sideband' = 'registers',
): MailboxReplyJson {
  const regs = m.deviceRegisters(memdev);
  let r: MailboxReply;
  if (via === 'registers') r = sendMailboxCommand(regs, opcode, payload);
  else {
    const s = regs.sideband(opcode, payload);
    r = { opcode, rc: s.rc, rcName: rcName(s.rc), out: s.out, backgroundRunning: regs.state.backgroundRunning };
  }
  const decoded = r.rc === 0 ? decodeMailboxOutput(opcode, r.out) : null;
  return {
    memdev: m.cxl.memdev(memdev)!.name,
    opcode: `0x${opcode.toString(16).padStart(4, '0')}`,
    command: commandName(opcode) ?? null,
    inputLength: payload.length,
    rc: r.rc,
    rcName: r.rcName,
    backgroundRunning: r.backgroundRunning,
    outputLength: r.out.length,
    output: [...r.out].map((b) => b.toString(16).padStart(2, '0')).join(''),
    ...(decoded ? { decoded } : {}),
    via,
  };
}

/** Inject Poison (4301h) or Clear Poison (4302h, writing zeros) of the 64-byte line at `dpa`. */
export function poisonCommand(
  m: Machine,
  memdev: string,
  dpa: number,
  action: 'inject' | 'clear',
  via: 'registers' | 'sideband' = 'registers',
): MailboxReplyJson {
  return action === 'inject'
    ? mailboxCommand(m, memdev, 0x4301, injectPoisonInput(dpa), via)
    : mailboxCommand(m, memdev, 0x4302, clearPoisonInput(dpa), via);
}

/** Get Poison List (4300h) over the memdev's whole capacity. */
export function poisonList(m: Machine, memdev: string, via: 'registers' | 'sideband' = 'registers'): MailboxReplyJson {
  const dev = m.cxl.memdev(memdev);
  return mailboxCommand(m, memdev, 0x4300, poisonListInput(0, dev ? dev.capacity / 64 : 0), via);
}
