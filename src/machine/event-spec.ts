// `--event` / the library's scheduled event records: which memdev, which log, General Media or
// DRAM, the record's fields, and the guest time it appears at. Owns the text syntax
// (`memdev=mem0,kind=general-media,dpa=0x1000,log=failure,at=2,transaction=host-read,...`) and its
// errors; the encoding and the field rules are the CXL layer's (src/cxl/mailbox/event-records.ts).

import type { EventInjectError } from '../cxl/errors.js';
import type { EventFields, EventLogName, MediaEventKind } from '../cxl/mailbox/event-records.js';
import { ConfigError } from './errors.js';

export interface EventInjection {
  memdev: string;
  log: EventLogName;
  kind: MediaEventKind;
  fields: EventFields;
  /** Guest seconds (mtime) at which the record is added; 0 = before the guest starts. */
  atSeconds: number;
}

const KINDS: Record<string, MediaEventKind> = { 'general-media': 'generalMedia', dram: 'dram' };
/** Text keys of the record fields (kebab-case) -> the encoder's names; values are numbers, on/off or names. */
const FIELD_KEYS: Record<string, string> = {
  dpa: 'dpa',
  severity: 'severity',
  volatile: 'volatile',
  'not-repairable': 'notRepairable',
  uncorrectable: 'uncorrectable',
  threshold: 'threshold',
  'poison-list-overflow': 'poisonListOverflow',
  'event-type': 'memoryEventType',
  transaction: 'transactionType',
  channel: 'channel',
  rank: 'rank',
  device: 'device',
  'nibble-mask': 'nibbleMask',
  'bank-group': 'bankGroup',
  bank: 'bank',
  row: 'row',
  column: 'column',
  permanent: 'permanent',
  'maintenance-needed': 'maintenanceNeeded',
  'performance-degraded': 'performanceDegraded',
  'hardware-replacement-needed': 'hardwareReplacementNeeded',
};
const NAMED_VALUES = new Set(['memoryEventType', 'transactionType', 'severity']);
const BOOLS: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false };

function bad(spec: string, path: string, value: string, allowed: string): ConfigError {
  return new ConfigError([{ code: 'bad_event', path: `--event ${path}`, value, allowed }], `bad --event ${spec}`);
}

/** kebab-case name -> the encoder's camelCase (host-read -> hostRead). */
function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Parse one `--event` argument. */
export function parseEventSpec(spec: string): EventInjection {
  let memdev: string | undefined;
  let kind: MediaEventKind | undefined;
  let log: EventLogName = 'info';
  let atSeconds = 0;
  const fields: Record<string, unknown> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(spec, part || '(empty)', part, 'key=value pairs separated by commas');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'memdev') memdev = value;
    else if (key === 'kind') {
      kind = KINDS[value];
      if (!kind) throw bad(spec, 'kind', value, 'general-media or dram');
    } else if (key === 'log') {
      if (!['info', 'warning', 'failure', 'fatal'].includes(value))
        throw bad(spec, 'log', value, 'info, warning, failure or fatal');
      log = value as EventLogName;
    } else if (key === 'at') {
      const n = Number(value);
      if (!(value !== '' && Number.isFinite(n) && n >= 0)) throw bad(spec, 'at', value, 'guest seconds >= 0');
      atSeconds = n;
    } else if (key in FIELD_KEYS) {
      const name = FIELD_KEYS[key]!;
      if (value in BOOLS) fields[name] = BOOLS[value];
      else if (/^(0x[0-9a-f]+|\d+)$/i.test(value)) fields[name] = Number(value);
      else if (NAMED_VALUES.has(name)) fields[name] = camel(value);
      else throw bad(spec, key, value, 'a number (decimal or 0x hex) or on/off');
    } else
      throw bad(spec, key, value, `memdev, kind, log, at or a record field (${Object.keys(FIELD_KEYS).join(', ')})`);
  }
  if (!memdev) throw bad(spec, 'memdev', '(missing)', 'memdev=memN or a description id');
  if (!kind) throw bad(spec, 'kind', '(missing)', 'kind=general-media or kind=dram');
  if (fields.dpa === undefined) throw bad(spec, 'dpa', '(missing)', 'dpa=<device physical address, 64-byte aligned>');
  return { memdev, log, kind, fields: fields as unknown as EventFields, atSeconds };
}

/** The CXL layer's complaint about a field, in the `--event` spelling (transaction=host-read). */
export function eventConfigError(e: EventInjectError, memdev: string): ConfigError {
  const field = e.path.replace(/^fields\./, '');
  const key = Object.keys(FIELD_KEYS).find((k) => FIELD_KEYS[k] === field) ?? field;
  const kebab = (t: string) => t.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  const value = typeof e.value === 'string' ? kebab(e.value) : e.value;
  return new ConfigError(
    [
      {
        code: e.code.replace(/-/g, '_'),
        path: `--event ${key}`,
        value,
        allowed: NAMED_VALUES.has(field) ? kebab(e.allowed) : e.allowed,
      },
    ],
    `bad --event record for ${memdev}`,
  );
}
