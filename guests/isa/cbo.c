/* Zicbom / Zicboz (cache-block operations), cache block 64 bytes: cbo.zero zeroes exactly the
 * naturally aligned 64-byte block containing rs1 (rs1 anywhere in it, never a misaligned trap) and
 * nothing around it; M mode always executes cbo.*; S mode per menvcfg.CBZE (bit 7), CBCFE (bit 6,
 * cbo.clean/cbo.flush) and CBIE (bits 5:4, cbo.inval: 00 illegal, 01 flush, 11 invalidate, 10
 * reserved); U mode additionally per senvcfg; the fields are WARL and independent between the two
 * CSRs; with Sv39, cbo.zero needs store permission (read-only, invalid, U page from S: store page
 * fault 15, xtval = rs1, not the block base) and sets A and D; cbo.clean/flush/inval need load or
 * store permission (read-only page: allowed; invalid page, U page from S, S page from U: store page
 * fault 15, never a load page fault), set A but not D; an X-only page with MXR=1 is readable so
 * allowed; PMP and PMA faults are store access faults (7), xtval = rs1.
 *
 * ORACLE: QEMU 7.2 does not implement Zicbom/Zicboz (it has no zicbom/zicboz CPU property, and
 * cbo.* are illegal instructions there), so this program is not run on QEMU: every expected value
 * below comes from the spec text alone, cited next to each check:
 *   [CMO]    "RISC-V Base Cache Management Operation ISA Extensions", version 1.0.1 (the "CMO"
 *            chapter of the unprivileged ISA manual), with its sections:
 *   [BLK]    "Background" > "Memory and Caches" (a cache block is a NAPOT range; block size discovered from
 *            the execution environment: 64 bytes on cxlemu, the device tree's
 *            riscv,cbo{m,z}-block-size) and "Cache-Block Operations"
 *   [ILL]    "Traps" > "Illegal-Instruction and Virtual-Instruction Exceptions"
 *   [PF]     "Traps" > "Page-Fault, Guest-Page-Fault, and Access-Fault Exceptions"
 *   [MIS]    "Traps" > "Address-Misaligned Exceptions": "CMO instructions do not generate
 *            address-misaligned exceptions"
 *   [CSR]    "Control and Status Register State" (the xenvcfg CBIE/CBCFE/CBZE fields and the
 *            SAIL pseudocode deciding illegal / flush / invalidate)
 *   [LV]     "Memory Ordering" > "Load Values" (what a load returns after an invalidate)
 *   [INSN]   "Instructions" (cbo.clean, cbo.flush, cbo.inval, cbo.zero) (encodings: MISC-MEM 0x0f, funct3 2, rd 0, imm[11:0] = 0 inval,
 *            1 clean, 2 flush, 4 zero; "On faults, the faulting virtual address is considered to
 *            be the value in rs1, rather than the base address of the cache block")
 *   [SENV]   privileged spec 1.12 §4.1.10 / 1.13 "Supervisor Environment Configuration (senvcfg)
 *            Register": CBIE encoding 10 is reserved; "If CBO.INVAL is enabled in S-mode to
 *            perform a flush operation, then when the instruction is enabled in U-mode it performs
 *            a flush operation, even if CBIE is set to 11b"
 * Sv39 and PMP rules used alongside: privileged spec §4.3.2 "Virtual Address Translation Process"
 * (A/D updates done by hardware, as isa-vm checks) and "Physical Memory Protection" (machine-level
 * ISA). Section names are those of the CMO 1.0.1 text (the "CMO" chapter of the ISA manual). */
#include "isa.h"

#define MENVCFG 0x30a
#define SENVCFG 0x10a
#define CBIE(v) ((uint64_t)(v) << 4)
#define CBIE_MASK CBIE(3)
#define CBCFE (1UL << 6)
#define CBZE (1UL << 7)
#define ALL_ON (CBIE(3) | CBCFE | CBZE)
#define BLOCK 64

/* ---- the instructions (encodings from [INSN]; .insn because binutils 2.40 without
 * _zicbom_zicboz in -march does not take the mnemonics) ---- */
#define OP_INVAL 0
#define OP_CLEAN 1
#define OP_FLUSH 2
#define OP_ZERO 4
#define CBO_FN(name, op)                                                                    \
  static uint64_t __attribute__((noinline)) name(uint64_t a) {                             \
    __asm__ volatile(".option push\n.option norvc\n.insn i 0x0f, 2, x0, %0, " #op "\n.option pop" \
                     : : "r"(a) : "memory");                                                \
    return 0;                                                                               \
  }
CBO_FN(do_inval, 0)
CBO_FN(do_clean, 1)
CBO_FN(do_flush, 2)
CBO_FN(do_zero, 4)
static uint64_t (*const cbo_fn[5])(uint64_t) = {do_inval, do_clean, do_flush, 0, do_zero};
static const char *const cbo_name[5] = {"cbo.inval", "cbo.clean", "cbo.flush", "", "cbo.zero"};
/* cbo.X with rs1 = r: 0x0000200f | r << 15 | op << 20 ([INSN]). */
#define CBO_WORD(op, r) (0x0000200fu | ((uint32_t)(r) << 15) | ((uint32_t)(op) << 20))

/* ---- paging ---- */
#define POOL 0x80800000UL
#define PTE_V 0x1UL
#define PTE_R 0x2UL
#define PTE_W 0x4UL
#define PTE_X 0x8UL
#define PTE_U 0x10UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define PTE(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags) | PTE_V)
#define SATP_SV39(root) ((8UL << 60) | ((uint64_t)(root) >> 12))
#define ROOT_S (POOL + 0x0000)
#define ROOT_U (POOL + 0x1000)
#define L1 (POOL + 0x2000)
#define L0 (POOL + 0x3000)
#define PG(i) (POOL + 0x4000 + (uint64_t)(i) * 0x1000)
#define VA(i) (0x40000000UL + (uint64_t)(i) * 0x1000)
enum { V_RW, V_RW_CLEAN_AD, V_RO, V_INVALID, V_USER, V_XONLY, V_RW_ZERO_AD, V_COUNT };

static volatile uint64_t *pt(uint64_t pa) { return (volatile uint64_t *)pa; }
static uint8_t pat(uint64_t i) { return (uint8_t)(0x80 | (i & 0x7f)); }
static void fill(uint64_t pa, uint64_t len) {
  for (uint64_t i = 0; i < len; i++) *(volatile uint8_t *)(pa + i) = pat(i);
}
/* Bytes of [pa, pa+len) not as expected: zero inside [zstart, zstart+BLOCK), pattern elsewhere.
 * Returns a bitmask: 1 = the block is not all zero, 2 = a byte before it changed, 4 = after. */
static uint64_t check_zeroed(uint64_t pa, uint64_t len, uint64_t zstart) {
  uint64_t bad = 0;
  for (uint64_t i = 0; i < len; i++) {
    uint64_t a = pa + i;
    uint8_t b = *(volatile uint8_t *)a;
    if (a >= zstart && a < zstart + BLOCK) {
      if (b != 0) bad |= 1;
    } else if (b != pat(i)) {
      bad |= a < zstart ? 2 : 4;
    }
  }
  return bad;
}
static uint64_t check_intact(uint64_t pa, uint64_t len) { return check_zeroed(pa, len, ~0UL - 2 * BLOCK); }

static void build_tables(void) {
  for (uint64_t p = POOL; p < PG(V_COUNT); p += 8) *pt(p) = 0;
  for (int u = 0; u < 2; u++) {
    volatile uint64_t *root = pt(u ? ROOT_U : ROOT_S);
    root[0] = PTE(0x0, PTE_R | PTE_W | PTE_A | PTE_D);
    root[1] = PTE(L1, 0);
    root[2] = PTE(0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | (u ? PTE_U : 0));
  }
  pt(L1)[0] = PTE(L0, 0);
  volatile uint64_t *l0 = pt(L0);
  l0[V_RW] = PTE(PG(V_RW), PTE_R | PTE_W | PTE_A | PTE_D);
  l0[V_RW_CLEAN_AD] = PTE(PG(V_RW_CLEAN_AD), PTE_R | PTE_W);
  l0[V_RO] = PTE(PG(V_RO), PTE_R | PTE_A);
  l0[V_INVALID] = 0;
  l0[V_USER] = PTE(PG(V_USER), PTE_U | PTE_R | PTE_W | PTE_A | PTE_D);
  l0[V_XONLY] = PTE(PG(V_XONLY), PTE_X | PTE_A);
  l0[V_RW_ZERO_AD] = PTE(PG(V_RW_ZERO_AD), PTE_R | PTE_W);
  for (int i = 0; i < V_COUNT; i++) fill(PG(i), 4096);
}

/* Run cbo op on addr in mode (satp 0 = Bare); returns the trap cause or ~0. Always one tval
 * check: for an illegal instruction 0 or the instruction bits (the privileged spec allows both),
 * for a fault rs1 ([INSN], [PF]: "the relevant *tval CSR is written with the faulting effective
 * address (i.e. the value of rs1)"); and on a trap xepc must point at that cbo instruction. */
static uint64_t cbo(int mode, uint64_t satp, int op, uint64_t addr) {
  trap_arm();
  if (satp) {
    csr_write(satp, satp);
    __asm__ volatile("sfence.vma" ::: "memory");
  }
  if (mode == PRV_M) cbo_fn[op](addr);
  else rt_run_in_mode(mode, cbo_fn[op], addr);
  if (satp) {
    csr_write(satp, 0);
    __asm__ volatile("sfence.vma" ::: "memory");
  }
  if (!tr.count) {
    CHECK("no trap", 0, 0);
    return ~0UL;
  }
  uint32_t w = *(volatile uint32_t *)tr.epc; /* code is identity-mapped */
  CHECK("xepc = the cbo instruction", w & 0xfff07fffu, CBO_WORD(op, 0));
  if (tr.cause == CAUSE_ILLEGAL) CHECK("illegal: xtval = 0 or the instruction", tr.tval == 0 || tr.tval == w, 1);
  else CHECK("fault: xtval = rs1", tr.tval, addr);
  return tr.count == 1 ? tr.cause : 0x100 + (uint64_t)tr.count;
}

static uint8_t buf[4 * BLOCK] __attribute__((aligned(4096)));
static uint8_t pmp_page[4096] __attribute__((aligned(4096)));
#define B ((uint64_t)buf)

/* cbo.zero on rs1 = block start + off (buf's second block); expects the block zeroed only. */
static void zero_case(const char *what, int mode, uint64_t off) {
  fill(B, sizeof buf);
  CHECK(what, cbo(mode, 0, OP_ZERO, B + BLOCK + off), ~0UL);
  CHECK("block zeroed, neighbours untouched", check_zeroed(B, sizeof buf, B + BLOCK), 0);
}
/* Expect op to execute (no trap) in mode, bare; for zero, the block is zeroed; for the others the
 * data is unchanged ([CMO] "Cache-Block Operations": clean and flush only write back / deallocate copies). */
static void expect_exec(const char *what, int mode, int op, uint64_t check_data) {
  fill(B, sizeof buf);
  CHECK(what, cbo(mode, 0, op, B + 2 * BLOCK + 0x11), ~0UL);
  if (op == OP_ZERO) CHECK("block zeroed", check_zeroed(B, sizeof buf, B + 2 * BLOCK), 0);
  else if (check_data) CHECK("data preserved", check_intact(B, sizeof buf), 0);
}
static void expect_illegal(const char *what, int mode, int op) {
  fill(B, sizeof buf);
  CHECK(what, cbo(mode, 0, op, B + 2 * BLOCK + 0x11), CAUSE_ILLEGAL);
  CHECK("memory untouched", check_intact(B, sizeof buf), 0);
}

/* PMP: entry 0 = pmp_page (NAPOT 4 KiB) with cfg, entry 1 = everything RWX. */
static void pmp_page_cfg(uint8_t cfg) {
  csr_write(pmpcfg0, 0);
  csr_write(pmpaddr0, ((uint64_t)pmp_page >> 2) | 0x1ff);
  csr_write(pmpaddr1, ~0UL >> 10);
  csr_write(pmpcfg0, (uint64_t)cfg | (0x1fUL << 8));
  __asm__ volatile("sfence.vma" ::: "memory");
}
static void pmp_restore(void) {
  csr_write(pmpcfg0, 0);
  csr_write(pmpaddr0, ~0UL >> 10);
  csr_write(pmpaddr1, 0);
  csr_write(pmpcfg0, 0x1f);
  __asm__ volatile("sfence.vma" ::: "memory");
}

int main(void) {
  uint64_t ss = SATP_SV39(ROOT_S), su = SATP_SV39(ROOT_U);
  build_tables();
  csr_write(MENVCFG, 0);
  csr_write(SENVCFG, 0);

  /* [CSR]: CBIE is a WARL field (00, 01, 11; 10 reserved, so never read back), CBCFE and CBZE
   * single bits; "The CBIE/CBCFE/CBZE fields in each xenvcfg register do not affect the read and
   * write behavior of the same fields in the other xenvcfg registers." */
  GROUP("menvcfg/senvcfg CBIE, CBCFE, CBZE fields");
  csr_write(MENVCFG, CBIE(1));
  CHECK("menvcfg.CBIE = 01", csr_read(MENVCFG) & CBIE_MASK, CBIE(1));
  csr_write(MENVCFG, CBIE(3));
  CHECK("menvcfg.CBIE = 11", csr_read(MENVCFG) & CBIE_MASK, CBIE(3));
  csr_write(MENVCFG, CBIE(2));
  CHECK("menvcfg.CBIE = 10 (reserved) is not read back", (csr_read(MENVCFG) & CBIE_MASK) != CBIE(2), 1);
  csr_write(MENVCFG, CBCFE);
  CHECK("menvcfg.CBCFE", csr_read(MENVCFG) & ALL_ON, CBCFE);
  csr_write(MENVCFG, CBZE);
  CHECK("menvcfg.CBZE", csr_read(MENVCFG) & ALL_ON, CBZE);
  csr_write(MENVCFG, 0);
  CHECK("menvcfg cleared", csr_read(MENVCFG) & ALL_ON, 0);
  csr_write(SENVCFG, ALL_ON);
  CHECK("senvcfg all on while menvcfg is 0", csr_read(SENVCFG) & ALL_ON, ALL_ON);
  CHECK("menvcfg unaffected", csr_read(MENVCFG) & ALL_ON, 0);
  csr_write(SENVCFG, CBIE(1));
  CHECK("senvcfg.CBIE = 01", csr_read(SENVCFG) & ALL_ON, CBIE(1));
  csr_write(SENVCFG, CBIE(2));
  CHECK("senvcfg.CBIE = 10 (reserved) is not read back", (csr_read(SENVCFG) & CBIE_MASK) != CBIE(2), 1);
  csr_write(SENVCFG, 0);
  CHECK("senvcfg cleared", csr_read(SENVCFG) & ALL_ON, 0);

  /* [INSN] cbo.zero: "performs stores of zeros to the full set of bytes corresponding to the cache
   * block that contains the address specified in rs1. It is not required that rs1 is aligned to
   * the size of a cache block"; [MIS]: no misaligned exception; [CSR]: the xenvcfg checks apply
   * only when priv_mode != M (menvcfg is 0 here). */
  GROUP("cbo.zero in M mode");
  zero_case("rs1 = block start", PRV_M, 0);
  zero_case("rs1 = block start + 1 (odd)", PRV_M, 1);
  zero_case("rs1 = block start + 0x27", PRV_M, 0x27);
  zero_case("rs1 = last byte of the block", PRV_M, BLOCK - 1);
  zero_case("rs1 = block start + 0x38 (8-aligned)", PRV_M, 0x38);
  fill(B, sizeof buf);
  CHECK("first block", cbo(PRV_M, 0, OP_ZERO, B + 0x3f), ~0UL);
  CHECK("only the first block zeroed", check_zeroed(B, sizeof buf, B), 0);
  fill(B, sizeof buf);
  CHECK("last block", cbo(PRV_M, 0, OP_ZERO, B + 3 * BLOCK + 0x20), ~0UL);
  CHECK("only the last block zeroed", check_zeroed(B, sizeof buf, B + 3 * BLOCK), 0);

  /* [CSR]: M mode executes cbo.clean, cbo.flush and cbo.inval whatever menvcfg holds; clean and
   * flush leave the data as it is ([CMO] "Cache-Block Operations", "Cache-Block Management Instructions": they write back / deallocate copies).
   * After an invalidate a load may return the initial value or any earlier store ([LV]), so the
   * M-mode cbo.inval data is not checked. */
  GROUP("cbo.clean, cbo.flush, cbo.inval in M mode (menvcfg = 0)");
  expect_exec("cbo.clean", PRV_M, OP_CLEAN, 1);
  expect_exec("cbo.flush", PRV_M, OP_FLUSH, 1);
  expect_exec("cbo.inval", PRV_M, OP_INVAL, 0);
  expect_exec("cbo.clean, rs1 misaligned", PRV_M, OP_CLEAN, 1);

  /* [CSR] pseudocode: priv_mode != M and menvcfg.X == 0 -> illegal-instruction exception;
   * [ILL]. */
  GROUP("S mode, menvcfg = 0: every cbo is illegal");
  for (int op = 0; op <= 4; op++)
    if (op != 3) expect_illegal(cbo_name[op], PRV_S, op);

  GROUP("S mode, menvcfg.CBZE only");
  csr_write(MENVCFG, CBZE);
  expect_exec("cbo.zero executes", PRV_S, OP_ZERO, 1);
  zero_case("cbo.zero rs1 = block start + 0x2b", PRV_S, 0x2b);
  expect_illegal("cbo.clean illegal", PRV_S, OP_CLEAN);
  expect_illegal("cbo.flush illegal", PRV_S, OP_FLUSH);
  expect_illegal("cbo.inval illegal", PRV_S, OP_INVAL);

  GROUP("S mode, menvcfg.CBCFE only");
  csr_write(MENVCFG, CBCFE);
  expect_exec("cbo.clean executes", PRV_S, OP_CLEAN, 1);
  expect_exec("cbo.flush executes", PRV_S, OP_FLUSH, 1);
  expect_illegal("cbo.inval illegal (CBIE = 00)", PRV_S, OP_INVAL);
  expect_illegal("cbo.zero illegal", PRV_S, OP_ZERO);

  /* [CSR]: CBIE = 01: "The instruction is executed and performs a flush operation" -> the data
   * stays; 11: executed as an invalidate ([LV]: value not checked). */
  GROUP("S mode, menvcfg.CBIE = 01 and 11");
  csr_write(MENVCFG, CBIE(1));
  expect_exec("CBIE=01: cbo.inval executes as a flush (data kept)", PRV_S, OP_INVAL, 1);
  expect_illegal("CBIE=01: cbo.clean still illegal (CBCFE = 0)", PRV_S, OP_CLEAN);
  csr_write(MENVCFG, CBIE(3));
  expect_exec("CBIE=11: cbo.inval executes", PRV_S, OP_INVAL, 0);
  expect_illegal("CBIE=11: cbo.zero still illegal", PRV_S, OP_ZERO);

  /* [CSR]: only (priv_mode == U) consults senvcfg. */
  GROUP("S mode ignores senvcfg");
  csr_write(MENVCFG, ALL_ON);
  csr_write(SENVCFG, 0);
  for (int op = 0; op <= 4; op++)
    if (op != 3) expect_exec(cbo_name[op], PRV_S, op, op == OP_CLEAN || op == OP_FLUSH);

  /* [CSR] / [SENV]: U mode needs the field enabled in menvcfg and in senvcfg. */
  GROUP("U mode, menvcfg all on, senvcfg = 0: every cbo is illegal");
  for (int op = 0; op <= 4; op++)
    if (op != 3) expect_illegal(cbo_name[op], PRV_U, op);

  GROUP("U mode, menvcfg and senvcfg enable each cbo");
  csr_write(SENVCFG, CBZE);
  expect_exec("senvcfg.CBZE: cbo.zero executes", PRV_U, OP_ZERO, 1);
  zero_case("cbo.zero rs1 = block start + 0x3e", PRV_U, 0x3e);
  expect_illegal("senvcfg.CBZE: cbo.clean illegal", PRV_U, OP_CLEAN);
  csr_write(SENVCFG, CBCFE);
  expect_exec("senvcfg.CBCFE: cbo.clean executes", PRV_U, OP_CLEAN, 1);
  expect_exec("senvcfg.CBCFE: cbo.flush executes", PRV_U, OP_FLUSH, 1);
  expect_illegal("senvcfg.CBCFE: cbo.inval illegal", PRV_U, OP_INVAL);
  expect_illegal("senvcfg.CBCFE: cbo.zero illegal", PRV_U, OP_ZERO);
  csr_write(SENVCFG, CBIE(1));
  expect_exec("senvcfg.CBIE=01: cbo.inval executes as a flush (data kept)", PRV_U, OP_INVAL, 1);
  csr_write(SENVCFG, CBIE(3));
  expect_exec("senvcfg.CBIE=11: cbo.inval executes", PRV_U, OP_INVAL, 0);

  GROUP("U mode, senvcfg on but menvcfg off: illegal");
  csr_write(SENVCFG, ALL_ON);
  csr_write(MENVCFG, CBCFE | CBIE(3));
  expect_illegal("menvcfg.CBZE = 0: cbo.zero", PRV_U, OP_ZERO);
  csr_write(MENVCFG, CBZE | CBIE(3));
  expect_illegal("menvcfg.CBCFE = 0: cbo.clean", PRV_U, OP_CLEAN);
  expect_illegal("menvcfg.CBCFE = 0: cbo.flush", PRV_U, OP_FLUSH);
  csr_write(MENVCFG, CBZE | CBCFE);
  expect_illegal("menvcfg.CBIE = 00: cbo.inval", PRV_U, OP_INVAL);

  /* [SENV]: "If CBO.INVAL is enabled in S-mode to perform a flush operation, then when the
   * instruction is enabled in U-mode it performs a flush operation, even if CBIE is set to 11b";
   * [CSR] pseudocode: (priv_mode != M) && menvcfg.CBIE == 01 -> flush. */
  GROUP("U mode, menvcfg.CBIE = 01, senvcfg.CBIE = 11: cbo.inval flushes");
  csr_write(MENVCFG, CBIE(1));
  csr_write(SENVCFG, CBIE(3));
  expect_exec("cbo.inval executes as a flush (data kept)", PRV_U, OP_INVAL, 1);
  csr_write(MENVCFG, CBIE(3));
  csr_write(SENVCFG, CBIE(1));
  expect_exec("menvcfg 11, senvcfg 01: flush (data kept)", PRV_U, OP_INVAL, 1);

  /* ---- Sv39 ---- */
  csr_write(MENVCFG, ALL_ON);
  csr_write(SENVCFG, ALL_ON);
  csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR);

  /* [PF]: "A cache-block zero instruction is permitted to access the specified cache block
   * whenever a store instruction is permitted ... If access to the cache block is not permitted, a
   * cache-block zero instruction raises a store page-fault ... if address translation does not
   * permit write access ... the instruction also checks the accessed and dirty bits and may either
   * raise an exception or set the bits as required"; tval = rs1 ([INSN]). */
  GROUP("Sv39: cbo.zero");
  CHECK("RW page", cbo(PRV_S, ss, OP_ZERO, VA(V_RW) + 0x447), ~0UL);
  CHECK("PA block zeroed only", check_zeroed(PG(V_RW), 4096, PG(V_RW) + 0x440), 0);
  CHECK("RW page, A=D=0", cbo(PRV_S, ss, OP_ZERO, VA(V_RW_ZERO_AD) + 0xfff), ~0UL);
  CHECK("last block of the page zeroed only", check_zeroed(PG(V_RW_ZERO_AD), 4096, PG(V_RW_ZERO_AD) + 0xfc0), 0);
  CHECK("A and D set", pt(L0)[V_RW_ZERO_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
  CHECK("read-only page: store page fault", cbo(PRV_S, ss, OP_ZERO, VA(V_RO) + 0x47), CAUSE_STORE_PAGE);
  CHECK("read-only page untouched", check_intact(PG(V_RO), 4096), 0);
  CHECK("invalid page: store page fault", cbo(PRV_S, ss, OP_ZERO, VA(V_INVALID) + 0x81), CAUSE_STORE_PAGE);
  CHECK("U page from S, SUM=0: store page fault", cbo(PRV_S, ss, OP_ZERO, VA(V_USER) + 0x9), CAUSE_STORE_PAGE);
  CHECK("U page untouched", check_intact(PG(V_USER), 4096), 0);
  csr_set(mstatus, MSTATUS_SUM);
  CHECK("U page from S, SUM=1", cbo(PRV_S, ss, OP_ZERO, VA(V_USER) + 0x9), ~0UL);
  CHECK("U page block zeroed", check_zeroed(PG(V_USER), 4096, PG(V_USER)), 0);
  csr_clear(mstatus, MSTATUS_SUM);
  fill(PG(V_USER), 4096);
  CHECK("U page from U", cbo(PRV_U, su, OP_ZERO, VA(V_USER) + 0x2c5), ~0UL);
  CHECK("U page block zeroed (from U)", check_zeroed(PG(V_USER), 4096, PG(V_USER) + 0x2c0), 0);
  fill(PG(V_USER), 4096);
  CHECK("S page from U: store page fault", cbo(PRV_U, su, OP_ZERO, VA(V_RW) + 0x10), CAUSE_STORE_PAGE);
  CHECK("X-only page: store page fault", cbo(PRV_S, ss, OP_ZERO, VA(V_XONLY) + 0x20), CAUSE_STORE_PAGE);

  /* [PF]: "A cache-block management instruction is permitted to access the specified cache block
   * whenever a load instruction or store instruction is permitted ... If access to the cache block
   * is not permitted, a cache-block management instruction raises a store page-fault ... if
   * address translation does not permit any access"; "does not check the dirty bit and neither
   * raises an exception nor sets the bit"; it checks A (hardware-set here, as isa-vm checks).
   * "If neither a load instruction nor store instruction is permitted ..., but an instruction
   * fetch is permitted ..., whether a cache-block management instruction is permitted ... is
   * UNSPECIFIED": an X-only page with MXR=0 is not tested; with MXR=1 a load is permitted. */
  static const int mgmt_order[3] = {OP_CLEAN, OP_FLUSH, OP_INVAL}; /* invalidate last ([LV]) */
  for (int k = 0; k < 3; k++) {
    int op = mgmt_order[k];
    static char name[64];
    char *q = name;
    for (const char *t = "Sv39: "; *t;) *q++ = *t++;
    for (const char *t = cbo_name[op]; *t;) *q++ = *t++;
    *q = 0;
    GROUP(name);
    int keeps = op != OP_INVAL; /* menvcfg.CBIE = 11: a real invalidate, data not checked */
    CHECK("RW page", cbo(PRV_S, ss, op, VA(V_RW) + 0x808), ~0UL);
    if (keeps) CHECK("RW page data kept", check_intact(PG(V_RW) + 0x800, 0x800), 0);
    else CHECK("placeholder (inval data not checked)", 0, 0);
    pt(L0)[V_RW_CLEAN_AD] = PTE(PG(V_RW_CLEAN_AD), PTE_R | PTE_W);
    CHECK("RW page, A=D=0", cbo(PRV_S, ss, op, VA(V_RW_CLEAN_AD) + 0x123), ~0UL);
    CHECK("A set, D not set", pt(L0)[V_RW_CLEAN_AD] & (PTE_A | PTE_D), PTE_A);
    CHECK("read-only page (load permitted)", cbo(PRV_S, ss, op, VA(V_RO) + 0x47), ~0UL);
    CHECK("invalid page: store page fault", cbo(PRV_S, ss, op, VA(V_INVALID) + 0x81), CAUSE_STORE_PAGE);
    CHECK("U page from S, SUM=0: store page fault", cbo(PRV_S, ss, op, VA(V_USER) + 0x99), CAUSE_STORE_PAGE);
    csr_set(mstatus, MSTATUS_SUM);
    CHECK("U page from S, SUM=1", cbo(PRV_S, ss, op, VA(V_USER) + 0x99), ~0UL);
    csr_clear(mstatus, MSTATUS_SUM);
    CHECK("S page from U: store page fault", cbo(PRV_U, su, op, VA(V_RO) + 0x3), CAUSE_STORE_PAGE);
    CHECK("U page from U", cbo(PRV_U, su, op, VA(V_USER) + 0x3), ~0UL);
    csr_set(mstatus, MSTATUS_MXR);
    CHECK("X-only page with MXR=1 (load permitted)", cbo(PRV_S, ss, op, VA(V_XONLY) + 0x5), ~0UL);
    csr_clear(mstatus, MSTATUS_MXR);
  }
  fill(PG(V_RW), 4096);

  /* [PF]: "for the purposes of PMP and PMA checks, the access size of a CMO instruction equals
   * the size of the cache block"; without permission: "raises a store access-fault exception";
   * management instructions need load or store permission, cbo.zero store permission; M mode is
   * not subject to unlocked PMP entries (priv. spec "Physical Memory Protection"). */
  GROUP("PMP: R-only and no-permission pages");
  fill((uint64_t)pmp_page, 4096);
  pmp_page_cfg(0x18 | 1); /* NAPOT, R */
  CHECK("R-only: S cbo.zero store access fault", cbo(PRV_S, 0, OP_ZERO, (uint64_t)pmp_page + 0x65), CAUSE_STORE_ACCESS);
  CHECK("R-only: S cbo.clean allowed", cbo(PRV_S, 0, OP_CLEAN, (uint64_t)pmp_page + 0x65), ~0UL);
  CHECK("R-only: U cbo.flush allowed", cbo(PRV_U, 0, OP_FLUSH, (uint64_t)pmp_page + 0x100), ~0UL);
  pmp_page_cfg(0x18); /* NAPOT, no permission */
  CHECK("none: S cbo.clean store access fault", cbo(PRV_S, 0, OP_CLEAN, (uint64_t)pmp_page + 0x7), CAUSE_STORE_ACCESS);
  CHECK("none: S cbo.flush store access fault", cbo(PRV_S, 0, OP_FLUSH, (uint64_t)pmp_page + 0x8), CAUSE_STORE_ACCESS);
  CHECK("none: U cbo.inval store access fault", cbo(PRV_U, 0, OP_INVAL, (uint64_t)pmp_page + 0x9), CAUSE_STORE_ACCESS);
  CHECK("none: S cbo.zero store access fault", cbo(PRV_S, 0, OP_ZERO, (uint64_t)pmp_page + 0xa), CAUSE_STORE_ACCESS);
  CHECK("M mode unaffected: cbo.zero", cbo(PRV_M, 0, OP_ZERO, (uint64_t)pmp_page + 0xc0), ~0UL);
  pmp_restore();
  CHECK("faulting cbo.zero stored nothing, M one zeroed its block",
        check_zeroed((uint64_t)pmp_page, 4096, (uint64_t)pmp_page + 0xc0), 0);

  /* [PF]: an address with no memory (a PMA violation) -> store access fault, also for the
   * management instructions (never a load access fault). */
  GROUP("unmapped physical address: store access fault");
  for (int op = 0; op <= 4; op++)
    if (op != 3) CHECK(cbo_name[op], cbo(PRV_M, 0, op, UNMAPPED_PA + 0x48), CAUSE_STORE_ACCESS);

  csr_write(MENVCFG, 0);
  csr_write(SENVCFG, 0);
  rt_mtrap_hook = rt_strap_hook = 0;
  return test_done("isa-cbo");
}
