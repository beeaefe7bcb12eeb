// `--event` and Machine.scheduleEvent: the text syntax, its errors (named in the --event
// spelling), and records appearing in the device's log at the guest time asked for. Oracle: the
// record read back with Get Event Records (CXL r3.0 8.2.9.2.2, opcode 0100h), whose layout
// test/cxl/msix-events.test.ts checks field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventSpec } from '../../src/machine/event-spec.js';
import { ConfigError } from '../../src/machine/errors.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';
import { sendMailboxCommand } from '../../src/cxl/index.js';

test('parse: required keys, defaults, numbers, on/off and kebab-case names', () => {
  const e = parseEventSpec(
    'memdev=mem1,kind=dram,dpa=0x2040,log=warning,at=2.5,row=0x44,uncorrectable=on,transaction=host-write',
  );
  assert.deepEqual(e, {
    memdev: 'mem1',
    kind: 'dram',
    log: 'warning',
    atSeconds: 2.5,
    fields: { dpa: 0x2040, row: 0x44, uncorrectable: true, transactionType: 'hostWrite' },
  });
  assert.deepEqual(parseEventSpec('memdev=m,kind=general-media,dpa=64'), {
    memdev: 'm',
    kind: 'generalMedia',
    log: 'info',
    atSeconds: 0,
    fields: { dpa: 64 },
  });
});

test('parse errors name the key and what is allowed', () => {
  const cases: [string, RegExp][] = [
    ['kind=dram,dpa=0', /memdev.*memdev=memN/],
    ['memdev=mem0,dpa=0', /kind.*general-media or kind=dram/],
    ['memdev=mem0,kind=dram', /dpa.*64-byte aligned/],
    ['memdev=mem0,kind=flash,dpa=0', /kind.*"flash".*general-media or dram/],
    ['memdev=mem0,kind=dram,dpa=0,log=debug', /log.*info, warning, failure or fatal/],
    ['memdev=mem0,kind=dram,dpa=0,at=-1', /at.*guest seconds >= 0/],
    ['memdev=mem0,kind=dram,dpa=0,colour=red', /colour.*record field/],
    ['memdev=mem0,kind=dram,dpa=zero', /dpa.*a number/],
    ['memdev=mem0,,kind=dram', /key=value/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(
      () => parseEventSpec(spec),
      (e: unknown) =>
        e instanceof ConfigError && re.test(String((e as Error).message) + JSON.stringify((e as ConfigError).issues)),
      spec,
    );
  }
});

test('scheduleEvent: checked at once; a record at 0 is in the log before the run, a later one appears when guest time reaches it', () => {
  const m = Machine.build(defaultDescription());
  try {
    assert.throws(() => m.scheduleEvent(parseEventSpec('memdev=mem9,kind=dram,dpa=0')), /mem9/);
    assert.throws(
      () => m.scheduleEvent(parseEventSpec('memdev=mem0,kind=dram,dpa=0x40,transaction=teleport')),
      (e: unknown) =>
        e instanceof ConfigError && /transaction.*host-read/.test(JSON.stringify((e as ConfigError).issues)),
    );
    let ns = 0n;
    m.attachClock(() => ns);
    const regs = m.deviceRegisters('mem2');
    /** Records returned from the Info log (Get Event Records, 0100h: Event Record Count at 0x14). */
    const count = () => {
      const r = sendMailboxCommand(regs, 0x0100, Uint8Array.of(0));
      return r.out[0x14]! | (r.out[0x15]! << 8);
    };
    m.scheduleEvent(parseEventSpec('memdev=mem2,kind=general-media,dpa=0x40'));
    assert.equal(count(), 1, 'at=0: added at once');
    m.scheduleEvent(parseEventSpec('memdev=mem2,kind=dram,dpa=0x80,at=1'));
    m.tickDevices();
    assert.equal(count(), 1, 'not yet');
    ns = 999_999_999n;
    m.tickDevices();
    assert.equal(count(), 1);
    ns = 1_000_000_000n;
    m.tickDevices();
    assert.equal(count(), 2, 'added when guest time reaches 1 s');
    m.tickDevices();
    assert.equal(count(), 2, 'once');
  } finally {
    m.close();
  }
});
