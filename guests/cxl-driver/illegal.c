/* cxl-illegal.elf: illegal decoder programming, as a careless or hostile driver would try it, and
 * what the hardware answers (SPEC-NOTES 1.5 rule 1 and 2.3): each attempt prints the Control
 * register after the bounded commit poll. Expected: Error-Not-Committed (then Commit cleared) for
 * out-of-order commit, overlapping ranges, bad target lists, ways above the Target Count, zero
 * size, invalid IW/IG encodings, size not a multiple of the ways, a base not at a multiple of
 * 256 MiB x ways from the window base, a range outside every window; a base with bits below 256 MiB
 * set reads back with them cleared (the registers keep [31:28] only); a decoder cannot be
 * un-committed while a higher one is committed; a region whose host-bridge commit fails is undone
 * (highest first); Lock-on-Commit makes a decoder read-only.
 * Exit 0 when every answer is the expected one, else the number of unexpected answers. */
#include "cxl.h"

static int unexpected;

static uint32_t ctrl_of(int ways, int gran) {
  return (uint32_t)gran_to_eig(gran) | ((uint32_t)ways_to_eiw(ways) << 4) | HDM_CTRL_HOSTONLY;
}

/* want: 0 committed, 1 Error-Not-Committed */
static void attempt(const char *what, const struct cxl_port *pt, int n, uint64_t base, uint64_t size, uint32_t ctrl,
                    uint64_t tl, int want) {
  uint32_t seen;
  int r = hdm_commit(&pt->hdm, n, base, size, ctrl, tl, &seen);
  uint32_t after = hdm_read(&pt->hdm, HDM_DECODER(n) + HDM_CTRL);
  rt_printf("attempt %s: %s decoder %d base 0x%lx size 0x%lx ctrl 0x%x %s 0x%lx -> %s (ctrl 0x%x), after 0x%x%s\n", what,
            pt->name, n, base, size, ctrl | HDM_CTRL_COMMIT, pt->kind == PORT_EP ? "skip" : "targets", tl,
            r == 0 ? "committed" : r == 1 ? "Error-Not-Committed" : "timeout", seen, after,
            r == want ? "" : "  UNEXPECTED");
  if (r != want) unexpected++;
}

static void uncommit(const struct cxl_port *pt, int n, int want_committed) {
  uint32_t c = hdm_uncommit(&pt->hdm, n);
  int still = (c & HDM_CTRL_COMMITTED) != 0;
  rt_printf("uncommit %s decoder %d -> ctrl 0x%x (%s)%s\n", pt->name, n, c, still ? "still committed" : "not committed",
            still == want_committed ? "" : "  UNEXPECTED");
  if (still != want_committed) unexpected++;
}

int main(void) {
  rt_printf("cxl-illegal: guest CXL driver\n");
  if (!cxl_discover(rt_boot_dtb)) {
    rt_printf("SKIP cxl-illegal: no CXL registers\n");
    return 2;
  }
  const struct cxl_port *ep = 0, *hb = 0;
  for (int i = 0; i < cxl_nports; i++) {
    const struct cxl_port *p = &cxl_ports[i];
    if (p->kind == PORT_EP && p->hdm.base && !ep) ep = p;
    if (p->kind == PORT_HB && p->hdm.base && !hb) hb = p;
  }
  if (!ep || !hb || cxl_nwindows == 0 || ep->hdm.count < 2) {
    rt_printf("FAIL cxl-illegal: needs an endpoint with 2 decoders, a host bridge with decoders and a window\n");
    return 1;
  }
  uint64_t W = cxl_windows[0].base;
  for (int i = 0; i < cxl_nports; i++) hdm_enable(&cxl_ports[i].hdm);

  attempt("out-of-order commit (decoder 1 before 0)", ep, 1, W, SZ_256M, ctrl_of(1, 256), 0, 1);
  attempt("zero size", ep, 0, W, 0, ctrl_of(1, 256), 0, 1);
  attempt("invalid IW encoding 5", ep, 0, W, SZ_256M, (5u << 4) | HDM_CTRL_HOSTONLY, 0, 1);
  attempt("invalid IG encoding 7", ep, 0, W, SZ_256M, 7u | HDM_CTRL_HOSTONLY, 0, 1);
  attempt("size not a multiple of the ways (3-way, 256 MiB)", ep, 0, W, SZ_256M, ctrl_of(3, 256), 0, 1);

  /* cxlemu's commit rules (docs: "Commit rules"): an endpoint decoder of W ways sits at a multiple
   * of 256 MiB x W from its window's base, and every decoder lies inside a window that routes to
   * its component. */
  attempt("misaligned base (2-way at window + 256 MiB, not a multiple of 512 MiB)", ep, 0, W + SZ_256M, 2 * SZ_256M,
          ctrl_of(2, 256), 0, 1);
  attempt("range outside every window", ep, 0, W + 16 * 0x40000000UL, SZ_256M, ctrl_of(1, 256), 0, 1);

  /* misaligned base: bits [27:0] of Base Low are read-only zero */
  int o = HDM_DECODER(0);
  hdm_write(&ep->hdm, o + HDM_BASE_HI, (uint32_t)((W + 0x08001000UL) >> 32));
  hdm_write(&ep->hdm, o + HDM_BASE_LO, (uint32_t)(W + 0x08001000UL));
  uint64_t got = hdm_read(&ep->hdm, o + HDM_BASE_LO) | ((uint64_t)hdm_read(&ep->hdm, o + HDM_BASE_HI) << 32);
  rt_printf("misaligned base: wrote 0x%lx, reads back 0x%lx%s\n", W + 0x08001000UL, got,
            got == W ? "" : "  UNEXPECTED");
  if (got != W) unexpected++;
  attempt("misaligned base (commits at the 256 MiB-aligned base)", ep, 0, W + 0x08001000UL, SZ_256M, ctrl_of(1, 256), 0, 0);

  attempt("overlapping range (decoder 1 inside decoder 0)", ep, 1, W, SZ_256M, ctrl_of(1, 256), 0, 1);
  attempt("decoder 1 above decoder 0", ep, 1, W + SZ_256M, SZ_256M, ctrl_of(1, 256), 0, 0);
  uncommit(ep, 0, 1);
  uncommit(ep, 1, 0);
  uncommit(ep, 0, 0);

  int d0 = hb->ndports > 0 ? hb->dport_ids[0] : 0;
  attempt("bad target list (port 0x77 is not a root port)", hb, 0, W, SZ_256M, ctrl_of(1, 256), 0x77, 1);
  if (hb->hdm.targets >= 2)
    attempt("bad target list (port repeated)", hb, 0, W, 2 * SZ_256M, ctrl_of(2, 256), (uint64_t)d0 | ((uint64_t)d0 << 8), 1);
  if (hb->hdm.targets < 8) {
    uint64_t tl = 0;
    for (int i = 0; i < 8; i++) tl |= (uint64_t)i << (8 * i);
    attempt("8 ways above the Target Count", hb, 0, W, 8 * SZ_256M, ctrl_of(8, 256), tl, 1);
  }

  /* A whole region whose host-bridge target list is corrupted after validation: the decoders
   * below commit, the host bridge answers Error-Not-Committed, and the driver un-commits what it
   * committed, highest first (Linux cxl_region_decode_reset). */
  static struct region_plan plan;
  struct region_request rq;
  memset(&rq, 0, sizeof rq);
  rq.name = "bad-tl";
  rq.window = 0;
  rq.ways = 0;
  for (int i = 0; i < cxl_nports; i++) rq.ways += cxl_ports[i].kind == PORT_EP && cxl_ports[i].hb == hb->hb;
  rq.ways *= cxl_windows[0].ways; /* a symmetric topology: every host bridge alike */
  rq.gran = cxl_windows[0].gran;
  rq.size = SZ_256M * (uint64_t)rq.ways;
  if (region_plan(&rq, &plan) == 0) {
    for (int s = 0; s < plan.nsw; s++)
      if (cxl_ports[plan.sw_port[s]].kind == PORT_HB && cxl_ports[plan.sw_port[s]].hdm.base) {
        rt_printf("corrupting %s target list entry 0: %d -> 0x77\n", cxl_ports[plan.sw_port[s]].name, plan.sw_tl[s][0]);
        plan.sw_tl[s][0] = 0x77;
        break;
      }
    int r = region_program(&plan);
    int left = 0;
    for (int i = 0; i < cxl_nports; i++)
      if (cxl_ports[i].hdm.base) left += hdm_first_free(&cxl_ports[i].hdm);
    rt_printf("region with a bad host-bridge target list: %s, %d decoders left committed%s\n",
              r ? "not committed" : "committed", left, r && !left ? "" : "  UNEXPECTED");
    if (!r || left) unexpected++;
  } else {
    rt_printf("region plan for the bad-target-list attempt is invalid  UNEXPECTED\n");
    unexpected++;
  }

  /* Lock-on-Commit: read-only until reset (last: nothing after this needs the decoder) */
  attempt("lock-on-commit", ep, 0, W, SZ_256M, ctrl_of(1, 256) | HDM_CTRL_LOCK, 0, 0);
  hdm_write(&ep->hdm, o + HDM_BASE_LO, (uint32_t)(W + SZ_256M));
  uint64_t lb = hdm_read(&ep->hdm, o + HDM_BASE_LO) | ((uint64_t)hdm_read(&ep->hdm, o + HDM_BASE_HI) << 32);
  rt_printf("locked base write: reads back 0x%lx%s\n", lb, lb == W ? "" : "  UNEXPECTED");
  if (lb != W) unexpected++;
  uncommit(ep, 0, 1);

  if (unexpected) rt_printf("FAIL cxl-illegal: %d unexpected answers\n", unexpected);
  else rt_printf("PASS cxl-illegal\n");
  return unexpected;
}
