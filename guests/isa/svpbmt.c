/* Svpbmt (page-based memory types) with Sv39, in S and U mode: menvcfg.PBMTE (bit 62) writable;
 * with PBMTE=0 a leaf PTE with PBMT (bits 62:61) != 0 raises the page fault of the access (load 13,
 * store 15, fetch 12, xtval = the virtual address); with PBMTE=1 PBMT=3 (reserved) does too; bits
 * 62:61 of a non-leaf PTE are reserved whatever PBMTE says; with PBMTE=1, NC and IO aliases of a RAM
 * page (4 KiB pages and gigapages) load and store, and see each other's writes and the PMA alias's
 * (before and after an sfence.vma, every access width); code runs from an NC and an IO page, and
 * code written through an NC (or IO) alias then fence.i runs through the PMA, IO and NC aliases.
 *
 * Expected values from the privileged spec; citations name sections of "The RISC-V Instruction Set
 * Manual, Volume II: Privileged Architecture" 1.12 (numbers) / 1.13 (the same section names):
 *   [Sv39]   §4.4 "Sv39: Page-Based 39-bit Virtual-Memory System" (PTE bits 62-61: Svpbmt)
 *   [XLATE]  §4.3.2 "Virtual Address Translation Process", step 3 (reserved bits -> page fault)
 *   [PBMT]   the "Svpbmt" Extension chapter (ch. 6 in 1.12), version 1.0
 *   [MENV]   §3.1.18 "Machine Environment Configuration Register (menvcfg)", PBMTE
 *   [STVAL]  §4.1.9 "Supervisor Trap Value (stval) Register" / §3.1.16 mtval
 * Documented QEMU 7.2 deviations (CHECK_DEV, "DEVIATION qemu-7.2" lines on QEMU only): with
 * -cpu ...,svpbmt=on, QEMU 7.2 ignores menvcfg.PBMTE (its page walker tests the svpbmt property,
 * not the CSR bit), so with PBMTE=0 leaf PTEs with PBMT != 0 translate instead of faulting; and it
 * does not reserve PBMT=3 in a leaf PTE. Non-leaf bits 62:61 it does reject. */
#include "isa.h"

#define POOL 0x80800000UL
#define MENVCFG 0x30a
#define PBMTE (1UL << 62)

#define PTE_V 0x1UL
#define PTE_R 0x2UL
#define PTE_W 0x4UL
#define PTE_X 0x8UL
#define PTE_U 0x10UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define PBMT_NC (1UL << 61)
#define PBMT_IO (2UL << 61)
#define PBMT_RSV (3UL << 61)
#define PTE(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags) | PTE_V)
#define SATP_SV39(root) ((8UL << 60) | ((uint64_t)(root) >> 12))
#define RW (PTE_R | PTE_W | PTE_A | PTE_D)
#define RX (PTE_R | PTE_X | PTE_A)

/* Pool layout (physical). */
#define ROOT_S (POOL + 0x0000)
#define ROOT_U (POOL + 0x1000)
#define L1 (POOL + 0x2000)
#define L0 (POOL + 0x3000)
#define D0 (POOL + 0x4000) /* S data page */
#define D1 (POOL + 0x5000) /* U data page */
#define C0 (POOL + 0x6000) /* code page */

/* VA 0x4000_0000 + i * 4 KiB maps L0[i]. */
#define VA(i) (0x40000000UL + (uint64_t)(i) * 0x1000)
#define VA_PMA VA(0)     /* D0 RW */
#define VA_NC VA(1)      /* D0 RW NC */
#define VA_IO VA(2)      /* D0 RW IO */
#define VA_RSV VA(3)     /* D0 RW PBMT=3 */
#define VA_UPMA VA(4)    /* D1 U RW */
#define VA_UNC VA(5)     /* D1 U RW NC */
#define VA_UIO VA(6)     /* D1 U RW IO */
#define VA_URSV VA(7)    /* D1 U RW PBMT=3 */
#define VA_CX VA(8)      /* C0 RX */
#define VA_CW_NC VA(9)   /* C0 RW NC: code written through it */
#define VA_CX_IO VA(10)  /* C0 RX IO */
#define VA_CX_NC VA(11)  /* C0 RX NC */
#define VA_CX_RSV VA(12) /* C0 RX PBMT=3 */
#define VA_CW_IO VA(13)  /* C0 RW IO */
/* The same L0 reached through non-leaf PTEs with bits 62:61 set: L1[1..3] (level 1) and the root
 * entries 6 and 7 (level 2); L1[4] is the same pointer without them (control). */
#define VA_NL1_NC 0x40200000UL
#define VA_NL1_IO 0x40400000UL
#define VA_NL1_RSV 0x40600000UL
#define VA_NL1_OK 0x40800000UL
#define VA_NL2_NC 0x180000000UL
#define VA_NL2_IO 0x1c0000000UL
/* Gigapage aliases of RAM 0x8000_0000: root[3] IO, root[8] NC. */
#define VA_GIGA_IO 0xc0000000UL
#define VA_GIGA_NC 0x200000000UL

static volatile uint64_t *pt(uint64_t pa) { return (volatile uint64_t *)pa; }

#define LI_A0(imm) (0x00000513u | ((uint32_t)(imm) << 20)) /* addi a0, x0, imm */
#define RET 0x00008067u

static void build_tables(void) {
  for (uint64_t p = POOL; p < POOL + 0x7000; p += 8) *pt(p) = 0;
  for (int u = 0; u < 2; u++) {
    volatile uint64_t *root = pt(u ? ROOT_U : ROOT_S);
    uint64_t uf = u ? PTE_U : 0;
    root[0] = PTE(0x0, RW);                                 /* MMIO */
    root[1] = PTE(L1, 0);                                   /* tests */
    root[2] = PTE(0x80000000UL, RW | PTE_X | uf);           /* RAM identity */
    root[3] = PTE(0x80000000UL, RW) | PBMT_IO;              /* gigapage IO alias */
    root[6] = PTE(L1, 0) | PBMT_NC;                         /* non-leaf with NC */
    root[7] = PTE(L1, 0) | PBMT_IO;                         /* non-leaf with IO */
    root[8] = PTE(0x80000000UL, RW) | PBMT_NC;              /* gigapage NC alias */
  }
  pt(L1)[0] = PTE(L0, 0);
  pt(L1)[1] = PTE(L0, 0) | PBMT_NC;
  pt(L1)[2] = PTE(L0, 0) | PBMT_IO;
  pt(L1)[3] = PTE(L0, 0) | PBMT_RSV;
  pt(L1)[4] = PTE(L0, 0);
  volatile uint64_t *l0 = pt(L0);
  l0[0] = PTE(D0, RW);
  l0[1] = PTE(D0, RW) | PBMT_NC;
  l0[2] = PTE(D0, RW) | PBMT_IO;
  l0[3] = PTE(D0, RW) | PBMT_RSV;
  l0[4] = PTE(D1, RW | PTE_U);
  l0[5] = PTE(D1, RW | PTE_U) | PBMT_NC;
  l0[6] = PTE(D1, RW | PTE_U) | PBMT_IO;
  l0[7] = PTE(D1, RW | PTE_U) | PBMT_RSV;
  l0[8] = PTE(C0, RX);
  l0[9] = PTE(C0, RW) | PBMT_NC;
  l0[10] = PTE(C0, RX) | PBMT_IO;
  l0[11] = PTE(C0, RX) | PBMT_NC;
  l0[12] = PTE(C0, RX) | PBMT_RSV;
  l0[13] = PTE(C0, RW) | PBMT_IO;
  for (int i = 0; i < 512; i++) {
    pt(D0)[i] = 0xd0d0000000000000UL + i;
    pt(D1)[i] = 0xd1d1000000000000UL + i;
  }
  *(volatile uint32_t *)C0 = LI_A0(0x111);
  *(volatile uint32_t *)(C0 + 4) = RET;
  __asm__ volatile("fence.i" ::: "memory");
}

static uint64_t do_load(uint64_t va) { return *(volatile uint64_t *)va; }
static uint64_t do_store(uint64_t va) { *(volatile uint64_t *)va = 0x5707e5707e5707eUL; return 0; }
static uint64_t __attribute__((noinline)) do_exec(uint64_t va) {
  uint64_t r;
  __asm__ volatile("jalr %1\nmv %0, a0" : "=r"(r) : "r"(va) : "ra", "a0", "memory");
  return r;
}

static uint64_t last_value;
/* Run fn(va) in mode with satp; returns the trap cause, or ~0 when no trap (value in last_value).
 * Writing satp is followed by sfence.vma, which also orders a preceding menvcfg.PBMTE change
 * ([MENV]: "After changing menvcfg.PBMTE, executing an SFENCE.VMA instruction with rs1=x0 and
 * rs2=x0 suffices to synchronize address-translation caches"). */
static uint64_t run(int mode, uint64_t satp, uint64_t (*fn)(uint64_t), uint64_t va) {
  trap_arm();
  if (fn == do_exec) tr.resume = RESUME_AT_RA;
  csr_write(satp, satp);
  __asm__ volatile("sfence.vma" ::: "memory");
  last_value = rt_run_in_mode(mode, fn, va);
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  /* [STVAL]: a page fault on a fetch, load or store writes the faulting virtual address. Checked
   * unconditionally, so the check count does not depend on QEMU's deviations. */
  CHECK("xtval = va", tr.count ? tr.tval : va, va);
  return tr.count ? tr.cause : ~0UL;
}

/* QEMU 7.2 ignores menvcfg.PBMTE (it decides on its svpbmt=on/off property alone) and does not
 * reserve PBMT=3: where the spec requires a page fault QEMU 7.2 performs the access (no trap). */
#define PF_DEV(what, got, cause) CHECK_DEV(what, got, cause, ~0UL)

static void set_pbmte(int on) {
  if (on) csr_set(MENVCFG, PBMTE);
  else csr_clear(MENVCFG, PBMTE);
}

/* ---- alias coherence (S mode, PBMTE=1): results in res[] ---- */
static volatile uint64_t res[32];
static uint64_t s_alias_seq(uint64_t off) {
  volatile uint64_t *pma = (volatile uint64_t *)(VA_PMA + off);
  volatile uint64_t *nc = (volatile uint64_t *)(VA_NC + off);
  volatile uint64_t *io = (volatile uint64_t *)(VA_IO + off);
  *pma = 0x1111111111111111UL;
  res[0] = *nc;
  res[1] = *io;
  *nc = 0x2222222222222222UL;
  res[2] = *pma;
  res[3] = *io;
  *io = 0x3333333333333333UL;
  res[4] = *pma;
  res[5] = *nc;
  __asm__ volatile("sfence.vma" ::: "memory");
  *pma = 0x4444444444444444UL;
  res[6] = *io;
  res[7] = *nc;
  *io = 0x5555555555555555UL;
  __asm__ volatile("sfence.vma" ::: "memory");
  res[8] = *pma;
  res[9] = *nc;
  __asm__ volatile("fence iorw, iorw" ::: "memory");
  *nc = 0x6666666666666666UL;
  __asm__ volatile("fence iorw, iorw" ::: "memory");
  res[10] = *io;
  return 0;
}
/* Narrow accesses through IO, read back through NC and PMA (and the other way round). */
static uint64_t s_narrow_seq(uint64_t off) {
  volatile uint8_t *io8 = (volatile uint8_t *)(VA_IO + off);
  volatile uint16_t *io16 = (volatile uint16_t *)(VA_IO + off + 2);
  volatile uint32_t *io32 = (volatile uint32_t *)(VA_IO + off + 4);
  *(volatile uint64_t *)(VA_PMA + off) = 0;
  *io8 = 0xa1;
  *io16 = 0xb2c3;
  *io32 = 0xd4e5f607;
  res[11] = *(volatile uint64_t *)(VA_NC + off);
  res[12] = *(volatile uint64_t *)(VA_PMA + off);
  *(volatile uint32_t *)(VA_NC + off) = 0x89abcdef;
  res[13] = *(volatile uint8_t *)(VA_IO + off + 1);
  res[14] = *(volatile uint16_t *)(VA_IO + off + 4);
  res[15] = (uint64_t)*(volatile int32_t *)(VA_IO + off); /* lw sign-extends */
  return 0;
}
/* Write code through a writable alias (NC or IO), fence.i, run it through the PMA, IO and NC
 * executable aliases of the same page. */
static uint64_t s_rewrite_code(uint64_t arg) {
  volatile uint32_t *w = (volatile uint32_t *)(arg >> 12 << 12);
  uint64_t imm = arg & 0x7ff;
  w[0] = LI_A0(imm);
  w[1] = RET;
  __asm__ volatile("fence.i" ::: "memory");
  res[16] = do_exec(VA_CX);
  res[17] = do_exec(VA_CX_IO);
  res[18] = do_exec(VA_CX_NC);
  return 0;
}

int main(void) {
  uint64_t ss = SATP_SV39(ROOT_S), su = SATP_SV39(ROOT_U);
  build_tables();

  /* [MENV]: "The PBMTE bit controls whether the Svpbmt extension is available for use in S-mode
   * and G-stage address translation"; it is read-only zero only if Svpbmt is not implemented. */
  GROUP("menvcfg.PBMTE");
  set_pbmte(0);
  CHECK("PBMTE cleared reads 0", (csr_read(MENVCFG) >> 62) & 1, 0);
  set_pbmte(1);
  CHECK("PBMTE set reads 1", (csr_read(MENVCFG) >> 62) & 1, 1);
  set_pbmte(0);
  CHECK("PBMTE cleared again reads 0", (csr_read(MENVCFG) >> 62) & 1, 0);

  /* [MENV]: "When PBMTE=0, the implementation behaves as though Svpbmt were not implemented";
   * [Sv39]: "If Svpbmt is not implemented, bits 62-61 remain reserved and must be zeroed by
   * software for forward compatibility, or else a page-fault exception is raised";
   * [XLATE] step 3: reserved bits set -> "raise a page-fault exception corresponding to the
   * original access type". */
  GROUP("PBMTE=0: leaf PBMT != 0 faults (S)");
  set_pbmte(0);
  CHECK("PMA load works", run(PRV_S, ss, do_load, VA_PMA + 8), ~0UL);
  CHECK("PMA value", last_value, 0xd0d0000000000001UL);
  PF_DEV("NC load", run(PRV_S, ss, do_load, VA_NC + 0x10), CAUSE_LOAD_PAGE);
  PF_DEV("NC store", run(PRV_S, ss, do_store, VA_NC + 0x18), CAUSE_STORE_PAGE);
  PF_DEV("IO load", run(PRV_S, ss, do_load, VA_IO + 0x20), CAUSE_LOAD_PAGE);
  PF_DEV("IO store", run(PRV_S, ss, do_store, VA_IO + 0x28), CAUSE_STORE_PAGE);
  PF_DEV("PBMT=3 load", run(PRV_S, ss, do_load, VA_RSV + 0x30), CAUSE_LOAD_PAGE);
  PF_DEV("PBMT=3 store", run(PRV_S, ss, do_store, VA_RSV + 0x38), CAUSE_STORE_PAGE);
  CHECK_DEV("stores did not reach D0", pt(D0)[3] | pt(D0)[5] | pt(D0)[7], 0xd0d0000000000007UL, 0x5707e5707e5707eUL);
  pt(D0)[3] = 0xd0d0000000000003UL; /* undo QEMU's stores */
  pt(D0)[5] = 0xd0d0000000000005UL;
  pt(D0)[7] = 0xd0d0000000000007UL;
  CHECK("PMA fetch works", run(PRV_S, ss, do_exec, VA_CX), ~0UL);
  CHECK("PMA fetch result", last_value, 0x111);
  PF_DEV("IO fetch", run(PRV_S, ss, do_exec, VA_CX_IO), CAUSE_FETCH_PAGE);
  PF_DEV("NC fetch", run(PRV_S, ss, do_exec, VA_CX_NC), CAUSE_FETCH_PAGE);
  PF_DEV("PBMT=3 fetch", run(PRV_S, ss, do_exec, VA_CX_RSV), CAUSE_FETCH_PAGE);
  PF_DEV("IO gigapage load", run(PRV_S, ss, do_load, VA_GIGA_IO + 0x40), CAUSE_LOAD_PAGE);
  PF_DEV("NC gigapage load", run(PRV_S, ss, do_load, VA_GIGA_NC + 0x48), CAUSE_LOAD_PAGE);

  /* PBMTE governs every translation through satp, U mode's too (riscv-isa-manual issue #1070:
   * "Svpbmt is either completely enabled or completely disabled by menvcfg.PBMTE"). */
  GROUP("PBMTE=0: leaf PBMT != 0 faults (U)");
  CHECK("PMA load works", run(PRV_U, su, do_load, VA_UPMA + 8), ~0UL);
  CHECK("PMA value", last_value, 0xd1d1000000000001UL);
  PF_DEV("NC load", run(PRV_U, su, do_load, VA_UNC + 0x10), CAUSE_LOAD_PAGE);
  PF_DEV("IO store", run(PRV_U, su, do_store, VA_UIO + 0x18), CAUSE_STORE_PAGE);
  PF_DEV("PBMT=3 load", run(PRV_U, su, do_load, VA_URSV + 0x20), CAUSE_LOAD_PAGE);

  /* [PBMT]: "For non-leaf PTEs, bits 62-61 are reserved for future standard use. Until their use
   * is defined by a standard extension, they must be cleared by software for forward
   * compatibility, or else a page-fault exception is raised." With PBMTE=0 they are reserved as
   * well ([Sv39]). */
  for (int on = 0; on <= 1; on++) {
    GROUP(on ? "PBMTE=1: non-leaf PTE bits 62:61 fault" : "PBMTE=0: non-leaf PTE bits 62:61 fault");
    set_pbmte(on);
    CHECK("control: plain non-leaf", run(PRV_S, ss, do_load, VA_NL1_OK + 8), ~0UL);
    CHECK("control value", last_value, 0xd0d0000000000001UL);
    CHECK("level 1 NC: load", run(PRV_S, ss, do_load, VA_NL1_NC + 8), CAUSE_LOAD_PAGE);
    CHECK("level 1 IO: store", run(PRV_S, ss, do_store, VA_NL1_IO + 0x10), CAUSE_STORE_PAGE);
    CHECK("level 1 PBMT=3: load", run(PRV_S, ss, do_load, VA_NL1_RSV + 0x18), CAUSE_LOAD_PAGE);
    CHECK("level 1 NC: fetch", run(PRV_S, ss, do_exec, VA_NL1_NC + 8 * 0x1000), CAUSE_FETCH_PAGE);
    CHECK("level 2 NC: load", run(PRV_S, ss, do_load, VA_NL2_NC + 0x20), CAUSE_LOAD_PAGE);
    CHECK("level 2 IO: store", run(PRV_S, ss, do_store, VA_NL2_IO + 0x28), CAUSE_STORE_PAGE);
    CHECK("level 2 IO: U load", run(PRV_U, su, do_load, VA_NL2_IO + 4 * 0x1000 + 0x30), CAUSE_LOAD_PAGE);
  }

  /* [PBMT]: "For leaf PTEs, setting bits 62-61 to the value 3 is reserved for future standard use.
   * Until this value is defined by a standard extension, using this reserved value in a leaf PTE
   * raises a page-fault exception." QEMU 7.2 does not check it (no trap). */
  GROUP("PBMTE=1: leaf PBMT=3 (reserved) faults");
  set_pbmte(1);
  PF_DEV("S load", run(PRV_S, ss, do_load, VA_RSV + 0x40), CAUSE_LOAD_PAGE);
  PF_DEV("S store", run(PRV_S, ss, do_store, VA_RSV + 0x48), CAUSE_STORE_PAGE);
  PF_DEV("S fetch", run(PRV_S, ss, do_exec, VA_CX_RSV), CAUSE_FETCH_PAGE);
  PF_DEV("U load", run(PRV_U, su, do_load, VA_URSV + 0x50), CAUSE_LOAD_PAGE);
  PF_DEV("U store", run(PRV_U, su, do_store, VA_URSV + 0x58), CAUSE_STORE_PAGE);
  pt(D0)[9] = 0xd0d0000000000009UL; /* undo the store where it was not trapped */
  pt(D1)[11] = 0xd1d100000000000bUL;

  /* [PBMT] table: NC = non-cacheable, idempotent, weakly-ordered main memory; IO = non-cacheable,
   * non-idempotent, strongly-ordered I/O. Both map RAM here; [MENV]: PBMTE=1 makes Svpbmt
   * available. */
  GROUP("PBMTE=1: NC and IO mappings of RAM work (S)");
  CHECK("NC load", run(PRV_S, ss, do_load, VA_NC + 0x60), ~0UL);
  CHECK("NC value", last_value, 0xd0d000000000000cUL);
  CHECK("IO load", run(PRV_S, ss, do_load, VA_IO + 0x68), ~0UL);
  CHECK("IO value", last_value, 0xd0d000000000000dUL);
  CHECK("NC store", run(PRV_S, ss, do_store, VA_NC + 0x70), ~0UL);
  CHECK("NC store reached RAM", pt(D0)[14], 0x5707e5707e5707eUL);
  CHECK("IO store", run(PRV_S, ss, do_store, VA_IO + 0x78), ~0UL);
  CHECK("IO store reached RAM", pt(D0)[15], 0x5707e5707e5707eUL);
  static volatile uint64_t marker = 0x6161616161616161UL;
  uint64_t moff = (uint64_t)&marker - 0x80000000UL;
  CHECK("IO gigapage load", run(PRV_S, ss, do_load, VA_GIGA_IO + moff), ~0UL);
  CHECK("IO gigapage value", last_value, 0x6161616161616161UL);
  CHECK("NC gigapage store", run(PRV_S, ss, do_store, VA_GIGA_NC + moff), ~0UL);
  CHECK("NC gigapage store reached RAM", marker, 0x5707e5707e5707eUL);

  GROUP("PBMTE=1: NC and IO mappings of RAM work (U)");
  CHECK("NC load", run(PRV_U, su, do_load, VA_UNC + 0x80), ~0UL);
  CHECK("NC value", last_value, 0xd1d1000000000010UL);
  CHECK("IO store", run(PRV_U, su, do_store, VA_UIO + 0x88), ~0UL);
  CHECK("IO store reached RAM", pt(D1)[17], 0x5707e5707e5707eUL);
  CHECK("IO load", run(PRV_U, su, do_load, VA_UIO + 0x88), ~0UL);
  CHECK("IO value", last_value, 0x5707e5707e5707eUL);

  /* [PBMT]: "Accessing the same location using different attributes that are both non-cacheable
   * (e.g., NC and IO) does not cause loss of coherence"; a cacheable (PMA) alias next to them
   * ("may cause loss of coherence" unless fenced and flushed) is coherent on a hart without data
   * caches, which is what both QEMU and cxlemu model. Same hart, same location: each load returns
   * the latest store (RVWMO load value axiom). */
  GROUP("PBMTE=1: PMA, NC and IO aliases see each other's writes");
  CHECK("sequence ran", run(PRV_S, ss, s_alias_seq, 0x100), ~0UL);
  CHECK("PMA store -> NC load", res[0], 0x1111111111111111UL);
  CHECK("PMA store -> IO load", res[1], 0x1111111111111111UL);
  CHECK("NC store -> PMA load", res[2], 0x2222222222222222UL);
  CHECK("NC store -> IO load", res[3], 0x2222222222222222UL);
  CHECK("IO store -> PMA load", res[4], 0x3333333333333333UL);
  CHECK("IO store -> NC load", res[5], 0x3333333333333333UL);
  CHECK("after sfence.vma: PMA store -> IO load", res[6], 0x4444444444444444UL);
  CHECK("after sfence.vma: PMA store -> NC load", res[7], 0x4444444444444444UL);
  CHECK("sfence.vma between: IO store -> PMA load", res[8], 0x5555555555555555UL);
  CHECK("sfence.vma between: IO store -> NC load", res[9], 0x5555555555555555UL);
  CHECK("fence iorw between: NC store -> IO load", res[10], 0x6666666666666666UL);
  CHECK("physical page has the last store", pt(D0)[0x100 / 8], 0x6666666666666666UL);
  CHECK("narrow sequence ran", run(PRV_S, ss, s_narrow_seq, 0x200), ~0UL);
  CHECK("IO sb/sh/sw -> NC ld", res[11], 0xd4e5f607b2c300a1UL);
  CHECK("IO sb/sh/sw -> PMA ld", res[12], 0xd4e5f607b2c300a1UL);
  CHECK("NC sw -> IO lbu", res[13], 0xcd);
  CHECK("IO lhu of bytes the NC sw left", res[14], 0xf607);
  CHECK("NC sw -> IO lw", res[15], 0xffffffff89abcdefUL);

  /* [PBMT] names only cacheability, idempotency and ordering; fetch permission comes from the PTE
   * ([XLATE] steps 6-8). Note [PBMT] also lets "Implementations ... override additional PMAs not
   * explicitly listed" (its example: misaligned accesses to PBMT=IO may fault), so executing from
   * an IO page is not strictly mandated; QEMU 7.2 and cxlemu (which both keep RAM's PMAs apart
   * from the listed ones) run it, and that is what is checked. */
  GROUP("PBMTE=1: code in NC and IO pages");
  CHECK("IO fetch", run(PRV_S, ss, do_exec, VA_CX_IO), ~0UL);
  CHECK("IO result", last_value, 0x111);
  CHECK("NC fetch", run(PRV_S, ss, do_exec, VA_CX_NC), ~0UL);
  CHECK("NC result", last_value, 0x111);

  /* Zifencei (unprivileged ISA, "Zifencei" chapter): FENCE.I makes the hart's earlier stores
   * visible to its later instruction fetches; the stores and the fetches use different virtual
   * aliases with different memory types of one physical page. */
  GROUP("PBMTE=1: code written through NC, fence.i, run through PMA, IO and NC");
  CHECK("ran", run(PRV_S, ss, s_rewrite_code, VA_CW_NC | 0x2a1), ~0UL);
  CHECK("PMA alias runs the new code", res[16], 0x2a1);
  CHECK("IO alias runs the new code", res[17], 0x2a1);
  CHECK("NC alias runs the new code", res[18], 0x2a1);
  CHECK("code page holds it", *(volatile uint32_t *)C0, LI_A0(0x2a1));
  GROUP("PBMTE=1: code written through IO, fence.i, run through PMA, IO and NC");
  CHECK("ran", run(PRV_S, ss, s_rewrite_code, VA_CW_IO | 0x3b2), ~0UL);
  CHECK("PMA alias runs the new code", res[16], 0x3b2);
  CHECK("IO alias runs the new code", res[17], 0x3b2);
  CHECK("NC alias runs the new code", res[18], 0x3b2);

  /* Back to PBMTE=0: the NC/IO PTEs fault again ([MENV], after sfence.vma). */
  GROUP("PBMTE=1 -> 0: NC and IO fault again");
  set_pbmte(0);
  PF_DEV("NC load", run(PRV_S, ss, do_load, VA_NC + 0x90), CAUSE_LOAD_PAGE);
  PF_DEV("IO fetch", run(PRV_S, ss, do_exec, VA_CX_IO), CAUSE_FETCH_PAGE);
  CHECK("PMA still works", run(PRV_S, ss, do_load, VA_PMA + 0x90), ~0UL);

  rt_mtrap_hook = rt_strap_hook = 0;
  return test_done("isa-svpbmt");
}
