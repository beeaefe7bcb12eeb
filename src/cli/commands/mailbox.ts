// `cxlemu mailbox`: send one mailbox command to a memdev of a freshly built machine through its
// registers and print the return code and output (raw and decoded). Owns the argument syntax
// (opcode, payload hex) and the text layout; exit 1 for any return code but Success.

import type { Command } from 'commander';
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
      const [{ wantsJson, withMachine }, { hexBytesOf, mailboxCommand, opcodeOf }] = await Promise.all([
        import('../load.js'),
        import('../../machine/mailbox-command.js'),
      ]);
      const opcode = opcodeOf(opcodeText);
      const payload = hexBytesOf(payloadHex ?? '');
      await withMachine(cmd, ctx.io, (m) => {
        const { via: _via, ...reply } = mailboxCommand(m, memdev, opcode, payload);
        const r = { ...reply, out: Uint8Array.from(Buffer.from(reply.output, 'hex')) };
        const { decoded, command: name, opcode: op, memdev: memdevName } = reply;
        if (wantsJson(cmd)) {
          ctx.printJson(reply);
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
