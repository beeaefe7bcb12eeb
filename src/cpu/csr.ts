// CSR numbers and the mstatus/mip field layout (privileged ISA 20211203, RV64). Names only:
// the behaviour of each CSR lives in hart.ts (csrRead/csrWrite).

export const CSR = {
  fflags: 0x001,
  frm: 0x002,
  fcsr: 0x003,
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  stimecmp: 0x14d,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  // Ssaia (AIA 1.0): indirect access to the supervisor interrupt file, its top, the top major interrupt
  siselect: 0x150,
  sireg: 0x151,
  stopei: 0x15c,
  stopi: 0xdb0,
  satp: 0x180,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  // Smaia (AIA 1.0)
  mvien: 0x308,
  mvip: 0x309,
  miselect: 0x350,
  mireg: 0x351,
  mtopei: 0x35c,
  mtopi: 0xfb0,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  // Sdtrig (triggers.ts)
  tselect: 0x7a0,
  tdata1: 0x7a1,
  tdata2: 0x7a2,
  tdata3: 0x7a3,
  tinfo: 0x7a4,
  mcycle: 0xb00,
  minstret: 0xb02,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
} as const;

export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << 11;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;
export const MSTATUS_FS_SHIFT = 13;
/**
 * Writable low bits of mstatus held in Hart.mstatus. FS (bits 14:13) is writable too but lives in
 * the FPU's arena cell (translated code reads it); VS, XS, UBE are read-only zero.
 */
export const MSTATUS_WMASK =
  MSTATUS_SIE |
  MSTATUS_MIE |
  MSTATUS_SPIE |
  MSTATUS_MPIE |
  MSTATUS_SPP |
  MSTATUS_MPP |
  MSTATUS_MPRV |
  MSTATUS_SUM |
  MSTATUS_MXR |
  MSTATUS_TVM |
  MSTATUS_TW |
  MSTATUS_TSR;
/** Bits of mstatus visible in sstatus (low word). */
export const SSTATUS_MASK =
  MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR | (3 << 13) | (3 << 15) | (3 << 9);
export const SSTATUS_WMASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
/** mstatus bits 63:32: UXL = SXL = 2 (64-bit), read-only. */
export const MSTATUS_HI = 0xa;
/** sstatus bits 63:32: UXL = 2. */
export const SSTATUS_HI = 0x2;

/** Interrupt numbers (mip/mie bits). */
export const IRQ = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;
export const MIP_SSIP = 1 << 1,
  MIP_MSIP = 1 << 3,
  MIP_STIP = 1 << 5,
  MIP_MTIP = 1 << 7,
  MIP_SEIP = 1 << 9,
  MIP_MEIP = 1 << 11;
/** Interrupts that may be delegated to S (mideleg writable bits). */
export const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** mie writable bits. */
export const MIE_WMASK = 0xaaa;
/** mip bits software may write (M-mode view); MSIP/MTIP/MEIP come from the CLINT/PLIC lines. */
export const MIP_WMASK = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** Exceptions medeleg may delegate: 0-9, 12, 13, 15 (11 = ecall from M cannot be delegated). */
export const MEDELEG_WMASK = 0xb3ff;

/** Exception causes (mcause with interrupt bit clear). */
export const Cause = {
  InstMisaligned: 0,
  InstAccess: 1,
  Illegal: 2,
  Breakpoint: 3,
  LoadMisaligned: 4,
  LoadAccess: 5,
  StoreMisaligned: 6,
  StoreAccess: 7,
  EcallU: 8,
  EcallS: 9,
  EcallM: 11,
  InstPage: 12,
  LoadPage: 13,
  StorePage: 15,
} as const;

/** What each exception cause is called in the privileged spec (for messages). */
export const CAUSE_NAMES: Readonly<Record<number, string>> = {
  [Cause.InstMisaligned]: 'instruction address misaligned',
  [Cause.InstAccess]: 'instruction access fault',
  [Cause.Illegal]: 'illegal instruction',
  [Cause.Breakpoint]: 'breakpoint',
  [Cause.LoadMisaligned]: 'load address misaligned',
  [Cause.LoadAccess]: 'load access fault',
  [Cause.StoreMisaligned]: 'store/AMO address misaligned',
  [Cause.StoreAccess]: 'store/AMO access fault',
  [Cause.EcallU]: 'ecall from U-mode',
  [Cause.EcallS]: 'ecall from S-mode',
  [Cause.EcallM]: 'ecall from M-mode',
  [Cause.InstPage]: 'instruction page fault',
  [Cause.LoadPage]: 'load page fault',
  [Cause.StorePage]: 'store/AMO page fault',
};

/** misa: MXL = 2 (RV64) in bits 63:62; extensions A C I M S U. */
/** misa: A, C, D, F, I, M, S, U. */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
export const MISA_HI = 0x80000000 | 0;

/** Interrupt priority for selection (privileged spec 3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
export const IRQ_PRIORITY = [11, 3, 7, 9, 1, 5] as const;

/** menvcfg/senvcfg fields (low word): FIOM, CBIE (Zicbom cbo.inval), CBCFE (cbo.clean/flush), CBZE (cbo.zero). */
export const ENVCFG_FIOM = 1;
export const ENVCFG_CBIE_SHIFT = 4;
export const ENVCFG_CBCFE = 1 << 6;
export const ENVCFG_CBZE = 1 << 7;
/** menvcfg's high word: PBMTE (bit 62, Svpbmt), STCE (bit 63, Sstc). */
export const MENVCFG_HI_PBMTE = 1 << 30;
export const MENVCFG_HI_STCE = 1 << 31;
