// The AML encoder (src/firmware/acpi/aml.ts) byte for byte against Debian's iasl 20200925
// (acpica-tools; CI installs it). Oracle: iasl compiles ASL describing the same objects, run as
// `iasl -on` (no name-path shortening, so paths stay as written; its other defaults, integer
// shortening included, are what the encoder copies), and the body after the 36-byte header must
// equal encodeAml's output. Also: `iasl -d` disassembles a DSDT built from encodeAml, and every
// input rule raises an AcpiTableError naming its field. Tests that need iasl skip when it is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  add,
  and,
  arg,
  buffer,
  createDWordField,
  createQWordField,
  derefOf,
  device,
  dwordIo,
  dwordMemory,
  eisaId,
  encodeAml,
  encodePkgLength,
  ifElse,
  ifOp,
  index,
  int,
  interrupt,
  land,
  lequal,
  lgreater,
  lgreaterEqual,
  lless,
  llessEqual,
  lnot,
  lnotEqual,
  local,
  lor,
  memory32Fixed,
  method,
  multiply,
  name,
  one,
  ones,
  or,
  pkg,
  qwordIo,
  qwordMemory,
  ref,
  resourceTemplate,
  ret,
  scope,
  shiftLeft,
  shiftRight,
  store,
  str,
  subtract,
  toUuid,
  wordBusNumber,
  xor,
  zero,
  type AmlTerm,
} from '../../src/firmware/acpi/aml.js';
import { AcpiTableError, buildAcpiTable, DEFAULT_OEM } from '../../src/firmware/acpi/tables.js';

const IASL = ['iasl', '/usr/bin/iasl'].find((c) => spawnSync(c, ['-v'], { encoding: 'utf8' }).status === 0);
const skip = IASL ? false : 'iasl not found: install acpica-tools to compare AML with ASL compiled by iasl';
if (!IASL) console.log(`# SKIP aml golden tests: ${skip}`);

/** -on: keep name paths as written (iasl would otherwise drop `\` and prefixes it can resolve). */
const IASL_FLAGS = ['-vs', '-on'];

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cxlemu-aml-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** iasl's AML for a definition block holding `body`, without the 36-byte header. */
function compileAsl(body: string): Uint8Array {
  return withTempDir((dir) => {
    const asl = `DefinitionBlock ("", "DSDT", 2, "CXLEMU", "CXLEDSDT", 1) {\n${body}\n}\n`;
    writeFileSync(join(dir, 'x.asl'), asl);
    const r = spawnSync(IASL!, [...IASL_FLAGS, '-p', join(dir, 'x'), join(dir, 'x.asl')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `iasl failed:\n${r.stdout}${r.stderr}`);
    return readFileSync(join(dir, 'x.aml')).subarray(36);
  });
}

function hexLines(b: Uint8Array, from: number, to: number): string[] {
  const lines: string[] = [];
  for (let at = from - (from % 16); at < Math.min(to, b.length); at += 16)
    lines.push(`${at.toString(16).padStart(6, '0')}: ${Buffer.from(b.subarray(at, at + 16)).toString('hex')}`);
  return lines;
}

/** Equal bytes, or a hex diff of the lines around the first difference (whole dumps get unreadable). */
function assertSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  if (at === actual.length && at === expected.length) return;
  const from = Math.max(0, at - 48);
  assert.deepEqual(
    [`length ${actual.length}`, ...hexLines(actual, from, at + 64)],
    [`length ${expected.length}`, ...hexLines(expected, from, at + 64)],
  );
}

function golden(title: string, asl: string, terms: () => AmlTerm[]): void {
  test(`iasl golden: ${title}`, { skip }, () => assertSameBytes(encodeAml(...terms()), compileAsl(asl)));
}

// --- The DSDT of a machine with one CXL host bridge (and a second one the _DEP names) -----------

const OSC_PCIE = '33db4d5b-1ff7-401c-9657-7441c03dd766';
const OSC_CXL = '68f2d50b-c469-4d8a-bd3d-941a103fd3fc';
const DSM_CXL_QTG = 'f365f9a6-a7de-4071-a66a-b40c0b4f8e52';

const DSDT_ASL = String.raw`
  Scope (\_SB) {
    Device (PLIC) { Name (_HID, "RSCV0001")  Name (_UID, 0)  Name (_GSB, 0)
      Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, 0x0C000000, 0x00600000) }) }
    Device (COM0) { Name (_HID, "RSCV0003")  Name (_UID, 0)
      Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, 0x10000000, 0x100)
        Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { 10 } }) }
    Device (HB00) {
      Name (_HID, "ACPI0016")
      Name (_CID, Package () { EisaId ("PNP0A08"), EisaId ("PNP0A03") })
      Name (_UID, 7)  Name (_SEG, 0)  Name (_BBN, 0x10)
      Name (_CRS, ResourceTemplate () {
        WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0x10, 0x1F, 0, 0x10)
        DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0, 0x40000000, 0x47FFFFFF, 0, 0x08000000)
        QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0, 0x100000000, 0x1FFFFFFFF, 0, 0x100000000)
      })
      Name (_PRT, Package () { Package () { 0xFFFF, 0, 0, 32 }, Package () { 0xFFFF, 1, 0, 33 } })
      Method (_OSC, 4, NotSerialized) {
        CreateDWordField (Arg3, 0, CDW1)
        If (LEqual (Arg0, ToUUID ("${OSC_PCIE}"))) { Return (Arg3) }
        If (LEqual (Arg0, ToUUID ("${OSC_CXL}"))) { Return (Arg3) }
        Or (CDW1, 4, CDW1)
        Return (Arg3)
      }
    }
    Device (HB01) { Name (_HID, "ACPI0016")  Name (_UID, 8) }
    Device (CXLM) {
      Name (_HID, "ACPI0017")
      Name (_DEP, Package () { \_SB.HB00, \_SB.HB01 })
      Method (_DSM, 4, Serialized) {
        If (LEqual (Arg0, ToUUID ("${DSM_CXL_QTG}"))) {
          If (LEqual (Arg2, Zero)) { Return (Buffer () { 0x03 }) }
          If (LEqual (Arg2, One)) {
            // Arg3 = Package { read latency ps, write latency ps, read MB/s, write MB/s }
            Store (DerefOf (Index (Arg3, 0)), Local0)
            If (LLessEqual (Local0, 200000)) { Return (Package () { 1, Package () { 0 } }) }
            Return (Package () { 1, Package () { 1 } })
          }
        }
        Return (Buffer () { 0 })
      }
    }
  }`;

function dsdtTerms(): AmlTerm[] {
  return [
    scope(
      '\\_SB',
      device(
        'PLIC',
        name('_HID', 'RSCV0001'),
        name('_UID', 0),
        name('_GSB', 0),
        name('_CRS', resourceTemplate(memory32Fixed({ base: 0x0c00_0000, length: 0x0060_0000 }))),
      ),
      device(
        'COM0',
        name('_HID', 'RSCV0003'),
        name('_UID', 0),
        name(
          '_CRS',
          resourceTemplate(
            memory32Fixed({ base: 0x1000_0000, length: 0x100 }),
            interrupt({ interrupts: [10], trigger: 'level', polarity: 'activeHigh' }),
          ),
        ),
      ),
      device(
        'HB00',
        name('_HID', 'ACPI0016'),
        name('_CID', pkg(eisaId('PNP0A08'), eisaId('PNP0A03'))),
        name('_UID', 7),
        name('_SEG', 0),
        name('_BBN', 0x10),
        name(
          '_CRS',
          resourceTemplate(
            wordBusNumber({ producer: true, minFixed: true, maxFixed: true, min: 0x10, max: 0x1f, length: 0x10 }),
            dwordMemory({
              producer: true,
              minFixed: true,
              maxFixed: true,
              min: 0x4000_0000,
              max: 0x47ff_ffff,
              length: 0x0800_0000,
            }),
            qwordMemory({
              producer: true,
              minFixed: true,
              maxFixed: true,
              cacheable: 'cacheable',
              min: 0x1_0000_0000,
              max: 0x1_ffff_ffffn,
              length: 0x1_0000_0000,
            }),
          ),
        ),
        name('_PRT', pkg(pkg(0xffff, 0, 0, 32), pkg(0xffff, 1, 0, 33))),
        method(
          '_OSC',
          4,
          { serialized: false },
          createDWordField(arg(3), 0, 'CDW1'),
          ifOp(lequal(arg(0), toUuid(OSC_PCIE)), ret(arg(3))),
          ifOp(lequal(arg(0), toUuid(OSC_CXL)), ret(arg(3))),
          or(ref('CDW1'), 4, ref('CDW1')),
          ret(arg(3)),
        ),
      ),
      device('HB01', name('_HID', 'ACPI0016'), name('_UID', 8)),
      device(
        'CXLM',
        name('_HID', 'ACPI0017'),
        name('_DEP', pkg(ref('\\_SB.HB00'), ref('\\_SB.HB01'))),
        method(
          '_DSM',
          4,
          { serialized: true },
          ifOp(
            lequal(arg(0), toUuid(DSM_CXL_QTG)),
            ifOp(lequal(arg(2), zero), ret(buffer([0x03]))),
            ifOp(
              lequal(arg(2), one),
              store(derefOf(index(arg(3), 0)), local(0)),
              ifOp(llessEqual(local(0), 200_000), ret(pkg(1, pkg(0)))),
              ret(pkg(1, pkg(1))),
            ),
          ),
          ret(buffer([0])),
        ),
      ),
    ),
  ];
}

golden('the CXL machine DSDT (PLIC, UART, host bridges with _CRS/_PRT/_OSC, CXL root with _DSM)', DSDT_ASL, dsdtTerms);

// --- Data objects -----------------------------------------------------------------------------

const INTEGERS: readonly [string, number | bigint][] = [
  ['0', 0],
  ['1', 1],
  ['2', 2],
  ['0xFF', 0xff],
  ['0x100', 0x100],
  ['0xFFFF', 0xffff],
  ['0x10000', 0x1_0000],
  ['0xFFFFFFFF', 0xffff_ffff],
  ['0x100000000', 0x1_0000_0000],
  ['0x1FFFFFFFFFFFFF', Number.MAX_SAFE_INTEGER],
  ['0x123456789ABCDEF0', 0x1234_5678_9abc_def0n],
  ['0xFFFFFFFFFFFFFFFE', 0xffff_ffff_ffff_fffen],
  ['0xFFFFFFFFFFFFFFFF', 0xffff_ffff_ffff_ffffn], // iasl: OnesOp, as for the literal Ones
];

golden(
  'integers at every encoding boundary, and Zero/One/Ones',
  [
    ...INTEGERS.map(([asl], i) => `Name (I${i.toString(16).toUpperCase()}, ${asl})`),
    'Name (Z, Zero) Name (O, One) Name (F, Ones)',
  ].join('\n'),
  () => [
    ...INTEGERS.map(([, v], i) => name(`I${i.toString(16).toUpperCase()}`, int(v))),
    name('Z', zero),
    name('O', one),
    name('F', ones),
  ],
);

golden(
  'strings, including escapes and every printable character',
  String.raw`Name (S0, "") Name (S1, "RSCV0001") Name (S2, "\t\n\x01\x7F") Name (S3, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_` +
    '`' +
    'abcdefghijklmnopqrstuvwxyz{|}~")',
  () => {
    let printable = '';
    for (let c = 0x20; c <= 0x7e; c++) printable += String.fromCharCode(c);
    return [name('S0', ''), name('S1', str('RSCV0001')), name('S2', '\t\n\x01\x7f'), name('S3', printable)];
  },
);

golden(
  'buffers: empty, one byte (BufferSize One), declared size beyond the initialiser',
  'Name (B0, Buffer () {}) Name (B1, Buffer () { 0x03 }) Name (B2, Buffer () { 0, 1, 2, 0xFF }) Name (B3, Buffer (300) { 7, 8 })',
  () => [
    name('B0', buffer([])),
    name('B1', buffer([3])),
    name('B2', buffer(Uint8Array.of(0, 1, 2, 0xff))),
    name('B3', buffer([7, 8], 300)),
  ],
);

golden(
  'packages: empty, nested, mixed element types, names',
  String.raw`Device (\_SB.DEV) { Name (_ADR, 0) }
  Name (P0, Package () {})
  Name (P1, Package () { Package () { Package () { "x", Package () {} } }, 0x1234, Buffer () { 1, 2 } })
  Name (P2, Package () { \_SB.DEV, \_SB, One, Ones, "s" })`,
  () => [
    device('\\_SB.DEV', name('_ADR', 0)),
    name('P0', pkg()),
    name('P1', pkg(pkg(pkg('x', pkg())), 0x1234, buffer([1, 2]))),
    name('P2', pkg(ref('\\_SB.DEV'), ref('\\_SB'), one, ones, str('s'))),
  ],
);

golden(
  'EISAID (word- and dword-sized results, lower-case hex) and ToUUID byte order',
  `Name (E0, EisaId ("PNP0A08")) Name (E1, EisaId ("AAA0000")) Name (E2, EisaId ("ZZZFFFF")) Name (E3, EisaId ("PNP0c0f"))
  Name (U0, ToUUID ("${OSC_PCIE}")) Name (U1, ToUUID ("F365F9A6-A7DE-4071-A66A-B40C0B4F8E52"))`,
  () => [
    name('E0', eisaId('PNP0A08')),
    name('E1', eisaId('AAA0000')),
    name('E2', eisaId('ZZZFFFF')),
    name('E3', eisaId('PNP0c0f')),
    name('U0', toUuid(OSC_PCIE)),
    name('U1', toUuid('F365F9A6-A7DE-4071-A66A-B40C0B4F8E52')),
  ],
);

// --- PkgLength --------------------------------------------------------------------------------

// A Buffer of n bytes has a body of BufferSize (2 bytes up to 0xFF, 3 up to 0xFFFF) plus n; the
// PkgLength counts itself, so 1 byte holds bodies up to 62 and 2 bytes up to 4093.
const BUFFER_SIZES = [59, 60, 61, 62, 63, 64, 4089, 4090, 4091, 4092];

golden(
  'PkgLength at the 1/2 and 2/3-byte boundaries (Buffers with bodies of 62/63 and 4093/4094 bytes)',
  BUFFER_SIZES.map(
    (n, i) => `Name (B${i}, Buffer () { ${Array.from({ length: n }, (_, k) => k & 0xff).join(', ')} })`,
  ).join('\n'),
  () => BUFFER_SIZES.map((n, i) => name(`B${i}`, buffer(Array.from({ length: n }, (_, k) => k & 0xff)))),
);

// iasl caps string literals at 4096 characters and is quadratic in initialiser lists, so the
// 3/4-byte boundary (a body of 0xFFFFC bytes) is a Scope of 256 string Names of L+7 bytes each.
function bigScope(extra: number): { asl: string; terms: AmlTerm[] } {
  const lengths = Array.from({ length: 256 }, (_, i) => (i === 0 ? 4080 + extra : 4089));
  const s = (i: number, n: number): string => String.fromCharCode(0x41 + (i % 26)).repeat(n);
  return {
    asl: `Scope (\\_SB) {\n${lengths.map((n, i) => `Name (S${i.toString(16).toUpperCase().padStart(3, '0')}, "${s(i, n)}")`).join('\n')}\n}`,
    terms: [
      scope('\\_SB', ...lengths.map((n, i) => name(`S${i.toString(16).toUpperCase().padStart(3, '0')}`, s(i, n)))),
    ],
  };
}

for (const extra of [0, 1]) {
  golden(
    `PkgLength at the 3/4-byte boundary (a Scope body of 0x${(0xffffc + extra).toString(16)} bytes)`,
    bigScope(extra).asl,
    () => {
      const { terms } = bigScope(extra);
      assert.equal(terms[0]!.bytes[1]! >> 6, extra === 0 ? 2 : 3, 'PkgLength byte count');
      return terms;
    },
  );
}

test('PkgLength: the ACPI 6.5 sec. 20.2.4 layout at each boundary, and the 2^28 limit', () => {
  const hex = (n: number): string => Buffer.from(encodePkgLength(n)).toString('hex');
  assert.equal(hex(0), '01');
  assert.equal(hex(62), '3f');
  assert.equal(hex(63), '4104'); // 65 = 0x41: lead 0x40 | low nibble 1, then 65 >> 4
  assert.equal(hex(4093), '4fff');
  assert.equal(hex(4094), '810001'); // 4097 = 0x1001
  assert.equal(hex(0xffffc), '8fffff');
  assert.equal(hex(0xffffd), 'c1000001'); // 0x100001: lead 0xC0 | low nibble 1, then total >> 4 = 0x010000 little-endian
  assert.equal(hex(0xffffffb), 'cfffffff');
  assert.throws(() => encodePkgLength(0xffffffc), { name: 'AcpiTableError', field: 'PkgLength' });
});

// --- Names, methods, control flow -------------------------------------------------------------

golden(
  'name paths: root, single, dual and multi-segment, parent prefixes, short segments padded',
  String.raw`Scope (\) { Name (A, 1) }
  Scope (\_SB) {}
  Name (\_SB.X, 2)
  Device (\_SB.DEV) { Name (_ADR, 0) Device (SUB) { Name (_ADR, 0) Name (^FOO, 3) Name (^^BAR, 4) } }
  Name (\_SB.DEV.SUB.Z, 5)
  Scope (\_SB.DEV.SUB) { Name (Z2, 6) }
  Name (R, Package () { \_SB.DEV.SUB, \_SB.DEV.FOO, \_SB.BAR, \_SB.X, \A })`,
  () => [
    scope('\\', name('A', 1)),
    scope('\\_SB'),
    name('\\_SB.X', 2),
    device('\\_SB.DEV', name('_ADR', 0), device('SUB', name('_ADR', 0), name('^FOO', 3), name('^^BAR', 4))),
    name('\\_SB.DEV.SUB.Z', 5),
    scope('\\_SB.DEV.SUB', name('Z2', 6)),
    name('R', pkg(ref('\\_SB.DEV.SUB'), ref('\\_SB.DEV.FOO'), ref('\\_SB.BAR'), ref('\\_SB.X'), ref('\\A'))),
  ],
);

golden(
  'methods: flags, Arg/Local, If/Else/ElseIf, logical and arithmetic operators, Return ()',
  `Method (M0, 0, NotSerialized) { Return () }
  Method (M1, 7, Serialized, 15) {
    Store (Arg3, Local1) Store (Arg4, Local0) Store (Arg5, Local7)
    If (LNot (Arg0)) { Return (Local1) } Else { Return (Arg6) }
    If (LGreater (Arg0, Arg1)) { Add (Arg0, 5, Local0) } ElseIf (LLess (Arg0, 2)) { Store (Subtract (Arg0, 1), Local6) } Else { And (Local0, 0xFF, Local7) }
    ShiftLeft (Local0, 3, Local1)
    ShiftRight (Local1, Local7, Local2)
    Store (Add (Local0, Local2), Local3)
    Multiply (Local3, 3, Local3)
    Xor (Local3, Local6, Local5)
    If (LNotEqual (Arg0, 1)) { Return (Local5) }
    If (LGreaterEqual (Arg0, 1)) { Return (Local3) }
    If (LAnd (Arg0, LOr (Arg1, Arg2))) { Return (Ones) }
    Return (Index (Package () { 4, 5 }, Local0))
  }
  Method (M2, 1, Serialized) {
    CreateQWordField (Arg0, 8, QW1)
    Store (0x123456789, QW1)
  }`,
  () => [
    method('M0', 0, {}, ret()),
    method(
      'M1',
      7,
      { serialized: true, syncLevel: 15 },
      store(arg(3), local(1)),
      store(arg(4), local(0)),
      store(arg(5), local(7)),
      ifElse(lnot(arg(0)), [ret(local(1))], [ret(arg(6))]),
      ifElse(
        lgreater(arg(0), arg(1)),
        [add(arg(0), 5, local(0))],
        [ifElse(lless(arg(0), 2), [store(subtract(arg(0), 1), local(6))], [and(local(0), 0xff, local(7))])],
      ),
      shiftLeft(local(0), 3, local(1)),
      shiftRight(local(1), local(7), local(2)),
      store(add(local(0), local(2)), local(3)),
      multiply(local(3), 3, local(3)),
      xor(local(3), local(6), local(5)),
      ifOp(lnotEqual(arg(0), 1), ret(local(5))),
      ifOp(lgreaterEqual(arg(0), 1), ret(local(3))),
      ifOp(land(arg(0), lor(arg(1), arg(2))), ret(ones)),
      ret(index(pkg(4, 5), local(0))),
    ),
    method('M2', 1, { serialized: true }, createQWordField(arg(0), 8, 'QW1'), store(0x1_2345_6789, ref('QW1'))),
  ],
);

// --- Resource descriptors ---------------------------------------------------------------------

golden(
  'resource descriptors: every flag of Memory32Fixed, Interrupt, Word/DWord/QWord address spaces',
  `Name (R0, ResourceTemplate () {
    Memory32Fixed (ReadOnly, 0x1000, 0x2000)
    Memory32Fixed (ReadWrite, 0xFFFFF000, 0x1000)
    Interrupt (ResourceConsumer, Edge, ActiveLow, SharedAndWake) { 1, 2, 0xFFFFFFFF }
    Interrupt (ResourceProducer, Level, ActiveHigh, Exclusive) { 5 }
    Interrupt (ResourceConsumer, Level, ActiveHigh, ExclusiveAndWake) { 6 }
    Interrupt (ResourceConsumer, Edge, ActiveHigh, Shared) { 7 }
    DWordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, 0x1000, 0x1FFF, 0x3000000, 0x1000)
    QWordIO (ResourceConsumer, MinNotFixed, MaxNotFixed, SubDecode, ISAOnlyRanges, 0, 0x1000, 0x1FFF, 0x3000000, 0x1000, , , , TypeTranslation, SparseTranslation)
    DWordIO (ResourceConsumer, MinFixed, MaxNotFixed, PosDecode, NonISAOnlyRanges, 0, 0, 0xFFFF, 0, 0)
    DWordMemory (ResourceConsumer, SubDecode, MinNotFixed, MaxNotFixed, Prefetchable, ReadOnly, 0xFFF, 0x1000, 0x1FFF, 0, 0x1000, , , , AddressRangeNVS, TypeTranslation)
    DWordMemory (ResourceProducer, PosDecode, MinNotFixed, MaxFixed, WriteCombining, ReadWrite, 0, 0x1000, 0x1FFF, 0, 0, , , , AddressRangeReserved, TypeStatic)
    QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0, 0xFFFFFFFF00000000, 0xFFFFFFFFFFFFFFFE, 0x1234, 0xFFFFFFFF, , , , AddressRangeACPI, TypeStatic)
    WordBusNumber (ResourceConsumer, MinNotFixed, MaxNotFixed, SubDecode, 0, 0, 0xFF, 0, 0x100)
  })
  Name (R1, ResourceTemplate () {})`,
  () => [
    name(
      'R0',
      resourceTemplate(
        memory32Fixed({ writable: false, base: 0x1000, length: 0x2000 }),
        memory32Fixed({ base: 0xffff_f000, length: 0x1000 }),
        interrupt({
          interrupts: [1, 2, 0xffff_ffff],
          trigger: 'edge',
          polarity: 'activeLow',
          shared: true,
          wakeCapable: true,
        }),
        interrupt({ consumer: false, interrupts: [5], trigger: 'level', polarity: 'activeHigh' }),
        interrupt({ interrupts: [6], trigger: 'level', polarity: 'activeHigh', wakeCapable: true }),
        interrupt({ interrupts: [7], trigger: 'edge', polarity: 'activeHigh', shared: true }),
        dwordIo({
          producer: true,
          minFixed: true,
          maxFixed: true,
          min: 0x1000,
          max: 0x1fff,
          translation: 0x300_0000,
          length: 0x1000,
        }),
        qwordIo({
          subtractiveDecode: true,
          isaRanges: 'isaOnly',
          typeTranslation: true,
          sparseTranslation: true,
          min: 0x1000,
          max: 0x1fff,
          translation: 0x300_0000,
          length: 0x1000,
        }),
        dwordIo({ minFixed: true, isaRanges: 'nonIsaOnly', min: 0, max: 0xffff, length: 0 }),
        dwordMemory({
          subtractiveDecode: true,
          cacheable: 'prefetchable',
          writable: false,
          rangeType: 'nvs',
          typeTranslation: true,
          granularity: 0xfff,
          min: 0x1000,
          max: 0x1fff,
          length: 0x1000,
        }),
        dwordMemory({
          producer: true,
          maxFixed: true,
          cacheable: 'writeCombining',
          rangeType: 'reserved',
          min: 0x1000,
          max: 0x1fff,
          length: 0,
        }),
        qwordMemory({
          producer: true,
          minFixed: true,
          maxFixed: true,
          cacheable: 'cacheable',
          rangeType: 'acpi',
          min: 0xffff_ffff_0000_0000n,
          max: 0xffff_ffff_ffff_fffen,
          translation: 0x1234,
          length: 0xffff_ffff,
        }),
        wordBusNumber({ subtractiveDecode: true, min: 0, max: 0xff, length: 0x100 }),
      ),
    ),
    name('R1', resourceTemplate()),
  ],
);

golden(
  'a ResourceTemplate over 255 bytes (BufferSize as a Word)',
  `Name (R0, ResourceTemplate () {\n${Array.from(
    { length: 6 },
    (_, i) =>
      `QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite, 0, ${(i + 1) * 2 ** 32}, ${(i + 2) * 2 ** 32 - 1}, 0, 0x100000000)`,
  ).join('\n')}\n})`,
  () => [
    name(
      'R0',
      resourceTemplate(
        ...Array.from({ length: 6 }, (_, i) =>
          qwordMemory({
            producer: true,
            minFixed: true,
            maxFixed: true,
            cacheable: 'cacheable',
            min: (i + 1) * 2 ** 32,
            max: (i + 2) * 2 ** 32 - 1,
            length: 2 ** 32,
          }),
        ),
      ),
    ),
  ],
);

// --- Disassembly round trip -------------------------------------------------------------------

test('iasl -d: a DSDT built from encodeAml disassembles cleanly and shows our devices', { skip }, () => {
  const table = buildAcpiTable('DSDT', 2, DEFAULT_OEM, (w) => w.bytes(encodeAml(...dsdtTerms())));
  const dsl = withTempDir((dir) => {
    writeFileSync(join(dir, 'dsdt.dat'), table);
    const r = spawnSync(IASL!, ['-vs', '-d', 'dsdt.dat'], { cwd: dir, encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.doesNotMatch(out, /error|warning/i, out);
    assert.ok(existsSync(join(dir, 'dsdt.dsl')), out);
    return readFileSync(join(dir, 'dsdt.dsl'), 'utf8');
  });
  for (const dev of ['PLIC', 'COM0', 'HB00', 'HB01', 'CXLM']) assert.match(dsl, new RegExp(`Device \\(${dev}\\)`));
  assert.match(dsl, /"ACPI0016"/);
  assert.match(dsl, /"ACPI0017"/);
  assert.match(dsl, /EisaId \("PNP0A08"\)/);
  assert.match(dsl, new RegExp(`ToUUID \\("${OSC_CXL}"`, 'i'));
  assert.match(dsl, /QWordMemory \(ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite/);
  assert.match(dsl, /Interrupt \(ResourceConsumer, Level, ActiveHigh, Exclusive, ,, \)\s*\{\s*0x0000000A/);
  // iasl names the UUIDs it knows and calls the CXL _OSC one "Unknown UUID"; anything else unknown is ours.
  assert.doesNotMatch(dsl.replaceAll('/* Unknown UUID */', ''), /Unknown|Invalid|\*\*\*\*/);
});

// --- Input rules ------------------------------------------------------------------------------

/** `fn` throws an AcpiTableError for `field`. */
function rejects(fn: () => unknown, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AcpiTableError, String(e));
    assert.equal(e.field, field, e.message);
    assert.match(e.message, new RegExp(`^${field.replace(/[[\]().]/g, '\\$&')}: `));
    return true;
  });
}

test('names: 1-4 characters of A-Z 0-9 _, not starting with a digit, per segment', () => {
  rejects(() => device('9ABC'), 'Device.name');
  rejects(() => device('ABCDE'), 'Device.name');
  rejects(() => device('abc'), 'Device.name');
  rejects(() => device(''), 'Device.name');
  rejects(() => name('\\_SB..X', 0), 'Name.name');
  rejects(() => name('_SB.', 0), 'Name.name');
  rejects(() => scope('^'), 'Scope.name');
  rejects(() => scope('\\^A'), 'Scope.name');
  rejects(() => method('A-B', 0, {}), 'Method.name');
  rejects(() => ref('\\_SB.HB 0'), 'NameString');
  rejects(() => createDWordField(arg(3), 0, 'CDW10'), 'CreateDWordField.name');
  rejects(() => ref(Array.from({ length: 256 }, () => 'A').join('.')), 'NameString');
  assert.doesNotThrow(() => ref(Array.from({ length: 255 }, () => 'A').join('.')));
});

test('integers: 0..2^64-1, Numbers only while exact (below 2^53)', () => {
  rejects(() => int(-1), 'Integer.value');
  rejects(() => int(1.5), 'Integer.value');
  rejects(() => int(2 ** 53), 'Integer.value');
  rejects(() => int(2n ** 64n), 'Integer.value');
  rejects(() => int(-1n), 'Integer.value');
  rejects(() => name('_UID', -3), 'Name.value');
  rejects(() => pkg(1, 2 ** 60), 'Package.elements[1]');
  rejects(() => lequal(arg(0), Number.NaN), 'LEqual.right');
  rejects(() => add(local(0), 1.25), 'Add.right');
  assert.equal(Buffer.from(int(2n ** 64n - 1n).bytes).toString('hex'), 'ff');
  assert.equal(Buffer.from(int(2 ** 53 - 1).bytes).toString('hex'), '0effffffffffff1f00');
});

test('strings: ASCII without NUL', () => {
  rejects(() => str('a\0b'), 'String.value');
  rejects(() => str('café'), 'String.value');
  rejects(() => name('_HID', 'ACPI\u{1F600}'), 'Name.value');
  rejects(() => pkg('ok', 'x\0'), 'Package.elements[1]');
});

test('ToUUID: 8-4-4-4-12 hex digits', () => {
  rejects(() => toUuid('33db4d5b-1ff7-401c-9657-7441c03dd76'), 'ToUUID.uuid');
  rejects(() => toUuid('33db4d5b1ff7401c96577441c03dd766'), 'ToUUID.uuid');
  rejects(() => toUuid('g3db4d5b-1ff7-401c-9657-7441c03dd766'), 'ToUUID.uuid');
  rejects(() => toUuid('{33db4d5b-1ff7-401c-9657-7441c03dd766}'), 'ToUUID.uuid');
});

test('EISAID: 3 upper-case letters then 4 hex digits', () => {
  rejects(() => eisaId('pnp0A08'), 'EISAID.id');
  rejects(() => eisaId('PNP0A0'), 'EISAID.id');
  rejects(() => eisaId('PNP0A0G'), 'EISAID.id');
  rejects(() => eisaId('PN10A08'), 'EISAID.id');
  rejects(() => eisaId('ACPI0016'), 'EISAID.id');
});

test('buffers, packages, methods, Arg/Local: sizes and counts', () => {
  rejects(() => buffer([0, 256]), 'Buffer.bytes[1]');
  rejects(() => buffer([1, 2, 3], 2), 'Buffer.size');
  rejects(() => pkg(...Array.from({ length: 256 }, () => 0)), 'Package.elements');
  assert.doesNotThrow(() => pkg(...Array.from({ length: 255 }, () => 0)));
  rejects(() => method('M', 8, {}), 'Method.argCount');
  rejects(() => method('M', 1, { syncLevel: 16 }), 'Method.syncLevel');
  rejects(() => arg(7), 'Arg.index');
  rejects(() => local(8), 'Local.index');
});

test('resource descriptors: field widths, interrupt count, address ranges', () => {
  rejects(() => memory32Fixed({ base: 2 ** 32, length: 1 }), 'Memory32Fixed.base');
  rejects(() => memory32Fixed({ base: 0, length: -1 }), 'Memory32Fixed.length');
  rejects(() => interrupt({ interrupts: [], trigger: 'level', polarity: 'activeHigh' }), 'Interrupt.interrupts');
  rejects(
    () => interrupt({ interrupts: [1, 2 ** 32], trigger: 'level', polarity: 'activeHigh' }),
    'Interrupt.interrupts[1]',
  );
  rejects(() => wordBusNumber({ min: 0, max: 0x1_0000, length: 1 }), 'WordBusNumber.max');
  rejects(() => dwordMemory({ min: 0, max: 2 ** 32, length: 1 }), 'DWordMemory.max');
  rejects(() => qwordMemory({ min: 0, max: 2n ** 64n, length: 1 }), 'QWordMemory.max');
  rejects(() => qwordIo({ min: 0, max: 1, length: 1, granularity: -1 }), 'QWordIO.granularity');
  rejects(() => dwordIo({ min: 0x2000, max: 0x1fff, length: 0 }), 'DWordIO.max');
  rejects(() => dwordMemory({ min: 0x1000, max: 0x1fff, length: 0x1001 }), 'DWordMemory.length');
  rejects(
    () => dwordMemory({ minFixed: true, maxFixed: true, min: 0x1000, max: 0x1fff, length: 0x800 }),
    'DWordMemory.length',
  );
  rejects(() => dwordMemory({ minFixed: true, maxFixed: true, min: 0, max: 0xfff, length: 0 }), 'DWordMemory.length');
  rejects(() => qwordMemory({ minFixed: true, min: 0x1000, max: 0x1fff, length: 0x800 }), 'QWordMemory.length');
  rejects(() => wordBusNumber({ maxFixed: true, min: 0, max: 0xff, length: 1 }), 'WordBusNumber.length');
  assert.doesNotThrow(() => wordBusNumber({ maxFixed: true, min: 0, max: 0xff, length: 0 }));
});

test('terms go only where AML allows them (types, and the same rule at run time)', () => {
  // @ts-expect-error a Device is not a value a Name can hold
  rejects(() => name('X', device('D')), 'Name.value');
  // @ts-expect-error a descriptor is not a term
  rejects(() => encodeAml(memory32Fixed({ base: 0, length: 1 })), 'DefinitionBlock.body[0]');
  // @ts-expect-error a bare Integer is not a term
  rejects(() => device('D', 5), 'Device.body[0]');
  // @ts-expect-error an Integer is not a Target
  rejects(() => store(1, int(2)), 'Store.target');
  // @ts-expect-error nor is a bare number
  rejects(() => add(1, 2, 3), 'Add.target');
  // @ts-expect-error a Scope cannot be an operand
  rejects(() => lequal(scope('\\_SB'), 1), 'LEqual.left');
  // @ts-expect-error only descriptors go in a ResourceTemplate
  rejects(() => resourceTemplate(int(1)), 'ResourceTemplate.descriptors[0]');
});
