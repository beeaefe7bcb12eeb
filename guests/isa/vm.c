/* Sv39 paging: 4 KiB pages, 2 MiB megapages and 1 GiB gigapages; hardware A/D updates seen in the
 * PTEs; page faults (fetch 12, load 13, store 15) with xtval = the virtual address for invalid,
 * reserved (W without R), permission, U/SUM, MXR, misaligned superpage and non-canonical cases;
 * U-mode paging; an instruction straddling two pages (RAM image page, then a pool page) and its
 * fetch page fault when the second page is invalid; sfence.vma after a PTE change; MPRV; a
 * page-fault table (fetch/load/store from U and S, taken in M and delegated to S: cause, epc,
 * tval, MPP/SPP); satp WARL for Bare and Sv39 (writes with a reserved MODE are ignored). The page
 * tables and mapped pages live in a pool at VM_POOL_BASE: RAM by default (isa-vm.elf) or the CXL
 * window (isa-vm-cxl.elf, 0x1_0080_0000). Expected values from the privileged spec.
 * satp.MODE=9 (Sv48) is not written: QEMU 7.2 accepts it (docs/guests.md). */
#include "isa.h"

#ifndef VM_POOL_BASE
#define VM_POOL_BASE 0x80800000UL
#endif
#ifndef VM_NAME
#define VM_NAME "vm"
#endif

#define PTE_V 0x1UL
#define PTE_R 0x2UL
#define PTE_W 0x4UL
#define PTE_X 0x8UL
#define PTE_U 0x10UL
#define PTE_G 0x20UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define PTE(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags) | PTE_V)
#define SATP_SV39(root) ((8UL << 60) | ((uint64_t)(root) >> 12))

/* Pool layout (physical). */
#define ROOT_S (VM_POOL_BASE + 0x0000)  /* identity gigapages for S (not U) */
#define ROOT_U (VM_POOL_BASE + 0x1000)  /* identity gigapages with U, for U-mode runs */
#define L1 (VM_POOL_BASE + 0x2000)      /* VA 0x4000_0000 .. 0x7fff_ffff */
#define L0 (VM_POOL_BASE + 0x3000)      /* VA 0x4000_0000 .. 0x401f_ffff */
#define D0 (VM_POOL_BASE + 0x4000)
#define D1 (VM_POOL_BASE + 0x5000)
#define D2 (VM_POOL_BASE + 0x6000)
#define D3 (VM_POOL_BASE + 0x7000)
#define D4 (VM_POOL_BASE + 0x8000)
#define D5 (VM_POOL_BASE + 0x9000)
#define MEGA (VM_POOL_BASE + 0x200000)  /* 2 MiB aligned */

#define VA_AD 0x40000000UL      /* D0, RW, A=D=0 */
#define VA_RO 0x40001000UL      /* D1, R */
#define VA_USER 0x40002000UL    /* D2, U RW */
#define VA_XO 0x40003000UL      /* D3, X only */
#define VA_INVALID 0x40004000UL /* V=0 */
#define VA_WONLY 0x40005000UL   /* W without R: reserved */
#define VA_ALIAS 0x40006000UL   /* D0 again, RW */
#define VA_UCODE 0x40007000UL   /* D4, U RX: code */
#define VA_SPLIT 0x40008000UL   /* RAM page (image), then D5 (pool): an instruction across both */
#define VA_MEGA 0x40200000UL    /* MEGA, RW megapage */
#define VA_BADMEGA 0x40400000UL /* misaligned megapage */
#define VA_GIGA_ALIAS 0xc0000000UL   /* gigapage alias of PA 0x8000_0000 */
#define VA_BADGIGA 0x140000000UL     /* misaligned gigapage (root index 5) */
#define VA_NONCANON 0x4000000000UL   /* bit 38 set, bits 63:39 clear */

static volatile uint64_t *pt(uint64_t pa) { return (volatile uint64_t *)pa; }
/* A page of the image (RAM): the first half of the page-straddling instruction. */
static volatile uint16_t split_page[2048] __attribute__((aligned(4096)));

static void build_tables(void) {
  for (uint64_t p = VM_POOL_BASE; p < VM_POOL_BASE + 0xa000; p += 8) *pt(p) = 0;
  for (int u = 0; u < 2; u++) {
    volatile uint64_t *root = pt(u ? ROOT_U : ROOT_S);
    uint64_t uf = u ? PTE_U : 0;
    root[0] = PTE(0x0, PTE_R | PTE_W | PTE_A | PTE_D);                             /* MMIO */
    root[1] = PTE(L1, 0);                                                          /* tests */
    root[2] = PTE(0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | uf);       /* RAM identity */
    root[3] = PTE(0x80000000UL, PTE_R | PTE_W | PTE_A | PTE_D);                    /* alias */
    root[4] = PTE(0x100000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | uf);      /* CXL window identity */
    root[5] = PTE(0x80200000UL, PTE_R | PTE_W | PTE_A | PTE_D);                    /* misaligned giga */
  }
  pt(L1)[0] = PTE(L0, 0);
  pt(L1)[1] = PTE(MEGA, PTE_R | PTE_W | PTE_A | PTE_D);
  pt(L1)[2] = PTE(MEGA + 0x1000, PTE_R | PTE_W | PTE_A | PTE_D);
  volatile uint64_t *l0 = pt(L0);
  l0[0] = PTE(D0, PTE_R | PTE_W);
  l0[1] = PTE(D1, PTE_R | PTE_A);
  l0[2] = PTE(D2, PTE_U | PTE_R | PTE_W | PTE_A | PTE_D);
  l0[3] = PTE(D3, PTE_X | PTE_A);
  l0[4] = 0;
  l0[5] = PTE(D1, PTE_W | PTE_A | PTE_D);
  l0[6] = PTE(D0, PTE_R | PTE_W | PTE_A | PTE_D);
  l0[7] = PTE(D4, PTE_U | PTE_R | PTE_X | PTE_A);
  /* addi a0, x0, 0x123 (0x12300513) split over the two pages, then c.ret. */
  split_page[4094 / 2] = 0x0513;
  *(volatile uint16_t *)D5 = 0x1230;
  *(volatile uint16_t *)(D5 + 2) = 0x8082;
  l0[8] = PTE((uint64_t)split_page, PTE_R | PTE_X | PTE_A);
  l0[9] = PTE(D5, PTE_R | PTE_X | PTE_A);
  for (int i = 0; i < 512; i++) {
    pt(D0)[i] = 0xd0d0000000000000UL + i;
    pt(D1)[i] = 0xd1d1000000000000UL + i;
    pt(D2)[i] = 0xd2d2000000000000UL + i;
    pt(D3)[i] = 0xd3d3000000000000UL + i;
  }
  *(volatile uint32_t *)D4 = 0x02a00513; /* li a0, 42 */
  *(volatile uint32_t *)(D4 + 4) = 0x00008067; /* ret */
  *pt(MEGA + 0x1234 * 8) = 0x3e3e3e3e3e3e3e3eUL;
  __asm__ volatile("fence.i" ::: "memory");
}

static uint64_t do_load(uint64_t va) { return *(volatile uint64_t *)va; }
static uint64_t do_store(uint64_t va) { *(volatile uint64_t *)va = 0x5707e5707e5707eUL; return 0; }
static uint64_t __attribute__((noinline)) do_exec(uint64_t va) {
  uint64_t r;
  __asm__ volatile("jalr %1\nmv %0, a0" : "=r"(r) : "r"(va) : "ra", "a0", "memory");
  return r;
}
static uint64_t do_sfence_load(uint64_t va) {
  __asm__ volatile("sfence.vma" ::: "memory");
  return *(volatile uint64_t *)va;
}

static uint64_t last_value;
/* Run fn(va) in mode with satp; returns the trap cause, or ~0 when no trap (value in last_value). */
static uint64_t run(int mode, uint64_t satp, uint64_t (*fn)(uint64_t), uint64_t va) {
  trap_arm();
  if (fn == do_exec) tr.resume = RESUME_AT_RA;
  csr_write(satp, satp);
  __asm__ volatile("sfence.vma" ::: "memory");
  last_value = rt_run_in_mode(mode, fn, va);
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  if (tr.count) CHECK("xtval = va", tr.tval, va);
  return tr.count ? tr.cause : ~0UL;
}

int main(void) {
  uint64_t ss = SATP_SV39(ROOT_S), su = SATP_SV39(ROOT_U);
  build_tables();

  GROUP("satp WARL");
  csr_write(satp, ss);
  CHECK("Sv39 reads back", csr_read(satp), ss);
  csr_write(satp, (1UL << 60) | 0x1234);
  CHECK("reserved MODE 1: write ignored", csr_read(satp), ss);
  csr_write(satp, (15UL << 60) | 0x1234);
  CHECK("reserved MODE 15: write ignored", csr_read(satp), ss);
  csr_write(satp, 0);
  CHECK("Bare reads back", csr_read(satp), 0);

  GROUP("4 KiB page, hardware A and D");
  CHECK("load", run(PRV_S, ss, do_load, VA_AD + 8), ~0UL);
  CHECK("value", last_value, 0xd0d0000000000001UL);
  CHECK("A set by load", pt(L0)[0] & PTE_A, PTE_A);
  CHECK("D still clear", pt(L0)[0] & PTE_D, 0);
  CHECK("store", run(PRV_S, ss, do_store, VA_AD + 16), ~0UL);
  CHECK("D set by store", pt(L0)[0] & PTE_D, PTE_D);
  CHECK("store reached D0", pt(D0)[2], 0x5707e5707e5707eUL);
  CHECK("alias sees it", run(PRV_S, ss, do_load, VA_ALIAS + 16), ~0UL);
  CHECK("alias value", last_value, 0x5707e5707e5707eUL);
  pt(L0)[0] = PTE(D0, PTE_R | PTE_W | PTE_A);
  CHECK("store with A=1 D=0", run(PRV_S, ss, do_store, VA_AD + 24), ~0UL);
  CHECK("D set", pt(L0)[0] & PTE_D, PTE_D);

  GROUP("page faults");
  CHECK("store to read-only", run(PRV_S, ss, do_store, VA_RO), CAUSE_STORE_PAGE);
  CHECK("read-only page unchanged", pt(D1)[0], 0xd1d1000000000000UL);
  CHECK("load from read-only", run(PRV_S, ss, do_load, VA_RO + 8), ~0UL);
  CHECK("load invalid", run(PRV_S, ss, do_load, VA_INVALID + 0x18), CAUSE_LOAD_PAGE);
  CHECK("store invalid", run(PRV_S, ss, do_store, VA_INVALID + 0x20), CAUSE_STORE_PAGE);
  CHECK("fetch invalid", run(PRV_S, ss, do_exec, VA_INVALID), CAUSE_FETCH_PAGE);
  CHECK("W without R", run(PRV_S, ss, do_load, VA_WONLY), CAUSE_LOAD_PAGE);
  CHECK("fetch non-X", run(PRV_S, ss, do_exec, VA_RO), CAUSE_FETCH_PAGE);
  CHECK("non-canonical", run(PRV_S, ss, do_load, VA_NONCANON), CAUSE_LOAD_PAGE);
  CHECK("non-canonical high", run(PRV_S, ss, do_load, 0xffff000040000000UL), CAUSE_LOAD_PAGE);

  GROUP("U pages, SUM, MXR");
  CHECK("S load of U page", run(PRV_S, ss, do_load, VA_USER), CAUSE_LOAD_PAGE);
  csr_set(mstatus, MSTATUS_SUM);
  CHECK("S load of U page with SUM", run(PRV_S, ss, do_load, VA_USER + 8), ~0UL);
  CHECK("value", last_value, 0xd2d2000000000001UL);
  CHECK("S fetch of U page even with SUM", run(PRV_S, ss, do_exec, VA_UCODE), CAUSE_FETCH_PAGE);
  csr_clear(mstatus, MSTATUS_SUM);
  CHECK("load from X-only", run(PRV_S, ss, do_load, VA_XO), CAUSE_LOAD_PAGE);
  csr_set(mstatus, MSTATUS_MXR);
  CHECK("load from X-only with MXR", run(PRV_S, ss, do_load, VA_XO + 8), ~0UL);
  CHECK("value", last_value, 0xd3d3000000000001UL);
  csr_clear(mstatus, MSTATUS_MXR);

  GROUP("U mode with paging");
  CHECK("U load of U page", run(PRV_U, su, do_load, VA_USER + 16), ~0UL);
  CHECK("value", last_value, 0xd2d2000000000002UL);
  CHECK("U store to U page", run(PRV_U, su, do_store, VA_USER + 24), ~0UL);
  CHECK("U load of S page", run(PRV_U, su, do_load, VA_RO), CAUSE_LOAD_PAGE);
  CHECK("U store to S page", run(PRV_U, su, do_store, VA_ALIAS), CAUSE_STORE_PAGE);
  CHECK("U exec of U code page", run(PRV_U, su, do_exec, VA_UCODE), ~0UL);
  CHECK("U code result", last_value, 42);

  GROUP("2 MiB and 1 GiB pages");
  CHECK("megapage load", run(PRV_S, ss, do_load, VA_MEGA + 0x1234 * 8), ~0UL);
  CHECK("megapage value", last_value, 0x3e3e3e3e3e3e3e3eUL);
  CHECK("megapage store", run(PRV_S, ss, do_store, VA_MEGA + 0x1ffff8), ~0UL);
  CHECK("megapage store reached PA", *pt(MEGA + 0x1ffff8), 0x5707e5707e5707eUL);
  CHECK("misaligned megapage", run(PRV_S, ss, do_load, VA_BADMEGA + 8), CAUSE_LOAD_PAGE);
  static volatile uint64_t marker = 0x6161616161616161UL;
  CHECK("gigapage alias load", run(PRV_S, ss, do_load, VA_GIGA_ALIAS + ((uint64_t)&marker - 0x80000000UL)), ~0UL);
  CHECK("gigapage alias value", last_value, 0x6161616161616161UL);
  CHECK("misaligned gigapage", run(PRV_S, ss, do_load, VA_BADGIGA + 8), CAUSE_LOAD_PAGE);
  CHECK("A/D set on leaf PTEs only", pt(L1)[0] & (PTE_A | PTE_D), 0);

  GROUP("instruction straddling two pages (image page, pool page)");
  CHECK("runs", run(PRV_S, ss, do_exec, VA_SPLIT + 4094), ~0UL);
  CHECK("result", last_value, 0x123);
  pt(L0)[9] = 0;
  trap_arm();
  tr.resume = RESUME_AT_RA;
  csr_write(satp, ss);
  __asm__ volatile("sfence.vma" ::: "memory");
  rt_run_in_mode(PRV_S, do_exec, VA_SPLIT + 4094);
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  CHECK("second page invalid: fetch page fault", tr.cause, CAUSE_FETCH_PAGE);
  CHECK("epc = start of the instruction", tr.epc, VA_SPLIT + 4094);
  CHECK("tval = first byte of the faulting page", tr.tval, VA_SPLIT + 4096);
  pt(L0)[9] = PTE(D5, PTE_R | PTE_X | PTE_A);

  GROUP("sfence.vma after a PTE change");
  CHECK("old mapping", run(PRV_S, ss, do_load, VA_ALIAS), ~0UL);
  CHECK("old value", last_value, 0xd0d0000000000000UL);
  pt(L0)[6] = PTE(D3, PTE_R | PTE_A);
  CHECK("remapped", run(PRV_S, ss, do_sfence_load, VA_ALIAS), ~0UL);
  CHECK("new value", last_value, 0xd3d3000000000000UL);

  GROUP("MPRV");
  csr_write(satp, ss);
  __asm__ volatile("sfence.vma" ::: "memory");
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint64_t)PRV_S << 11 | MSTATUS_MPRV);
  uint64_t v = *(volatile uint64_t *)(VA_RO + 32);
  csr_clear(mstatus, MSTATUS_MPRV);
  csr_write(satp, 0);
  CHECK("M load through S translation", v, 0xd1d1000000000004UL);

  /* Page-fault table: fetch/load/store faults from S (to M and delegated to S) and from U (to M;
   * delegating U faults to S would need separate U and S code pages: the runtime's code is shared). */
  static const struct { uint64_t (*fn)(uint64_t); uint64_t va; uint64_t cause; } pf[] = {
      {do_exec, VA_INVALID + 0x40, CAUSE_FETCH_PAGE},
      {do_load, VA_INVALID + 0x28, CAUSE_LOAD_PAGE},
      {do_store, VA_RO + 0x30, CAUSE_STORE_PAGE},
  };
  static const char *const pf_names[] = {"fetch", "load", "store"};
  static const char *const pf_modes[] = {"U to M", "S to M", "S delegated to S"};
  csr_write(stvec, (uint64_t)rt_strap_entry);
  for (int m = 0; m < 3; m++) {
    int mode = m == 0 ? PRV_U : PRV_S, deleg = m == 2;
    for (int i = 0; i < 3; i++) {
      static char name[64];
      char *q = name;
      for (const char *t = "page fault table: "; *t;) *q++ = *t++;
      for (const char *t = pf_names[i]; *t;) *q++ = *t++;
      *q++ = ' ';
      for (const char *t = pf_modes[m]; *t;) *q++ = *t++;
      *q = 0;
      GROUP(name);
      csr_write(medeleg, deleg ? 1UL << pf[i].cause : 0);
      csr_clear(mstatus, MSTATUS_MPIE);
      CHECK("cause", run(mode, mode == PRV_U ? su : ss, pf[i].fn, pf[i].va), pf[i].cause);
      CHECK("taken in", tr.mode, deleg ? PRV_S : PRV_M);
      if (pf[i].fn == do_exec) CHECK("epc = target", tr.epc, pf[i].va);
      if (deleg) CHECK("SPP", (tr.status >> 8) & 1, 1);
      else CHECK("MPP", (tr.status >> 11) & 3, mode);
    }
  }
  csr_write(medeleg, 0);

  rt_mtrap_hook = rt_strap_hook = 0;
  return test_done("isa-" VM_NAME);
}
