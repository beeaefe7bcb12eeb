// ACPI Machine Language encoder (ACPI 6.5 ch. 20): builder functions that return already-encoded
// terms, and encodeAml, which joins them into the body of a definition block (what follows the
// 36-byte header). Owns AML byte layout only; never resolves names against a namespace, never
// evaluates anything, and never knows which devices a machine has (the DSDT builder does).
//
// Where the spec leaves a choice, the bytes are the ones Debian's iasl 20200925 emits with name
// optimisation off (`iasl -on`), so test/firmware/aml.test.ts compares us with it byte for byte:
// integers take the shortest encoding, 0 and 1 become ZeroOp/OneOp and 2^64-1 becomes OnesOp;
// PkgLength takes the fewest bytes; name paths stay exactly as written. Integers assume a
// revision 2 (64-bit) table.

import { AcpiTableError, ByteWriter, guidBytes } from './tables.js';

/** What an encoded term can stand for; decides where the type system lets it go. */
export type AmlKind = 'data' | 'name' | 'arg' | 'local' | 'expr' | 'statement' | 'resource';

/** A term already encoded to bytes, tagged with what it may be used as. */
export interface AmlEncoded<K extends AmlKind = AmlKind> {
  readonly kind: K;
  readonly bytes: Uint8Array;
}

/** Integer, String, Buffer or Package. */
export type AmlData = AmlEncoded<'data'>;
/** A NameString used as a reference (`\_SB.HB00`). */
export type AmlNameRef = AmlEncoded<'name'>;
export type AmlArg = AmlEncoded<'arg'>;
export type AmlLocal = AmlEncoded<'local'>;
/** An operator that yields a value (Type2Opcode): usable as an operand and as a statement. */
export type AmlExpr = AmlEncoded<'expr'>;
/** A named object or a Type1Opcode: only usable in a term list. */
export type AmlStatement = AmlEncoded<'statement'>;
/** One resource descriptor, only usable inside resourceTemplate. */
export type AmlResource = AmlEncoded<'resource'>;

/** Plain values: a number or bigint is an Integer, a string is a String (never a name: use ref). */
export type AmlLiteral = number | bigint | string;
export type AmlDataLike = AmlData | AmlLiteral;
export type AmlTermArg = AmlData | AmlNameRef | AmlArg | AmlLocal | AmlExpr | AmlLiteral;
/** SuperName: where a result may be stored. */
export type AmlTarget = AmlNameRef | AmlArg | AmlLocal;
/** PackageElement: DataRefObject or NameString. */
export type AmlPackageElement = AmlData | AmlNameRef | AmlLiteral;
/** What a term list (definition block, Scope, Device, Method, If body) may hold. */
export type AmlTerm = AmlStatement | AmlExpr;

const OP = Object.freeze({
  zero: 0x00,
  one: 0x01,
  name: 0x08,
  bytePrefix: 0x0a,
  wordPrefix: 0x0b,
  dwordPrefix: 0x0c,
  stringPrefix: 0x0d,
  qwordPrefix: 0x0e,
  scope: 0x10,
  buffer: 0x11,
  package: 0x12,
  method: 0x14,
  dualNamePrefix: 0x2e,
  multiNamePrefix: 0x2f,
  extPrefix: 0x5b,
  rootChar: 0x5c,
  parentPrefix: 0x5e,
  local0: 0x60,
  arg0: 0x68,
  store: 0x70,
  derefOf: 0x83,
  index: 0x88,
  land: 0x90,
  lor: 0x91,
  lnot: 0x92,
  lequal: 0x93,
  lgreater: 0x94,
  lless: 0x95,
  if: 0xa0,
  else: 0xa1,
  return: 0xa4,
  ones: 0xff,
});
/** ExtOpPrefix 0x5B, then this. */
const EXT_DEVICE = 0x82;
const NULL_NAME = 0x00;

const MAX_U64 = (1n << 64n) - 1n;

function concat(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encoded<K extends AmlKind>(kind: K, parts: readonly (Uint8Array | readonly number[])[]): AmlEncoded<K> {
  return Object.freeze({ kind, bytes: concat(parts) });
}

// --- PkgLength --------------------------------------------------------------------------------

/** Largest PkgLength (which counts its own bytes) that 1, 2, 3, 4 bytes can hold. */
const PKG_LENGTH_MAX = [0x3f, 0xfff, 0xf_ffff, 0xfff_ffff] as const;

/**
 * PkgLength for a body of `bodyLength` bytes, in the fewest bytes that hold body plus itself. The
 * lead byte carries the extra-byte count in bits 7:6 and, when there are extra bytes, bits 3:0.
 */
export function encodePkgLength(bodyLength: number): Uint8Array {
  for (let n = 1; n <= 4; n++) {
    const total = bodyLength + n;
    if (total > PKG_LENGTH_MAX[n - 1]!) continue;
    if (n === 1) return Uint8Array.of(total);
    const out = new Uint8Array(n);
    out[0] = ((n - 1) << 6) | (total & 0x0f);
    for (let i = 1; i < n; i++) out[i] = (total >>> (4 + 8 * (i - 1))) & 0xff;
    return out;
  }
  throw new AcpiTableError('PkgLength', bodyLength, `a body of at most ${PKG_LENGTH_MAX[3] - 4} bytes`);
}

function withPkgLength(op: readonly number[], body: readonly (Uint8Array | readonly number[])[]): Uint8Array[] {
  const b = concat(body);
  return [Uint8Array.from(op), encodePkgLength(b.length), b];
}

// --- Names ------------------------------------------------------------------------------------

const NAME_SEG = /^[A-Z_][A-Z0-9_]{0,3}$/;

/**
 * NameString from ASL spelling: an optional `\` or run of `^`, then NameSegs joined by `.`. Short
 * segments are padded with `_` as iasl does (`I0` is `I0__`); `\` alone is the root.
 */
function nameString(path: string, field: string): Uint8Array {
  const m = /^(\\|\^*)(.*)$/s.exec(path)!;
  const prefix = m[1]!;
  const rest = m[2]!;
  const segs = rest === '' ? [] : rest.split('.');
  const rule = `a name path: optional \\ or ^..., then 1-4 characters of A-Z 0-9 _ per segment, not starting with a digit, joined by '.'`;
  if (segs.length === 0 && prefix !== '\\') throw new AcpiTableError(field, JSON.stringify(path), rule);
  if (segs.length > 255) throw new AcpiTableError(field, JSON.stringify(path), 'at most 255 segments');
  const body: number[] = [];
  for (const s of segs) {
    if (!NAME_SEG.test(s)) throw new AcpiTableError(field, JSON.stringify(path), rule);
    for (let i = 0; i < 4; i++) body.push(i < s.length ? s.charCodeAt(i) : 0x5f);
  }
  const lead = Array.from(prefix, (c) => c.charCodeAt(0));
  if (segs.length === 0) return Uint8Array.from([...lead, NULL_NAME]);
  if (segs.length === 1) return Uint8Array.from([...lead, ...body]);
  if (segs.length === 2) return Uint8Array.from([...lead, OP.dualNamePrefix, ...body]);
  return Uint8Array.from([...lead, OP.multiNamePrefix, segs.length, ...body]);
}

/** A reference to a named object by path, e.g. `ref('\\_SB.HB00')` or `ref('CDW1')`. */
export function ref(path: string): AmlNameRef {
  return encoded('name', [nameString(path, 'NameString')]);
}

/** ArgN, 0..6. */
export function arg(n: number): AmlArg {
  if (!Number.isInteger(n) || n < 0 || n > 6) throw new AcpiTableError('Arg.index', n, 'an integer in 0..6');
  return encoded('arg', [[OP.arg0 + n]]);
}

/** LocalN, 0..7. */
export function local(n: number): AmlLocal {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new AcpiTableError('Local.index', n, 'an integer in 0..7');
  return encoded('local', [[OP.local0 + n]]);
}

// --- Data -------------------------------------------------------------------------------------

function toU64(v: number | bigint, field: string): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > MAX_U64) throw new AcpiTableError(field, v, 'an integer in 0..2^64-1');
    return v;
  }
  // Above 2^53 a Number may already be rounded: such values must come as bigint.
  if (!Number.isSafeInteger(v) || v < 0)
    throw new AcpiTableError(field, v, 'an integer in 0..2^53-1 (use a bigint up to 2^64-1)');
  return BigInt(v);
}

function littleEndian(v: bigint, size: number): number[] {
  return Array.from({ length: size }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

function integerBytes(v: number | bigint, field: string): number[] {
  const b = toU64(v, field);
  if (b === 0n) return [OP.zero];
  if (b === 1n) return [OP.one];
  if (b === MAX_U64) return [OP.ones]; // iasl folds all-ones to OnesOp in 64-bit tables
  if (b <= 0xffn) return [OP.bytePrefix, Number(b)];
  if (b <= 0xffffn) return [OP.wordPrefix, ...littleEndian(b, 2)];
  if (b <= 0xffff_ffffn) return [OP.dwordPrefix, ...littleEndian(b, 4)];
  return [OP.qwordPrefix, ...littleEndian(b, 8)];
}

/** Integer in 0..2^64-1 (Numbers only up to 2^53-1), in iasl's shortest encoding. */
export function int(v: number | bigint): AmlData {
  return encoded('data', [integerBytes(v, 'Integer.value')]);
}

export const zero: AmlData = int(0);
export const one: AmlData = int(1);
export const ones: AmlData = int(MAX_U64);

function stringBytes(s: string, field: string): number[] {
  // AML strings are 0x01-0x7F and end at the first NUL.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) throw new AcpiTableError(field, JSON.stringify(s), 'ASCII characters 0x01-0x7F');
  }
  return [OP.stringPrefix, ...Array.from(s, (c) => c.charCodeAt(0)), 0x00];
}

/** String: ASCII without NUL. */
export function str(s: string): AmlData {
  return encoded('data', [stringBytes(s, 'String.value')]);
}

/**
 * Buffer with the given initial bytes; `size` (default: as many as given) may be larger, the rest
 * reads as zero and is not stored in the AML.
 */
export function buffer(bytes: Uint8Array | readonly number[], size: number = bytes.length): AmlData {
  bytes.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0 || b > 0xff) throw new AcpiTableError(`Buffer.bytes[${i}]`, b, 'a byte 0..255');
  });
  if (!Number.isSafeInteger(size) || size < bytes.length)
    throw new AcpiTableError('Buffer.size', size, `an integer >= ${bytes.length} (the initialiser length)`);
  return encoded('data', withPkgLength([OP.buffer], [integerBytes(size, 'Buffer.size'), Uint8Array.from(bytes)]));
}

function literalOr<K extends AmlKind>(
  v: AmlLiteral | AmlEncoded,
  kinds: readonly K[],
  field: string,
): Uint8Array | readonly number[] {
  if (typeof v === 'number' || typeof v === 'bigint') return integerBytes(v, field);
  if (typeof v === 'string') return stringBytes(v, field);
  if (!(kinds as readonly AmlKind[]).includes(v.kind)) throw new AcpiTableError(field, v.kind, kinds.join(', '));
  return v.bytes;
}

const TERM_ARG_KINDS = ['data', 'name', 'arg', 'local', 'expr'] as const;
const TARGET_KINDS = ['name', 'arg', 'local'] as const;
const TERM_KINDS = ['statement', 'expr'] as const;

function termArg(v: AmlTermArg, field: string): Uint8Array | readonly number[] {
  return literalOr(v, TERM_ARG_KINDS, field);
}

function target(v: AmlTarget | undefined, field: string): Uint8Array | readonly number[] {
  if (v === undefined) return [NULL_NAME];
  if (typeof v !== 'object') throw new AcpiTableError(field, v, TARGET_KINDS.join(', '));
  return literalOr(v, TARGET_KINDS, field);
}

function termList(terms: readonly AmlTerm[], field: string): (Uint8Array | readonly number[])[] {
  return terms.map((t, i) => {
    // A bare value is no term (iasl: "Result is not used"); only TS callers are stopped at compile time.
    if (typeof t !== 'object') throw new AcpiTableError(`${field}[${i}]`, t, TERM_KINDS.join(', '));
    return literalOr(t, TERM_KINDS, `${field}[${i}]`);
  });
}

/** Package with a fixed element count (at most 255; VarPackage is not supported). */
export function pkg(...elements: AmlPackageElement[]): AmlData {
  if (elements.length > 255)
    throw new AcpiTableError('Package.elements', elements.length, 'at most 255 elements (no VarPackage)');
  const body = elements.map((e, i) => literalOr(e, ['data', 'name'], `Package.elements[${i}]`));
  return encoded('data', withPkgLength([OP.package], [[elements.length], ...body]));
}

/**
 * EISAID("PNP0A08"): three letters in 5 bits each (A=1) and four hex digits packed big-endian
 * into a 32-bit Integer, which then takes the shortest Integer encoding like any other.
 */
export function eisaId(id: string): AmlData {
  if (!/^[A-Z]{3}[0-9A-Fa-f]{4}$/.test(id))
    throw new AcpiTableError('EISAID.id', JSON.stringify(id), '3 upper-case letters then 4 hex digits, e.g. PNP0A08');
  const c = (i: number): number => id.charCodeAt(i) - 0x40;
  const product = Number.parseInt(id.slice(3), 16);
  const b = [(c(0) << 2) | (c(1) >> 3), ((c(1) & 7) << 5) | c(2), product >> 8, product & 0xff];
  return encoded('data', [integerBytes(b[0]! + b[1]! * 0x100 + b[2]! * 0x1_0000 + b[3]! * 0x100_0000, 'EISAID.id')]);
}

/** ToUUID: a 16-byte Buffer; the first three groups are stored little-endian, the last two as written. */
export function toUuid(uuid: string): AmlData {
  return buffer(guidBytes(uuid, 'ToUUID.uuid'));
}

// --- Named objects and namespace modifiers ------------------------------------------------------

/** Name(path, value). */
export function name(path: string, value: AmlDataLike): AmlStatement {
  return encoded('statement', [[OP.name], nameString(path, 'Name.name'), literalOr(value, ['data'], 'Name.value')]);
}

export function scope(path: string, ...body: AmlTerm[]): AmlStatement {
  return encoded(
    'statement',
    withPkgLength([OP.scope], [nameString(path, 'Scope.name'), ...termList(body, 'Scope.body')]),
  );
}

export function device(path: string, ...body: AmlTerm[]): AmlStatement {
  return encoded(
    'statement',
    withPkgLength([OP.extPrefix, EXT_DEVICE], [nameString(path, 'Device.name'), ...termList(body, 'Device.body')]),
  );
}

export interface MethodOptions {
  /** Serialized (one evaluation at a time, with an implicit mutex); default NotSerialized. */
  serialized?: boolean;
  /** SyncLevel 0..15 of that mutex; default 0. */
  syncLevel?: number;
}

/** Method(path, argCount, Serialized|NotSerialized, syncLevel) { body }. */
export function method(path: string, argCount: number, opts: MethodOptions, ...body: AmlTerm[]): AmlStatement {
  if (!Number.isInteger(argCount) || argCount < 0 || argCount > 7)
    throw new AcpiTableError('Method.argCount', argCount, 'an integer in 0..7');
  const sync = opts.syncLevel ?? 0;
  if (!Number.isInteger(sync) || sync < 0 || sync > 15)
    throw new AcpiTableError('Method.syncLevel', sync, 'an integer in 0..15');
  // MethodFlags: bits 2:0 ArgCount, bit 3 SerializeFlag, bits 7:4 SyncLevel.
  const flags = argCount | (opts.serialized ? 0x08 : 0) | (sync << 4);
  return encoded(
    'statement',
    withPkgLength([OP.method], [nameString(path, 'Method.name'), [flags], ...termList(body, 'Method.body')]),
  );
}

const CREATE_FIELD_OP = Object.freeze({ byte: 0x8c, word: 0x8b, dword: 0x8a, qword: 0x8f });

function createField(
  op: keyof typeof CREATE_FIELD_OP,
  asl: string,
  source: AmlTermArg,
  byteIndex: AmlTermArg,
  path: string,
): AmlStatement {
  return encoded('statement', [
    [CREATE_FIELD_OP[op]],
    termArg(source, `${asl}.source`),
    termArg(byteIndex, `${asl}.byteIndex`),
    nameString(path, `${asl}.name`),
  ]);
}

export function createByteField(source: AmlTermArg, byteIndex: AmlTermArg, path: string): AmlStatement {
  return createField('byte', 'CreateByteField', source, byteIndex, path);
}
export function createWordField(source: AmlTermArg, byteIndex: AmlTermArg, path: string): AmlStatement {
  return createField('word', 'CreateWordField', source, byteIndex, path);
}
export function createDWordField(source: AmlTermArg, byteIndex: AmlTermArg, path: string): AmlStatement {
  return createField('dword', 'CreateDWordField', source, byteIndex, path);
}
export function createQWordField(source: AmlTermArg, byteIndex: AmlTermArg, path: string): AmlStatement {
  return createField('qword', 'CreateQWordField', source, byteIndex, path);
}

// --- Control flow -----------------------------------------------------------------------------

/** If (predicate) { body }. */
export function ifOp(predicate: AmlTermArg, ...body: AmlTerm[]): AmlStatement {
  return encoded(
    'statement',
    withPkgLength([OP.if], [termArg(predicate, 'If.predicate'), ...termList(body, 'If.body')]),
  );
}

/**
 * If (predicate) { thenBody } Else { elseBody }. DefElse follows the If's package rather than
 * sitting inside it; ElseIf is an If as the only term of elseBody, which is how iasl encodes it.
 */
export function ifElse(
  predicate: AmlTermArg,
  thenBody: readonly AmlTerm[],
  elseBody: readonly AmlTerm[],
): AmlStatement {
  return encoded('statement', [
    ...withPkgLength([OP.if], [termArg(predicate, 'If.predicate'), ...termList(thenBody, 'If.body')]),
    ...withPkgLength([OP.else], termList(elseBody, 'Else.body')),
  ]);
}

/** Return (value); Return () returns Zero, as iasl encodes it. */
export function ret(value: AmlTermArg = zero): AmlStatement {
  return encoded('statement', [[OP.return], termArg(value, 'Return.value')]);
}

// --- Expressions ------------------------------------------------------------------------------

export function store(value: AmlTermArg, dest: AmlTarget): AmlExpr {
  return encoded('expr', [[OP.store], termArg(value, 'Store.value'), target(dest, 'Store.target')]);
}

export function derefOf(objRef: AmlTermArg): AmlExpr {
  return encoded('expr', [[OP.derefOf], termArg(objRef, 'DerefOf.source')]);
}

/** Index(source, index, target?): a reference to one element of a Package, Buffer or String. */
export function index(source: AmlTermArg, idx: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return encoded('expr', [
    [OP.index],
    termArg(source, 'Index.source'),
    termArg(idx, 'Index.index'),
    target(dest, 'Index.target'),
  ]);
}

function logical2(op: readonly number[], asl: string, a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return encoded('expr', [op, termArg(a, `${asl}.left`), termArg(b, `${asl}.right`)]);
}

export function lnot(a: AmlTermArg): AmlExpr {
  return encoded('expr', [[OP.lnot], termArg(a, 'LNot.operand')]);
}
export function land(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.land], 'LAnd', a, b);
}
export function lor(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lor], 'LOr', a, b);
}
export function lequal(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lequal], 'LEqual', a, b);
}
export function lgreater(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lgreater], 'LGreater', a, b);
}
export function lless(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lless], 'LLess', a, b);
}
// The negated comparisons have no opcode of their own: AML spells them LNot of the opposite.
export function lnotEqual(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lnot, OP.lequal], 'LNotEqual', a, b);
}
export function llessEqual(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lnot, OP.lgreater], 'LLessEqual', a, b);
}
export function lgreaterEqual(a: AmlTermArg, b: AmlTermArg): AmlExpr {
  return logical2([OP.lnot, OP.lless], 'LGreaterEqual', a, b);
}

const BINARY_OP = Object.freeze({
  Add: 0x72,
  Multiply: 0x77,
  Subtract: 0x74,
  ShiftLeft: 0x79,
  ShiftRight: 0x7a,
  And: 0x7b,
  Or: 0x7d,
  Xor: 0x7f,
});

function binary(asl: keyof typeof BINARY_OP, a: AmlTermArg, b: AmlTermArg, dest: AmlTarget | undefined): AmlExpr {
  return encoded('expr', [
    [BINARY_OP[asl]],
    termArg(a, `${asl}.left`),
    termArg(b, `${asl}.right`),
    target(dest, `${asl}.target`),
  ]);
}

export function add(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('Add', a, b, dest);
}
export function subtract(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('Subtract', a, b, dest);
}
export function multiply(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('Multiply', a, b, dest);
}
export function and(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('And', a, b, dest);
}
export function or(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('Or', a, b, dest);
}
export function xor(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('Xor', a, b, dest);
}
export function shiftLeft(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('ShiftLeft', a, b, dest);
}
export function shiftRight(a: AmlTermArg, b: AmlTermArg, dest?: AmlTarget): AmlExpr {
  return binary('ShiftRight', a, b, dest);
}

// --- Resource descriptors (ACPI 6.5 sec. 6.4) -------------------------------------------------

/** End Tag: small item 0x0F, length 1. The checksum byte is 0 ("treat as valid"), as iasl writes it. */
const END_TAG = [0x79, 0x00] as const;

/** ResourceTemplate () { descriptors }: a Buffer of the descriptors and the End Tag. */
export function resourceTemplate(...descriptors: AmlResource[]): AmlData {
  const parts = descriptors.map((d, i) => literalOr(d, ['resource'], `ResourceTemplate.descriptors[${i}]`));
  return buffer(concat([...parts, END_TAG]));
}

function descriptor(build: (w: ByteWriter) => void): AmlResource {
  const w = new ByteWriter();
  build(w);
  return encoded('resource', [w.finish()]);
}

export interface Memory32FixedOptions {
  base: number;
  length: number;
  /** ReadWrite (default, as in ASL) or ReadOnly. */
  writable?: boolean;
}

/** Memory32Fixed (ReadWrite|ReadOnly, base, length): large item 0x86. */
export function memory32Fixed(o: Memory32FixedOptions): AmlResource {
  return descriptor((w) => {
    w.u8(0x86).u16(9);
    w.u8(o.writable === false ? 0 : 1);
    w.u32(o.base, 'Memory32Fixed.base');
    w.u32(o.length, 'Memory32Fixed.length');
  });
}

export interface InterruptOptions {
  /** Global system interrupt numbers, 1..255 of them. */
  interrupts: readonly number[];
  trigger: 'level' | 'edge';
  polarity: 'activeHigh' | 'activeLow';
  /** Shared rather than Exclusive (the ASL default). */
  shared?: boolean;
  /** SharedAndWake / ExclusiveAndWake. */
  wakeCapable?: boolean;
  /** ResourceConsumer (default, as in ASL) or ResourceProducer. */
  consumer?: boolean;
}

/** Interrupt (...) { n, ... }: the Extended Interrupt descriptor, large item 0x89, no ResourceSource. */
export function interrupt(o: InterruptOptions): AmlResource {
  const n = o.interrupts.length;
  if (n < 1 || n > 255) throw new AcpiTableError('Interrupt.interrupts', n, '1..255 interrupt numbers');
  const flags =
    (o.consumer === false ? 0 : 0x01) |
    (o.trigger === 'edge' ? 0x02 : 0) |
    (o.polarity === 'activeLow' ? 0x04 : 0) |
    (o.shared ? 0x08 : 0) |
    (o.wakeCapable ? 0x10 : 0);
  return descriptor((w) => {
    w.u8(0x89).u16(2 + 4 * n);
    w.u8(flags).u8(n);
    o.interrupts.forEach((irq, i) => w.u32(irq, `Interrupt.interrupts[${i}]`));
  });
}

/** Fields shared by the Word/DWord/QWord address space descriptors; values in the descriptor's width. */
export interface AddressSpaceOptions {
  /** ResourceProducer (a bridge passing the range on) rather than ResourceConsumer (the ASL default). */
  producer?: boolean;
  /** SubDecode rather than PosDecode (the ASL default). */
  subtractiveDecode?: boolean;
  minFixed?: boolean;
  maxFixed?: boolean;
  /** Default 0. */
  granularity?: number | bigint;
  min: number | bigint;
  max: number | bigint;
  /** Default 0. */
  translation?: number | bigint;
  length: number | bigint;
}

export interface MemoryRangeOptions extends AddressSpaceOptions {
  /** ReadWrite (default) or ReadOnly. */
  writable?: boolean;
  /** Default nonCacheable, as in ASL. */
  cacheable?: 'nonCacheable' | 'cacheable' | 'writeCombining' | 'prefetchable';
  /** AddressRangeMemory (default), Reserved, ACPI or NVS. */
  rangeType?: 'memory' | 'reserved' | 'acpi' | 'nvs';
  /** TypeTranslation rather than TypeStatic. */
  typeTranslation?: boolean;
}

export interface IoRangeOptions extends AddressSpaceOptions {
  /** Default entireRange, as in ASL. */
  isaRanges?: 'nonIsaOnly' | 'isaOnly' | 'entireRange';
  typeTranslation?: boolean;
  /** SparseTranslation rather than DenseTranslation. */
  sparseTranslation?: boolean;
}

const CACHEABLE = Object.freeze({ nonCacheable: 0, cacheable: 1, writeCombining: 2, prefetchable: 3 });
const RANGE_TYPE = Object.freeze({ memory: 0, reserved: 1, acpi: 2, nvs: 3 });
const ISA_RANGES = Object.freeze({ nonIsaOnly: 1, isaOnly: 2, entireRange: 3 });
const RESOURCE_TYPE = Object.freeze({ memory: 0, io: 1, busNumber: 2 });
/** Large item tag and value width of each address space descriptor. */
const ADDRESS_SPACE = Object.freeze({
  word: { tag: 0x88, size: 2 },
  dword: { tag: 0x87, size: 4 },
  qword: { tag: 0x8a, size: 8 },
});

function memoryFlags(o: MemoryRangeOptions): number {
  return (
    (o.writable === false ? 0 : 0x01) |
    (CACHEABLE[o.cacheable ?? 'nonCacheable'] << 1) |
    (RANGE_TYPE[o.rangeType ?? 'memory'] << 3) |
    (o.typeTranslation ? 0x20 : 0)
  );
}

function ioFlags(o: IoRangeOptions): number {
  return ISA_RANGES[o.isaRanges ?? 'entireRange'] | (o.typeTranslation ? 0x10 : 0) | (o.sparseTranslation ? 0x20 : 0);
}

function addressSpace(
  asl: string,
  width: keyof typeof ADDRESS_SPACE,
  resourceType: number,
  typeFlags: number,
  o: AddressSpaceOptions,
): AmlResource {
  const { tag, size } = ADDRESS_SPACE[width];
  const max = (1n << BigInt(8 * size)) - 1n;
  const value = (v: number | bigint | undefined, field: string): bigint => {
    const b = toU64(v ?? 0, `${asl}.${field}`);
    if (b > max) throw new AcpiTableError(`${asl}.${field}`, v, `an integer in 0..0x${max.toString(16)}`);
    return b;
  };
  const fields = [
    value(o.granularity, 'granularity'),
    value(o.min, 'min'),
    value(o.max, 'max'),
    value(o.translation, 'translation'),
    value(o.length, 'length'),
  ] as const;
  const [, min, hi, , len] = fields;
  // ACPI 6.5 sec. 6.4.3.5 (valid _LEN/_MIF/_MAF combinations), which iasl enforces too: a range
  // with both ends fixed is exactly _LEN long; a non-zero _LEN fixes both ends or neither.
  const span = hi - min + 1n;
  if (hi < min) throw new AcpiTableError(`${asl}.max`, o.max, `>= min (${o.min})`);
  if (len > span) throw new AcpiTableError(`${asl}.length`, o.length, `<= max - min + 1 (${span})`);
  if (o.minFixed && o.maxFixed && len !== span)
    throw new AcpiTableError(`${asl}.length`, o.length, `max - min + 1 (${span}) when MinFixed and MaxFixed`);
  if (len !== 0n && Boolean(o.minFixed) !== Boolean(o.maxFixed))
    throw new AcpiTableError(`${asl}.length`, o.length, '0 when only one of MinFixed and MaxFixed is set');
  // General flags: bit 0 consumer, bit 1 SubDecode, bit 2 MinFixed, bit 3 MaxFixed.
  const general =
    (o.producer ? 0 : 0x01) | (o.subtractiveDecode ? 0x02 : 0) | (o.minFixed ? 0x04 : 0) | (o.maxFixed ? 0x08 : 0);
  return descriptor((w) => {
    w.u8(tag).u16(3 + 5 * size);
    w.u8(resourceType).u8(general).u8(typeFlags);
    for (const f of fields) w.bytes(Uint8Array.from(littleEndian(f, size)));
  });
}

/** WordBusNumber (...): large item 0x88, resource type 2. */
export function wordBusNumber(o: AddressSpaceOptions): AmlResource {
  return addressSpace('WordBusNumber', 'word', RESOURCE_TYPE.busNumber, 0, o);
}
/** DWordMemory (...): large item 0x87, resource type 0. */
export function dwordMemory(o: MemoryRangeOptions): AmlResource {
  return addressSpace('DWordMemory', 'dword', RESOURCE_TYPE.memory, memoryFlags(o), o);
}
/** QWordMemory (...): large item 0x8A, resource type 0. */
export function qwordMemory(o: MemoryRangeOptions): AmlResource {
  return addressSpace('QWordMemory', 'qword', RESOURCE_TYPE.memory, memoryFlags(o), o);
}
/** DWordIO (...): large item 0x87, resource type 1. */
export function dwordIo(o: IoRangeOptions): AmlResource {
  return addressSpace('DWordIO', 'dword', RESOURCE_TYPE.io, ioFlags(o), o);
}
/** QWordIO (...): large item 0x8A, resource type 1. */
export function qwordIo(o: IoRangeOptions): AmlResource {
  return addressSpace('QWordIO', 'qword', RESOURCE_TYPE.io, ioFlags(o), o);
}

// --- Definition block -------------------------------------------------------------------------

/**
 * The bytes of a definition block's body: `buildAcpiTable('DSDT', 2, oem, (w) => w.bytes(encodeAml(...)))`.
 */
export function encodeAml(...terms: AmlTerm[]): Uint8Array {
  return concat(termList(terms, 'DefinitionBlock.body'));
}
