// `cxlemu mailbox`: send one mailbox command to a memdev of a freshly built machine through its
// registers and print the return code and output (raw and decoded). Owns the argument syntax
// (opcode, payload hex) and the text layout; exit 1 for any return code but Success.

import type { Command } from 'commander';
import { ConfigError } from '../../machine/errors.js';
import type { CliContext } from '../io.js';

export function registerMailbox(program: Command, ctx: CliContext): void {
  program
    .command('mailbox')
    .description(
      'send one mailbox command to a memdev of a freshly built machine through its registers (payload, Command, doorbell, poll) and print the return code and output; exit 0 only for return code 0 (Success)',
    )
    .argument('<memdev>', 'memN or device id')
    .argument(
      '<opcode>',
      'hex opcode (4000 or 0x4000) or command name (identify-memory-device, get-partition-info, ...)',
    )
    .argument(
      '[payload-hex]',
      'input payload as hex bytes in order, e.g. 0100000000000000 00 (spaces, "_" and ":" ignored)',
    )
    .action(async (memdev: string, opcodeText: string, payloadHex: string | undefined, _o: unknown, cmd: Command) => {
      // The mailbox client is src/cxl's, which the CLI reaches through src/machine's public API only.
      const [{ wantsJson, withMachine }, { commandName, decodeMailboxOutput, parseOpcode, sendMailboxCommand }] =
        await Promise.all([import('../load.js'), import('../../machine/index.js')]);
      const opcode = parseOpcode(opcodeText);
      if (opcode === undefined) {
        throw new ConfigError(
          [
            {
              code: 'bad_option',
              path: 'opcode',
              value: opcodeText,
              allowed: 'a 16-bit hex opcode such as 4000 or 0x4000, or a command name such as get-partition-info',
            },
          ],
          'bad opcode',
        );
      }
      const payload = parseHexBytes(payloadHex ?? '');
      await withMachine(cmd, ctx.io, (m) => {
        const regs = m.deviceRegisters(memdev);
        const r = sendMailboxCommand(regs, opcode, payload);
        const name = commandName(opcode) ?? null;
        const decoded = r.rc === 0 ? decodeMailboxOutput(opcode, r.out) : null;
        const hexOut = [...r.out].map((b) => b.toString(16).padStart(2, '0')).join('');
        const op = `0x${opcode.toString(16).padStart(4, '0')}`;
        const memdevName = m.cxl.memdev(memdev)!.name;
        if (wantsJson(cmd)) {
          ctx.printJson({
            memdev: memdevName,
            opcode: op,
            command: name,
            inputLength: payload.length,
            rc: r.rc,
            rcName: r.rcName,
            backgroundRunning: r.backgroundRunning,
            outputLength: r.out.length,
            output: hexOut,
            ...(decoded ? { decoded } : {}),
          });
        } else {
          const lines = [
            `${memdevName} ${op} ${name ?? '(not implemented by this device)'}: return code 0x${r.rc.toString(16).padStart(2, '0')} (${r.rcName})${r.backgroundRunning ? ', background operation running' : ''}`,
          ];
          lines.push(`output: ${r.out.length} bytes`);
          for (let o = 0; o < r.out.length; o += 16) {
            lines.push(
              `  ${o.toString(16).padStart(4, '0')}: ${[...r.out.subarray(o, o + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
            );
          }
          if (decoded) {
            lines.push('decoded:');
            decodedLines(decoded, '  ', lines);
          }
          ctx.print(lines.join('\n'));
        }
        if (r.rc !== 0) ctx.status = 1;
      });
    });
}

/** A decoded payload as indented lines: arrays one entry a line, sizes >= 1 MiB also in MiB. */
function decodedLines(obj: Record<string, unknown>, ind: string, lines: string[]): void {
  const pairs = (o: object) =>
    Object.entries(o)
      .map(([a, b]) => `${a} ${String(b)}`)
      .join(', ');
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) {
      lines.push(`${ind}${k}:`);
      v.forEach((x, i) => lines.push(`${ind}  [${i}] ${pairs(x as object)}`));
    } else if (v !== null && typeof v === 'object') {
      lines.push(`${ind}${k}: ${pairs(v)}`);
    } else
      lines.push(
        `${ind}${k}: ${typeof v === 'number' && /Bytes$/.test(k) && v >= 2 ** 20 ? `${v} (${v / 2 ** 20} MiB)` : String(v)}`,
      );
  }
}

/** Hex bytes in order ("01 00", "0x0100", "01:00", "01_00"); a ConfigError naming payload-hex otherwise. */
function parseHexBytes(text: string): Uint8Array {
  const t = text.replace(/^0x/i, '').replace(/[\s_:]/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(t)) {
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path: 'payload-hex',
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
