/* PMP: 16 entries (pmpcfg0, pmpcfg2, pmpaddr0..15). NA4, NAPOT and TOR matching, R/W/X checks for
 * S and U (loads -> load access fault 5, stores -> 7, fetches -> 1, xtval = address), priority
 * (lowest-numbered matching entry wins), M mode unaffected by unlocked entries, WARL read-back,
 * and a locked entry that binds M mode and ignores later writes. Expected values from the
 * privileged spec. The higher PMP CSRs (pmpcfg4.., pmpaddr16..) are not touched: QEMU 7.2 raises
 * illegal instruction for them where the spec makes them read-only zero (docs/guests.md). */
#include "isa.h"

static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint8_t page_c[4096] __attribute__((aligned(4096)));
static uint8_t page_d[4096] __attribute__((aligned(4096)));

#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_OFF 0
#define PMP_TOR (1 << 3)
#define PMP_NA4 (2 << 3)
#define PMP_NAPOT (3 << 3)
#define PMP_L 0x80

static uint64_t do_load(uint64_t a) { return *(volatile uint32_t *)a; }
static uint64_t do_store(uint64_t a) { *(volatile uint32_t *)a = 0x5a5a5a5a; return 0; }
static uint64_t __attribute__((noinline)) do_exec(uint64_t a) {
  uint64_t r;
  __asm__ volatile("jalr %1\nmv %0, a0" : "=r"(r) : "r"(a) : "ra", "a0", "memory");
  return r;
}

/* Run fn(addr) in mode; return the trap cause (or ~0 if none); checks tval on a trap. */
static uint64_t access_in(int mode, uint64_t (*fn)(uint64_t), uint64_t addr) {
  trap_arm();
  if (fn == do_exec) tr.resume = RESUME_AT_RA; /* a fetch fault returns to do_exec's caller */
  if (mode == PRV_M) fn(addr);
  else rt_run_in_mode(mode, fn, addr);
  if (tr.count && tr.cause != CAUSE_ILLEGAL) CHECK("xtval = address", tr.tval, addr);
  return tr.count ? tr.cause : ~0UL;
}

int main(void) {
  /* Code for the execute tests: "li a0, 7; ret" at the start of pages b and c. */
  ((volatile uint32_t *)page_b)[0] = 0x8082451d; /* c.li a0, 7; c.ret */
  ((volatile uint32_t *)page_c)[0] = 0x8082451d;
  __asm__ volatile("fence.i" ::: "memory");
  uint64_t a = (uint64_t)page_a, b = (uint64_t)page_b, c = (uint64_t)page_c, d = (uint64_t)page_d;

  GROUP("program and read back (WARL)");
  csr_write(pmpcfg0, 0);
  csr_write(pmpcfg2, 0);
  csr_write(pmpaddr0, a >> 2);                     /* NA4: a..a+3, R */
  csr_write(pmpaddr1, (b >> 2) | 0x1ff);           /* NAPOT 4 KiB: b, no access */
  csr_write(pmpaddr2, c >> 2);                     /* OFF: bottom of the TOR range */
  csr_write(pmpaddr3, (c + 4096) >> 2);            /* TOR: c..c+4095, R X */
  csr_write(pmpaddr4, 0);                          /* later: locked */
  csr_write(pmpaddr5, ~0UL >> 10);                 /* NAPOT everything, RWX */
  uint64_t cfg = (uint64_t)(PMP_NA4 | PMP_R) | (uint64_t)(PMP_NAPOT) << 8 | (uint64_t)PMP_OFF << 16 |
                 (uint64_t)(PMP_TOR | PMP_R | PMP_X) << 24 | (uint64_t)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 40;
  csr_write(pmpcfg0, cfg);
  CHECK("pmpcfg0", csr_read(pmpcfg0), cfg);
  CHECK("pmpaddr0", csr_read(pmpaddr0), a >> 2);
  CHECK("pmpaddr1", csr_read(pmpaddr1), (b >> 2) | 0x1ff);
  CHECK("pmpaddr3", csr_read(pmpaddr3), (c + 4096) >> 2);
  csr_write(pmpaddr15, 0x123456789UL);
  CHECK("pmpaddr15 (54-bit field)", csr_read(pmpaddr15), 0x123456789UL);
  csr_write(pmpaddr15, ~0UL);
  /* QEMU 7.2 keeps all 64 bits. */
  CHECK_DEV("pmpaddr15 bits 63:54 are 0", csr_read(pmpaddr15), ~0UL >> 10, ~0UL);
  csr_write(pmpaddr15, 0);
  csr_write(pmpcfg2, 0x0);
  CHECK("pmpcfg2", csr_read(pmpcfg2), 0);

  for (int mode = PRV_U; mode <= PRV_S; mode++) {
    GROUP(mode == PRV_U ? "U-mode accesses" : "S-mode accesses");
    CHECK("NA4 word readable", access_in(mode, do_load, a), ~0UL);
    CHECK("NA4 word not writable", access_in(mode, do_store, a), CAUSE_STORE_ACCESS);
    CHECK("word after NA4 writable (entry 5)", access_in(mode, do_store, a + 4), ~0UL);
    CHECK("NAPOT no-access: load", access_in(mode, do_load, b + 8), CAUSE_LOAD_ACCESS);
    CHECK("NAPOT no-access: store", access_in(mode, do_store, b + 0xffc), CAUSE_STORE_ACCESS);
    CHECK("NAPOT no-access: fetch", access_in(mode, do_exec, b), CAUSE_FETCH_ACCESS);
    CHECK("NAPOT end + 1 is entry 5", access_in(mode, do_load, b + 4096), ~0UL);
    CHECK("TOR RX: load", access_in(mode, do_load, c + 0x100), ~0UL);
    CHECK("TOR RX: store", access_in(mode, do_store, c + 0x100), CAUSE_STORE_ACCESS);
    CHECK("TOR RX: fetch", access_in(mode, do_exec, c), ~0UL);
    CHECK("below TOR is entry 5", access_in(mode, do_store, c - 4), ~0UL);
  }

  GROUP("M mode ignores unlocked entries");
  CHECK("M store to NAPOT no-access", access_in(PRV_M, do_store, b + 8), ~0UL);
  CHECK("M store to TOR RX", access_in(PRV_M, do_store, c + 0x100), ~0UL);

  GROUP("no matching entry: S/U denied, M allowed");
  /* Entry 5 becomes TOR [0, d): page d and everything above it match no entry. The U code path
   * (trampoline, do_load) lies below d and uses no stack. */
  csr_write(pmpaddr5, d >> 2);
  csr_write(pmpcfg0, (cfg & ~(0xffUL << 40)) | (uint64_t)(PMP_TOR | PMP_R | PMP_W | PMP_X) << 40);
  CHECK("U load of an unmatched page", access_in(PRV_U, do_load, d), CAUSE_LOAD_ACCESS);
  CHECK("S store to an unmatched page", access_in(PRV_S, do_store, d + 8), CAUSE_STORE_ACCESS);
  CHECK("M load of an unmatched page", access_in(PRV_M, do_load, d), ~0UL);
  csr_write(pmpaddr5, ~0UL >> 10);
  csr_write(pmpcfg0, cfg);

  GROUP("locked entry binds M mode");
  csr_write(pmpaddr4, (d >> 2) | 0x1ff);
  csr_set(pmpcfg0, (uint64_t)(PMP_L | PMP_NAPOT | PMP_R) << 32);
  CHECK("M load from locked R page", access_in(PRV_M, do_load, d + 16), ~0UL);
  CHECK("M store to locked R page", access_in(PRV_M, do_store, d + 16), CAUSE_STORE_ACCESS);
  CHECK("page unchanged", *(volatile uint32_t *)(d + 16), 0);
  csr_write(pmpaddr4, 0);
  CHECK("locked pmpaddr ignores writes", csr_read(pmpaddr4), (d >> 2) | 0x1ff);
  csr_clear(pmpcfg0, 0xffUL << 32);
  CHECK("locked pmpcfg byte ignores writes", (csr_read(pmpcfg0) >> 32) & 0xff, PMP_L | PMP_NAPOT | PMP_R);
  CHECK("U load from locked R page", access_in(PRV_U, do_load, d + 16), ~0UL);
  rt_mtrap_hook = rt_strap_hook = 0;
  return test_done("isa-pmp");
}
