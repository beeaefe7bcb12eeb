/* Sstc (supervisor timer compare): menvcfg.STCE (bit 63) writable; stimecmp (CSR 0x14d) is a
 * 64-bit register M mode can always access; S-mode access needs STCE=1 and mcounteren.TM=1
 * (else illegal instruction), U mode never; with STCE=1 mip/sip.STIP is time >= stimecmp, read-only
 * (M writes to mip.STIP have no effect), and a delegated (or not) supervisor timer interrupt is
 * taken once time reaches stimecmp, from a spin on `time` and from wfi; writing stimecmp with all
 * ones clears STIP; with STCE=0, STIP is again the software-writable bit of the base spec.
 *
 * Expected values from the specs; citations (section numbers as in the privileged spec 1.12, the
 * quoted Sstc sentences as merged into 1.13 under the same section names):
 *   [SSTC]   "Sstc" Extension for Supervisor-mode Timer Interrupts, Version 1.0 (priv 1.13
 *            chapter "Sstc"), and its additions to the privileged spec 1.13:
 *   [STCMP]  §"Supervisor Timer (stimecmp) Register" (Supervisor-Level ISA): "A supervisor timer
 *            interrupt becomes pending, as reflected in the STIP bit in the mip and sip registers
 *            whenever time contains a value greater than or equal to stimecmp, treating the values
 *            as unsigned integers. If the result of this comparison changes, it is guaranteed to be
 *            reflected in STIP eventually, but not necessarily immediately. The interrupt remains
 *            posted until stimecmp becomes greater than time"
 *   [MENV]   §3.1.18 "Machine Environment Configuration (menvcfg) Register", STCE: "The STCE bit
 *            enables stimecmp for S-mode when set to one ... When ... STCE in menvcfg is zero, an
 *            attempt to access stimecmp in a mode other than M-mode raises an illegal-instruction
 *            exception ... and STIP in mip and sip reverts to its defined behavior as if this
 *            extension is not implemented"
 *   [MCTR]   §3.1.11 "Machine Counter-Enable (mcounteren) Register": "when the TM bit in the
 *            mcounteren register is clear, attempts to access the stimecmp or vstimecmp register
 *            while executing in a mode less privileged than M will cause an illegal-instruction
 *            exception. When this bit is set, access to the stimecmp or vstimecmp register is
 *            permitted in S-mode if implemented"
 *   [MIP]    §3.1.9 "Machine Interrupt (mip and mie) Registers": "If the stimecmp (supervisor-mode
 *            timer compare) register is implemented, STIP is read-only in mip and reflects the
 *            supervisor-level timer interrupt signal resulting from stimecmp. This timer interrupt
 *            signal is cleared by writing stimecmp with a value greater than the current time
 *            value." (Sstc v1.0 words it "when STCE=1 ... STIP is read-only")
 *   [SIP]    §4.1.3 "Supervisor Interrupt (sip and sie) Registers": STIP read-only in sip; "is set
 *            by writing stimecmp with a value that is less than or equal to time, and is cleared by
 *            writing stimecmp with a value greater than time"; trap conditions (SIE in S, always in U)
 *   [CSRADDR] §2.1 "CSR Address Mapping Conventions": csr[9:8] = 01 (0x14d) is an S-level CSR, so
 *            U-mode access is illegal
 *   [DELEG]  §3.1.8 "Machine Trap Delegation (medeleg and mideleg) Registers" and §3.1.9 (an
 *            interrupt for M is always enabled in a less-privileged mode)
 * Timer waits: QEMU's time is 10 MHz wall clock, cxlemu's advances with retired instructions; the
 * programmed deadlines are 20,000 ticks (2 ms on QEMU) ahead and every wait is bounded. */
#include "isa.h"

#define MENVCFG 0x30a
#define STIMECMP 0x14d
#define STCE (1UL << 63)
#define STIP (1UL << 5)
#define TM (1UL << 1)
#define DELTA 20000UL
#define FAR 100000000UL /* 10 s at 10 MHz: "in the future" for a check that does not wait */

static uint64_t now(void) { return csr_read(time); }
static void set_stce(int on) {
  if (on) csr_set(MENVCFG, STCE);
  else csr_clear(MENVCFG, STCE);
}
/* mip.STIP once it has settled ([STCMP]: "eventually"): poll a bounded number of times. */
static uint64_t mip_stip_settled(uint64_t want) {
  uint64_t v = csr_read(mip) & STIP;
  for (int i = 0; i < 10000 && v != want; i++) v = csr_read(mip) & STIP;
  return v ? 1 : 0;
}

/* ---- S/U-mode accessors ---- */
static uint64_t s_read(uint64_t x) { return csr_read(0x14d); }
static uint64_t s_write(uint64_t v) { csr_write(0x14d, v); return 0; }
static uint64_t s_sip_stip(uint64_t want) {
  uint64_t v = csr_read(sip) & STIP;
  for (int i = 0; i < 10000 && v != (want ? STIP : 0); i++) v = csr_read(sip) & STIP;
  return v ? 1 : 0;
}
static uint64_t s_clear_sip_stip(uint64_t x) {
  csr_clear(sip, STIP);
  return (csr_read(sip) & STIP) ? 1 : 0;
}

/* Run fn(arg) in mode; 1 if it raised exactly one illegal-instruction exception (checks tval). */
static int illegal_in(int mode, uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t *ret) {
  trap_arm();
  uint64_t r = rt_run_in_mode(mode, fn, arg);
  if (ret) *ret = r;
  int ill = tr.count == 1 && tr.cause == CAUSE_ILLEGAL;
  /* mtval on illegal instruction: the instruction bits (QEMU and cxlemu; isa-traps checks it). */
  CHECK("mtval = instruction bits (or no trap)", ill ? tr.tval : 0,
        ill ? *(volatile uint32_t *)tr.epc : 0);
  return tr.count == 0 ? 0 : ill ? 1 : -1;
}

/* ---- interrupts ---- */
static volatile uint64_t irq_count, irq_cause, irq_mode, irq_time, irq_stip_after;
static volatile uint64_t s_target, s_stip_before, s_time_at_check;

static int sti_shook(struct rt_frame *f) {
  if (!(f->cause >> 63)) return rec_strap(f);
  irq_count++;
  irq_cause = f->cause;
  irq_mode = 1;
  irq_time = csr_read(time);
  csr_write(0x14d, ~0UL); /* [SIP]/[MIP]: cleared by writing stimecmp > time */
  irq_stip_after = s_sip_stip(0);
  if (irq_stip_after) csr_clear(sie, STIP); /* do not loop on a line that did not drop */
  return 1;
}
static int sti_mhook(struct rt_frame *f) {
  if (!(f->cause >> 63)) return rec_mtrap(f);
  irq_count++;
  irq_cause = f->cause;
  irq_mode = 3;
  irq_time = csr_read(time);
  csr_write(0x14d, ~0UL);
  irq_stip_after = mip_stip_settled(0);
  if (irq_stip_after) csr_clear(mie, STIP);
  return 1;
}
static void irq_arm(void) {
  irq_count = irq_cause = irq_mode = irq_time = 0;
  irq_stip_after = 2;
  rt_mtrap_hook = sti_mhook;
  rt_strap_hook = sti_shook;
}

/* S mode: program stimecmp = time + delta itself, check STIP is not yet pending (unless the
 * deadline has already passed when checked), then wait with SIE=1. */
static void s_arm(uint64_t delta) {
  uint64_t t = csr_read(time) + delta;
  s_target = t;
  csr_write(0x14d, t);
  s_stip_before = csr_read(sip) & STIP;
  s_time_at_check = csr_read(time);
}
static uint64_t s_spin(uint64_t delta) {
  s_arm(delta);
  csr_set(sstatus, MSTATUS_SIE);
  for (uint64_t n = 0; n < 50000000 && !irq_count; n++)
    if (csr_read(time) > s_target + 1000000) break; /* 100 ms on QEMU past the deadline */
  csr_clear(sstatus, MSTATUS_SIE);
  return irq_count;
}
static uint64_t s_wfi(uint64_t delta) {
  s_arm(delta);
  /* Wait with SIE clear (wfi returns once STIP is pending and enabled in sie), then take it: with
   * SIE set, an interrupt taken between the test and the wfi would leave that wfi nothing to wake it. */
  for (uint64_t n = 0; n < 1000000 && !(csr_read(sip) & STIP); n++) {
    __asm__ volatile("wfi");
    if (csr_read(time) > s_target + 1000000) break;
  }
  csr_set(sstatus, MSTATUS_SIE);
  for (volatile int i = 0; i < 100 && !irq_count; i++) {
  }
  csr_clear(sstatus, MSTATUS_SIE);
  return irq_count;
}
/* S mode, SIE=1: stimecmp in the past but sie.STIE=0 -> not taken; then STIE=1 -> taken. */
static volatile uint64_t masked_count, masked_stip;
static uint64_t s_masked_then_enabled(uint64_t x) {
  csr_clear(sie, STIP);
  csr_write(0x14d, 0);
  csr_set(sstatus, MSTATUS_SIE);
  for (volatile int i = 0; i < 2000; i++) {
  }
  masked_count = irq_count;
  masked_stip = s_sip_stip(1);
  csr_set(sie, STIP); /* [SIP]: trap conditions re-evaluated after the explicit write to sie */
  for (volatile int i = 0; i < 1000 && !irq_count; i++) {
  }
  csr_clear(sstatus, MSTATUS_SIE);
  return irq_count;
}

static void check_interrupt(const char *where, uint64_t mode) {
  CHECK("taken once", irq_count, 1);
  CHECK(where, irq_mode, mode);
  CHECK("xcause = interrupt | 5 (STI)", irq_cause, INTR | 5);
  /* [STCMP]: pending only once time >= stimecmp, so not before the deadline. */
  CHECK("taken at time >= stimecmp", irq_time >= s_target, 1);
  CHECK("STIP not pending right after arming", s_stip_before == 0 || s_time_at_check >= s_target, 1);
  CHECK("stimecmp = ~0 cleared STIP", irq_stip_after, 0);
}

int main(void) {
  uint64_t v;
  csr_write(mideleg, 0);
  csr_write(mie, 0);
  csr_clear(mip, STIP);

  /* [MENV]: STCE is menvcfg bit 63, read-only zero only when Sstc is not implemented. */
  GROUP("menvcfg.STCE");
  set_stce(0);
  CHECK("STCE cleared reads 0", csr_read(MENVCFG) >> 63, 0);
  set_stce(1);
  CHECK("STCE set reads 1", csr_read(MENVCFG) >> 63, 1);
  set_stce(0);
  CHECK("STCE cleared again reads 0", csr_read(MENVCFG) >> 63, 0);

  /* [STCMP]: "The stimecmp CSR is a 64-bit register"; [MENV] restricts only modes other than M. */
  GROUP("stimecmp from M mode (STCE=0 and 1)");
  csr_write(STIMECMP, 0x123456789abcdef0UL);
  CHECK("STCE=0: M reads back 64 bits", csr_read(STIMECMP), 0x123456789abcdef0UL);
  set_stce(1);
  csr_write(STIMECMP, 0xfedcba9876543210UL);
  CHECK("STCE=1: M reads back 64 bits", csr_read(STIMECMP), 0xfedcba9876543210UL);
  csr_write(STIMECMP, ~0UL);
  CHECK("all ones", csr_read(STIMECMP), ~0UL);
  set_stce(0);

  /* [MENV]: STCE=0 -> S-mode access to stimecmp is illegal, whatever mcounteren.TM says. */
  GROUP("STCE=0: S-mode stimecmp access is illegal");
  csr_write(mcounteren, TM);
  CHECK("S read (TM=1)", illegal_in(PRV_S, s_read, 0, 0), 1);
  CHECK("S write (TM=1)", illegal_in(PRV_S, s_write, 5, 0), 1);
  CHECK("S write had no effect", csr_read(STIMECMP), ~0UL);
  csr_write(mcounteren, 0);
  CHECK("S read (TM=0)", illegal_in(PRV_S, s_read, 0, 0), 1);

  /* [MCTR]: STCE=1 but mcounteren.TM=0 -> illegal in S. */
  GROUP("STCE=1, mcounteren.TM=0: S-mode stimecmp access is illegal");
  set_stce(1);
  csr_write(mcounteren, 0);
  CHECK("S read", illegal_in(PRV_S, s_read, 0, 0), 1);
  CHECK("S write", illegal_in(PRV_S, s_write, 6, 0), 1);
  CHECK("S write had no effect", csr_read(STIMECMP), ~0UL);
  csr_write(mcounteren, 5); /* CY and IR but not TM */
  CHECK("S read, mcounteren = CY|IR", illegal_in(PRV_S, s_read, 0, 0), 1);

  /* [MCTR] + [MENV]: STCE=1 and TM=1 -> S reads and writes stimecmp. */
  GROUP("STCE=1, mcounteren.TM=1: S mode reads and writes stimecmp");
  csr_write(mcounteren, TM);
  CHECK("S write", illegal_in(PRV_S, s_write, 0x0123456789abcdefUL, 0), 0);
  CHECK("M sees the S write", csr_read(STIMECMP), 0x0123456789abcdefUL);
  csr_write(STIMECMP, 0x7766554433221100UL);
  CHECK("S read", illegal_in(PRV_S, s_read, 0, &v), 0);
  CHECK("S read value", v, 0x7766554433221100UL);
  csr_write(STIMECMP, ~0UL);

  /* [CSRADDR]: stimecmp (0x14d) is an S-level CSR: U mode may never access it. */
  GROUP("U-mode stimecmp access is illegal");
  csr_write(mcounteren, 7);
  csr_write(scounteren, 7);
  CHECK("U read (STCE=1, TM in mcounteren and scounteren)", illegal_in(PRV_U, s_read, 0, 0), 1);
  CHECK("U write", illegal_in(PRV_U, s_write, 0, 0), 1);
  csr_write(scounteren, 0);
  csr_write(mcounteren, TM);

  /* [STCMP], [MIP], [SIP]: with STCE=1, STIP = (time >= stimecmp), unsigned. */
  GROUP("STCE=1: STIP is time >= stimecmp");
  csr_write(STIMECMP, 0);
  CHECK("stimecmp = 0: mip.STIP = 1", mip_stip_settled(STIP), 1);
  csr_write(STIMECMP, ~0UL);
  CHECK("stimecmp = ~0: mip.STIP = 0", mip_stip_settled(0), 0);
  csr_write(STIMECMP, now());
  CHECK("stimecmp = time: mip.STIP = 1", mip_stip_settled(STIP), 1);
  csr_write(STIMECMP, now() + FAR);
  CHECK("stimecmp in the future: mip.STIP = 0", mip_stip_settled(0), 0);
  csr_write(STIMECMP, 0x8000000000000000UL); /* unsigned compare: far in the future */
  CHECK("stimecmp = 2^63: mip.STIP = 0", mip_stip_settled(0), 0);
  /* sip shows STIP only when delegated (§3.1.9: otherwise "the corresponding bits in sip and sie
   * are read-only zero"); mie.STIE stays 0, so nothing is taken. */
  csr_write(mideleg, STIP);
  CHECK("S write of a past value", illegal_in(PRV_S, s_write, 1, 0), 0);
  CHECK("sip.STIP = 1 in S", rt_run_in_mode(PRV_S, s_sip_stip, 1), 1);
  CHECK("mip.STIP = 1", mip_stip_settled(STIP), 1);
  CHECK("S write of a future value", illegal_in(PRV_S, s_write, now() + FAR, 0), 0);
  CHECK("sip.STIP = 0 in S", rt_run_in_mode(PRV_S, s_sip_stip, 0), 0);
  csr_write(mideleg, 0);

  /* [MIP]: STIP is read-only in mip while STCE=1; [SIP]: read-only in sip. */
  GROUP("STCE=1: M writes to mip.STIP have no effect");
  csr_write(STIMECMP, ~0UL);
  csr_set(mip, STIP);
  CHECK("csrs mip.STIP: still 0", csr_read(mip) & STIP, 0);
  csr_write(mip, STIP);
  CHECK("csrw mip = STIP: still 0", csr_read(mip) & STIP, 0);
  csr_write(STIMECMP, 0);
  CHECK("pending", mip_stip_settled(STIP), 1);
  csr_clear(mip, STIP);
  CHECK("csrc mip.STIP: still 1", csr_read(mip) & STIP, STIP);
  csr_write(mip, 0);
  CHECK("csrw mip = 0: still 1", csr_read(mip) & STIP, STIP);
  csr_write(mideleg, STIP);
  CHECK("csrc sip.STIP from S: still 1", rt_run_in_mode(PRV_S, s_clear_sip_stip, 0), 1);
  csr_write(mideleg, 0);
  csr_write(STIMECMP, ~0UL);
  CHECK("stimecmp = ~0 clears it", mip_stip_settled(0), 0);

  /* [MENV]: with STCE=0, STIP "reverts to its defined behavior as if this extension is not
   * implemented": M software sets and clears it ([MIP], base spec), stimecmp does not drive it. */
  GROUP("STCE=0: mip.STIP is software-writable again");
  set_stce(0);
  csr_clear(mip, STIP);
  CHECK("csrc mip.STIP: 0", csr_read(mip) & STIP, 0);
  csr_set(mip, STIP);
  CHECK("csrs mip.STIP sets it", csr_read(mip) & STIP, STIP);
  csr_clear(mip, STIP);
  CHECK("csrc mip.STIP clears it", csr_read(mip) & STIP, 0);
  csr_write(STIMECMP, 0); /* time >= stimecmp, but the comparison is disconnected */
  for (volatile int i = 0; i < 1000; i++) {
  }
  CHECK_DEV("stimecmp = 0 does not set STIP", csr_read(mip) & STIP, 0, STIP);
  csr_clear(mip, STIP);
  csr_write(STIMECMP, ~0UL);

  /* [STCMP] + [DELEG]: mideleg.STI=1, sie.STIE=1, SIE=1 in S -> the STI is taken in S when time
   * reaches the stimecmp S itself programmed; the handler writes stimecmp = ~0, clearing STIP. */
  set_stce(1);
  csr_write(mcounteren, TM);
  csr_write(stvec, (uint64_t)rt_strap_entry);
  GROUP("STI delegated to S: S spins on time");
  irq_arm();
  csr_write(mideleg, STIP);
  csr_write(mie, STIP);
  rt_run_in_mode(PRV_S, s_spin, DELTA);
  check_interrupt("taken in S", 1);

  GROUP("STI delegated to S: S waits in wfi");
  irq_arm();
  rt_run_in_mode(PRV_S, s_wfi, DELTA);
  check_interrupt("taken in S", 1);
  CHECK("mip.STIP clear afterwards", csr_read(mip) & STIP, 0);

  /* [SIP]: an interrupt traps to S only if its bit is set in both sip and sie. */
  GROUP("STI delegated: masked by sie.STIE, taken once enabled");
  irq_arm();
  s_target = 0;
  rt_run_in_mode(PRV_S, s_masked_then_enabled, 0);
  CHECK("not taken with sie.STIE=0", masked_count, 0);
  CHECK("sip.STIP pending meanwhile", masked_stip, 1);
  CHECK("taken once STIE=1", irq_count, 1);
  CHECK("scause", irq_cause, INTR | 5);
  CHECK("taken in S", irq_mode, 1);
  CHECK("cleared by the handler", irq_stip_after, 0);

  /* [DELEG]: not delegated -> M-level trap, enabled in S regardless of mstatus.MIE. */
  GROUP("STI not delegated: taken in M from S");
  irq_arm();
  csr_write(mideleg, 0);
  csr_write(mie, STIP);
  rt_run_in_mode(PRV_S, s_spin, DELTA);
  check_interrupt("taken in M", 3);

  csr_write(mie, 0);
  csr_write(mideleg, 0);
  csr_write(STIMECMP, ~0UL);
  set_stce(0);
  csr_write(mcounteren, 0);
  rt_mtrap_hook = rt_strap_hook = 0;
  return test_done("isa-sstc");
}
