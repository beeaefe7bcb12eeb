// Random instruction sequence generator for differential testing against QEMU. Emits GNU assembly
// text (assembled by riscv64-unknown-elf-as at test time): per seed, the scratch area is filled
// with a seed-derived pattern, the registers get random values, then `length` random instruction
// slots run in M, S or U mode (seed % 3; entered with mret, left with a recognised ecall; half
// of the S/U bodies with Sv39 paging over identity gigapages whose A/D bits the hardware sets)
// (ALU, M, Zba/Zbb/Zbs, loads/stores into the scratch area, AMOs, LR/SC pairs, compressed forms,
// forward branches and jumps, deterministic CSR accesses, fences, traps taken and returned from), and
// finally every register, a trap log hash and a scratch checksum are dumped over the UART.
//
// Register conventions in generated code: gp (x3) = scratch base (never written), tp (x4) =
// reserved for the trap handler; every other register is random and may be written.

/** Behaviour the generator deliberately does not produce, with the reason. Printed by the test. */
export const EXCLUSIONS: ReadonlyArray<{ what: string; why: string }> = [
  {
    what: 'satp writes by the random code (the harness sets Sv39 itself)',
    why: 'QEMU 7.2 advertises Sv48 and cannot be limited to Sv39: satp.MODE=9 WARL writes differ',
  },
  {
    what: 'PMP CSRs other than pmpcfg0/2 and pmpaddr0..15',
    why: 'QEMU 7.2 raises illegal instruction; the spec makes them read-only zero',
  },
  {
    what: 'cycle/time/instret and mcycle/minstret reads or writes',
    why: 'QEMU without -icount returns host ticks; its counters after a minstret write are wrong; time is host-clock dependent',
  },
  {
    what: 'misaligned AMO and SC',
    why: 'QEMU 7.2 reports misaligned AMOs as load-misaligned (4, not 6) and lets a misaligned SC fail without trapping (isa-rv64a covers them as DEVIATION lines)',
  },
  { what: 'mtval of EBREAK (not recorded)', why: 'the spec allows 0 or the pc; QEMU 7.2 writes 0' },
  {
    what: 'LR/SC other than an adjacent pair on one aligned address',
    why: 'reservation sets and their loss are implementation-defined',
  },
  { what: 'WFI, interrupts, mstatus/mie/mip/medeleg writes', why: 'timing-dependent; covered by isa-traps instead' },
  { what: 'finisher fail with code 0', why: 'QEMU exits 0 for it' },
  {
    what: 'backward branches and computed jumps to random targets',
    why: 'sequences must terminate; only forward targets within the sequence',
  },
  { what: 'self-modifying code', why: 'covered by isa-zicsr (fence.i)' },
  {
    what: 'ctzw',
    why: 'QEMU 7.2 counts the trailing zeros of all 64 bits (ctzw of 0xe27b6ad800000000 gives 35, not 32); test/cpu/bitmanip.test.ts checks it against the spec model',
  },
];

/** mulberry32: small, fast, good enough for test generation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRITABLE = [1, 2, ...Array.from({ length: 27 }, (_, i) => i + 5)]; // x1, x2, x5..x31
const CREGS = [8, 9, 10, 11, 12, 13, 14, 15]; // x8..x15 for CA/CB/CL/CS forms
const SCRATCH_BYTES = 4096;
const UNMAPPED = 0x0100_0000;

const SPECIAL = [
  '0',
  '1',
  '-1',
  '0x7fffffffffffffff',
  '0x8000000000000000',
  '0x7fffffff',
  '0x80000000',
  '0xffffffff',
  '-2',
  '0xffffffff80000000',
  '63',
  '64',
  '32',
  '31',
];

const R_OPS = [
  'add',
  'sub',
  'sll',
  'slt',
  'sltu',
  'xor',
  'srl',
  'sra',
  'or',
  'and',
  'addw',
  'subw',
  'sllw',
  'srlw',
  'sraw',
  'mul',
  'mulh',
  'mulhsu',
  'mulhu',
  'mulw',
  'div',
  'divu',
  'rem',
  'remu',
  'divw',
  'divuw',
  'remw',
  'remuw',
  // Zba, Zbb, Zbs
  'sh1add',
  'sh2add',
  'sh3add',
  'add.uw',
  'sh1add.uw',
  'sh2add.uw',
  'sh3add.uw',
  'andn',
  'orn',
  'xnor',
  'max',
  'maxu',
  'min',
  'minu',
  'rol',
  'rolw',
  'ror',
  'rorw',
  'bclr',
  'bext',
  'binv',
  'bset',
];
/** Zbb's one-operand forms. */
const UNARY_OPS = ['clz', 'clzw', 'ctz', 'cpop', 'cpopw', 'sext.b', 'sext.h', 'zext.h', 'orc.b', 'rev8'];
const I_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw'];
const SH_OPS = ['slli', 'srli', 'srai', 'slli.uw', 'rori', 'bclri', 'bexti', 'binvi', 'bseti'];
const SHW_OPS = ['slliw', 'srliw', 'sraiw', 'roriw'];
const LOADS: Array<[string, number]> = [
  ['lb', 1],
  ['lh', 2],
  ['lw', 4],
  ['ld', 8],
  ['lbu', 1],
  ['lhu', 2],
  ['lwu', 4],
];
const STORES: Array<[string, number]> = [
  ['sb', 1],
  ['sh', 2],
  ['sw', 4],
  ['sd', 8],
];
const AMOS = ['amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const CSR_READ = ['mscratch', 'sscratch', 'misa', 'mhartid', 'mstatus'];
const CSR_RW = ['mscratch', 'sscratch'];

/** The privilege mode a seed's body runs in: M (3), S (1) or U (0), in turn. */
export function privilegeOf(seed: number): number {
  return [3, 1, 0][seed % 3]!;
}
/** S and U bodies of every other round run with Sv39 paging (identity gigapages). */
export function pagedSeed(seed: number): boolean {
  return privilegeOf(seed) !== 3 && seed % 6 >= 3;
}

export interface Sequence {
  seed: number;
  /** Assembly for this seed (labels are unique per seed). */
  asm: string;
  /** The random body only, one slot per line (for mismatch reports). */
  body: string[];
}

export function generate(seed: number, length: number): Sequence {
  const r = rng(seed * 2654435761 + 12345);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const hex64 = () =>
    '0x' +
    Array.from({ length: 2 }, () =>
      Math.floor(r() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
  const value = () => (r() < 0.3 ? pick(SPECIAL) : hex64());
  const reg = () => `x${pick(WRITABLE)}`;
  const src = () => (r() < 0.05 ? 'x0' : r() < 0.05 ? 'gp' : `x${pick(WRITABLE)}`);
  const creg = () => `x${pick(CREGS)}`;
  const simm = (bits: number) => int(2 ** bits) - 2 ** (bits - 1);
  const L = (i: number) => `.Ls${seed}_${i}`;

  const out: string[] = [];
  const body: string[] = [];
  // Pending forward-label positions: slot index -> label.
  const labelsAt = new Map<number, string[]>();
  let labelCounter = 0;
  const forward = (i: number) => {
    const target = Math.min(length, i + 1 + int(6));
    const name = L(labelCounter++);
    const list = labelsAt.get(target) ?? [];
    list.push(name);
    labelsAt.set(target, list);
    return name;
  };

  out.push(`seed_${seed}:`);
  // Scratch fill: a seed-derived LCG over 512 doublewords.
  out.push(`  li t0, ${hex64()}`, `  li t1, ${SCRATCH_BYTES / 8}`, '  mv t2, gp', '  li t3, 0x5851f42d4c957f2d');
  out.push(
    `.Lfill${seed}:`,
    '  sd t0, 0(t2)',
    '  mul t0, t0, t3',
    '  addi t0, t0, 1443',
    '  addi t2, t2, 8',
    '  addi t1, t1, -1',
    `  bnez t1, .Lfill${seed}`,
  );
  out.push('  sd x0, -16(gp)', '  sd x0, -24(gp)');
  out.push(`  li t0, ${hex64()}`, '  csrw mscratch, t0', `  li t0, ${hex64()}`, '  csrw sscratch, t0');
  // Enter the seed's privilege mode with mret; the body ends with an ecall at .Lexit that the
  // trap handler recognises (its address is at -32(gp)) and turns into a return to .Lmepi in M.
  const mode = privilegeOf(seed);
  if (pagedSeed(seed)) {
    // Sv39 with fresh identity gigapages (A and D clear, so the hardware sets them): 0..1 GiB
    // (MMIO, the access-fault address) RW, 2..3 GiB (RAM: code, scratch) RWX; U set for U seeds.
    const u = mode === 0 ? 0x10 : 0;
    out.push(
      `  la t0, ${mode === 0 ? 'pt_root_u' : 'pt_root_s'}`,
      '  sd t0, -48(gp)',
      `  li t1, ${0x7 | u}`,
      '  sd t1, 0(t0)',
      `  li t1, ${(0x80000000 / 4096) * 1024 + (0xf | u)}`,
      '  sd t1, 16(t0)',
      '  srli t0, t0, 12',
      '  li t1, 8',
      '  slli t1, t1, 60',
      '  or t0, t0, t1',
      '  csrw satp, t0',
      '  sfence.vma',
    );
  } else {
    out.push('  sd x0, -48(gp)');
  }
  out.push(
    `  la t0, .Lexit${seed}`,
    '  sd t0, -32(gp)',
    `  la t0, .Lmepi${seed}`,
    '  sd t0, -40(gp)',
    '  li t0, 0x1800',
    '  csrc mstatus, t0',
    `  li t0, ${mode << 11}`,
    '  csrs mstatus, t0',
    `  la t0, .Lbody${seed}`,
    '  csrw mepc, t0',
    '  mret',
    `.Lbody${seed}:`,
  );
  for (const x of WRITABLE) out.push(`  li x${x}, ${value()}`);

  for (let i = 0; i < length; i++) {
    for (const l of labelsAt.get(i) ?? []) out.push(`${l}:`);
    const lines: string[] = [];
    const k = r();
    if (k < 0.28) {
      lines.push(`${pick(R_OPS)} ${reg()}, ${src()}, ${src()}`);
    } else if (k < 0.4) {
      if (r() < 0.15) lines.push(`${pick(UNARY_OPS)} ${reg()}, ${src()}`);
      else lines.push(`${pick(I_OPS)} ${reg()}, ${src()}, ${simm(12)}`);
    } else if (k < 0.46) {
      if (r() < 0.5) lines.push(`${pick(SH_OPS)} ${reg()}, ${src()}, ${int(64)}`);
      else lines.push(`${pick(SHW_OPS)} ${reg()}, ${src()}, ${int(32)}`);
    } else if (k < 0.48) {
      lines.push(r() < 0.5 ? `lui ${reg()}, ${int(2 ** 20)}` : `auipc ${reg()}, ${int(2 ** 20)}`);
    } else if (k < 0.58) {
      const [op, size] = pick(LOADS);
      const off = r() < 0.8 ? int(2048 / size) * size : int(2040); // some misaligned (allowed on both)
      lines.push(`${op} ${reg()}, ${off}(gp)`);
    } else if (k < 0.66) {
      const [op, size] = pick(STORES);
      const off = r() < 0.8 ? int(2048 / size) * size : int(2040);
      lines.push(`${op} ${src()}, ${off}(gp)`);
    } else if (k < 0.7) {
      const w = r() < 0.5 ? 'w' : 'd';
      const size = w === 'w' ? 4 : 8;
      const t = reg();
      lines.push(`addi ${t}, gp, ${int(2048 / size) * size}`);
      let rd = reg();
      let rs2 = src();
      if (rs2 === t) rs2 = 'x0';
      if (rd === t && r() < 0.5) rd = 'x0';
      const order = pick(['', '.aq', '.rl', '.aqrl']);
      lines.push(`${pick(AMOS)}.${w}${order} ${rd}, ${rs2}, (${t})`);
    } else if (k < 0.72) {
      const w = r() < 0.5 ? 'w' : 'd';
      const size = w === 'w' ? 4 : 8;
      const t = reg();
      lines.push(`addi ${t}, gp, ${int(2048 / size) * size}`);
      let rd = reg();
      while (rd === t) rd = reg();
      let rs2 = src();
      if (rs2 === t) rs2 = 'x0';
      lines.push(`lr.${w} ${rd}, (${t})`, `sc.${w} ${reg()}, ${rs2}, (${t})`);
    } else if (k < 0.82) {
      const c = r();
      if (c < 0.25) lines.push(`${pick(['c.add', 'c.mv'])} ${reg()}, ${reg()}`);
      else if (c < 0.45)
        lines.push(`${pick(['c.sub', 'c.xor', 'c.or', 'c.and', 'c.addw', 'c.subw'])} ${creg()}, ${creg()}`);
      else if (c < 0.55) lines.push(`${pick(['c.srli', 'c.srai'])} ${creg()}, ${1 + int(63)}`);
      else if (c < 0.6) lines.push(`c.andi ${creg()}, ${simm(6)}`);
      else if (c < 0.7) lines.push(`${pick(['c.addi', 'c.addiw'])} ${reg()}, ${simm(6) || 1}`);
      else if (c < 0.75) lines.push(`c.slli ${reg()}, ${1 + int(63)}`);
      else if (c < 0.8) lines.push(`c.li ${reg()}, ${simm(6)}`);
      else if (c < 0.85) lines.push(`c.lui x${pick(WRITABLE.filter((x) => x !== 2))}, ${1 + int(31)}`);
      else {
        // Compressed load/store: base register x8..x15 = gp + aligned offset.
        const b = creg();
        const d = r() < 0.5;
        const size = d ? 8 : 4;
        lines.push(`addi ${b}, gp, ${int(1024 / size) * size}`);
        const off = int(32) * size;
        if (r() < 0.5) lines.push(`${d ? 'c.ld' : 'c.lw'} ${creg()}, ${off}(${b})`);
        else lines.push(`${d ? 'c.sd' : 'c.sw'} ${creg()}, ${off}(${b})`);
      }
    } else if (k < 0.89) {
      const b = r();
      if (b < 0.7) lines.push(`${pick(BRANCHES)} ${src()}, ${src()}, ${forward(i)}`);
      else if (b < 0.8) lines.push(`${pick(['c.beqz', 'c.bnez'])} ${creg()}, ${forward(i)}`);
      else if (b < 0.9) lines.push(`jal ${r() < 0.3 ? 'x0' : reg()}, ${forward(i)}`);
      else {
        const t = reg();
        lines.push(`la ${t}, ${forward(i)}`, `jalr ${r() < 0.3 ? 'x0' : reg()}, 0(${t})`);
      }
    } else if (k < 0.95) {
      const c = r();
      if (c < 0.4) lines.push(`csrr ${reg()}, ${pick(CSR_READ)}`);
      else if (c < 0.7)
        lines.push(`${pick(['csrrw', 'csrrs', 'csrrc'])} ${r() < 0.2 ? 'x0' : reg()}, ${pick(CSR_RW)}, ${src()}`);
      else lines.push(`${pick(['csrrwi', 'csrrsi', 'csrrci'])} ${reg()}, ${pick(CSR_RW)}, ${int(32)}`);
    } else if (k < 0.96) {
      lines.push(
        pick(['fence', 'fence rw, rw', 'fence.tso', 'fence.i', 'sfence.vma', 'nop', 'c.nop', 'fence iorw, iorw']),
      );
    } else {
      const t = r();
      if (t < 0.3) lines.push('ecall');
      else if (t < 0.45) lines.push('ebreak');
      else if (t < 0.7) lines.push('.4byte 0xc0001073 # illegal: csrw cycle, x0');
      else if (t < 0.8) lines.push('.4byte 0xfff02073 # illegal: csrrs x0, 0xfff, x0 (no such CSR)');
      else if (t < 0.9) {
        const tr = reg();
        lines.push(
          `addi ${tr}, gp, ${1 + 2 * int(1000)}`,
          `lr.d ${reg()}, (${tr}) # misaligned LR: load-misaligned trap`,
        );
      } else {
        const tr = reg();
        lines.push(`li ${tr}, ${UNMAPPED + 8 * int(100)}`);
        if (r() < 0.5) lines.push(`${pick(['ld', 'lw', 'lbu'])} ${reg()}, 0(${tr}) # load access fault`);
        else lines.push(`${pick(['sd', 'sw', 'sb'])} ${src()}, 0(${tr}) # store access fault`);
      }
    }
    for (const l of lines) out.push('  ' + l);
    body.push(lines.join(' ; '));
  }
  for (const l of labelsAt.get(length) ?? []) out.push(`${l}:`);
  out.push(`.Lexit${seed}:`, '  ecall', `.Lmepi${seed}:`);
  // Epilogue (M mode): tp = dump area (gp + 4096); x31 saved; seed number in the x3 slot; x31 = return.
  out.push(
    '  addi tp, gp, 2047',
    '  addi tp, tp, 2047',
    '  addi tp, tp, 2',
    '  sd x31, 248(tp)',
    `  li x31, ${seed}`,
    '  sd x31, 24(tp)',
    `  la x31, .Lret${seed}`,
    '  sd x30, 240(tp)',
    '  la x30, dump_regs',
    '  jr x30',
    `.Lret${seed}:`,
  );
  return { seed, asm: out.join('\n'), body };
}

/** A complete program running `seeds` one after the other; its UART output is parsed by parseDump. */
export function program(seeds: number[], length: number): string {
  const parts: string[] = [];
  parts.push(PRELUDE);
  for (const s of seeds) parts.push(generate(s, length).asm);
  parts.push('  la t0, all_done', '  jr t0');
  parts.push(POSTLUDE);
  return parts.join('\n') + '\n';
}

/** Parse "seed N" blocks: seed -> lines "name value". */
export function parseDump(uart: string): Map<number, string[]> {
  const res = new Map<number, string[]>();
  let cur: string[] | null = null;
  for (const line of uart.split('\n')) {
    const m = /^seed (\d+)$/.exec(line.trim());
    if (m) {
      cur = [];
      res.set(Number(m[1]), cur);
    } else if (cur && line.trim() && line.trim() !== 'done') cur.push(line.trim());
  }
  return res;
}

/**
 * The programs' UART output routines (putc, putnl, putsp, puts, puthex, puthexn, putdec), shared by
 * the integer and the floating-point generators.
 */
export const UART_ROUTINES = String.raw`# UART helpers (NS16550A THR at 0x10000000, LSR bit 5 = THR empty). putc clobbers t0, t1; the
# others keep their return address in s10.
putc:
  li t0, 0x10000000
1: lbu t1, 5(t0)
  andi t1, t1, 0x20
  beqz t1, 1b
  sb a0, 0(t0)
  ret
putnl:
  mv s10, ra
  li a0, '\n'
  call putc
  jr s10
putsp:
  mv s10, ra
  li a0, ' '
  call putc
  jr s10
puts:  # s0 = string
  mv s10, ra
1: lbu a0, 0(s0)
  beqz a0, 2f
  call putc
  addi s0, s0, 1
  j 1b
2: jr s10
puthex:  # a0 = value, 16 digits
  li a3, 16
puthexn:  # a0 = value, a3 = digits
  mv s10, ra
  mv a2, a0
  addi a1, a3, -1
  slli a1, a1, 2
1: srl a0, a2, a1
  andi a0, a0, 15
  li t2, 10
  blt a0, t2, 2f
  addi a0, a0, 'a' - 10
  j 3f
2: addi a0, a0, '0'
3: call putc
  addi a1, a1, -4
  bgez a1, 1b
  jr s10
putdec:  # a0 = value < 10^6, no leading zeros
  mv s10, ra
  li a1, 100000
  li a2, 0
1: divu t2, a0, a1
  remu a0, a0, a1
  bnez t2, 2f
  bnez a2, 2f
  li t0, 1
  beq a1, t0, 2f
  j 3f
2: li a2, 1
  mv s9, a0
  addi a0, t2, '0'
  call putc
  mv a0, s9
3: li t0, 10
  divu a1, a1, t0
  bnez a1, 1b
  jr s10
`;

const PRELUDE = String.raw`
  .option norelax
  .section .text.init, "ax"
  .globl _start
_start:
  csrr t0, mhartid
1: bnez t0, 1b
  la t0, trap_entry
  csrw mtvec, t0
  li t0, -1
  srli t0, t0, 10
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  la gp, scratch
  j first_seed

# Trap handler: the ecall at the end of a body (address at -32(gp)) returns to the M-mode
# epilogue (address at -40(gp)). Any other trap resumes after the trapping instruction (2 or 4
# bytes) in the mode it came from; hashes mcause, mepc and
# (except for EBREAK) mtval into -16(gp), counts traps at -24(gp). Uses tp (reserved) and t0
# (saved in mscratch, whose program value is parked at -8(gp)).
  .balign 4
trap_entry:
  csrrw t0, mscratch, t0
  sd t0, -8(gp)
  csrr t0, mepc
  ld tp, -32(gp)
  bne t0, tp, 3f
  # The body's final ecall: continue at the M-mode epilogue.
  ld t0, -40(gp)
  csrw mepc, t0
  li t0, 0x1800
  csrs mstatus, t0
  ld t0, -8(gp)
  csrrw t0, mscratch, t0
  mret
3:
  ld t0, -16(gp)
  csrr tp, mcause
  xor t0, t0, tp
  slli tp, t0, 13
  srli t0, t0, 51
  or t0, t0, tp
  csrr tp, mepc
  xor t0, t0, tp
  slli tp, t0, 7
  srli t0, t0, 57
  or t0, t0, tp
  csrr tp, mcause
  addi tp, tp, -3
  beqz tp, 1f
  csrr tp, mtval
  xor t0, t0, tp
  slli tp, t0, 17
  srli t0, t0, 47
  or t0, t0, tp
1:
  sd t0, -16(gp)
  ld t0, -24(gp)
  addi t0, t0, 1
  sd t0, -24(gp)
  csrr t0, mepc
  lhu tp, 0(t0)
  andi tp, tp, 3
  addi tp, tp, -3
  addi t0, t0, 4
  beqz tp, 2f
  addi t0, t0, -2
2:
  csrw mepc, t0
  ld t0, -8(gp)
  csrrw t0, mscratch, t0
  mret

# dump_regs: tp = dump area; x30 and x31 (already stored) holds the return address; the seed number is in
# the x3 slot. Stores x1, x2, x5..x29, then prints "seed N", "xI value" lines (gp and tp are
# fixed and not printed), the trap log and a scratch checksum.
dump_regs:
  sd x1, 8(tp)
  sd x2, 16(tp)
  sd x5, 40(tp)
  sd x6, 48(tp)
  sd x7, 56(tp)
  sd x8, 64(tp)
  sd x9, 72(tp)
  sd x10, 80(tp)
  sd x11, 88(tp)
  sd x12, 96(tp)
  sd x13, 104(tp)
  sd x14, 112(tp)
  sd x15, 120(tp)
  sd x16, 128(tp)
  sd x17, 136(tp)
  sd x18, 144(tp)
  sd x19, 152(tp)
  sd x20, 160(tp)
  sd x21, 168(tp)
  sd x22, 176(tp)
  sd x23, 184(tp)
  sd x24, 192(tp)
  sd x25, 200(tp)
  sd x26, 208(tp)
  sd x27, 216(tp)
  sd x28, 224(tp)
  sd x29, 232(tp)
  mv s11, x31
  mv s2, tp
  ld tp, 24(s2)
  csrw satp, x0
  sfence.vma
  la s0, seed_msg
  call puts
  mv a0, tp
  call putdec
  call putnl
  li s1, 1
3:
  li t0, 3
  beq s1, t0, 4f
  li t0, 4
  beq s1, t0, 4f
  li a0, 'x'
  call putc
  mv a0, s1
  call putdec
  li a0, ' '
  call putc
  slli t0, s1, 3
  add t0, t0, s2
  ld a0, 0(t0)
  call puthex
  call putnl
4:
  addi s1, s1, 1
  li t0, 32
  bne s1, t0, 3b
  la s0, pte_msg
  call puts
  ld s4, -48(gp)
  li a0, 0
  beqz s4, 6f
  ld a0, 0(s4)
6:
  call puthex
  li a0, ' '
  call putc
  li a0, 0
  beqz s4, 7f
  ld a0, 16(s4)
7:
  call puthex
  call putnl
  la s0, traps_msg
  call puts
  ld a0, -24(gp)
  call puthex
  li a0, ' '
  call putc
  ld a0, -16(gp)
  call puthex
  call putnl
  # scratch checksum: rotate-xor of 512 doublewords
  li a0, 0
  mv t1, gp
  addi t2, gp, 2047
  addi t2, t2, 2047
  addi t2, t2, 2
5:
  ld t3, 0(t1)
  xor a0, a0, t3
  slli t4, a0, 9
  srli a0, a0, 55
  or a0, a0, t4
  addi t1, t1, 8
  bltu t1, t2, 5b
  mv s3, a0
  la s0, mem_msg
  call puts
  mv a0, s3
  call puthex
  call putnl
  jr s11

${UART_ROUTINES}
first_seed:
`;

const POSTLUDE = String.raw`
all_done:
  la s0, done_msg
  call puts
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b

  .section .rodata
seed_msg: .asciz "seed "
traps_msg: .asciz "traps "
mem_msg: .asciz "mem "
pte_msg: .asciz "pte "
done_msg: .asciz "done\n"

  .bss
  .balign 4096
pt_root_s:
  .space 4096
pt_root_u:
  .space 4096
  .space 4096  # trap log lives just below scratch (-8 .. -48)
scratch:
  .space 4096 + 512
`;
