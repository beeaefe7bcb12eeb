/* cxl-info.elf: discover the machine as the region programs do (device tree and/or ACPI CEDT, ECAM
 * walk, DVSECs, Register Locator, BARs, port tree); then for every switch USP and endpoint read the
 * CDAT over DOE (Discovery first, then CDAT Table Access from handle 0 until 0xFFFF, checksum) and
 * print DSMAS, DSLBIS (read/write latency in ns, bandwidth in MB/s), DSEMTS and SSLBIS; for every
 * endpoint send Identify Memory Device, Get Partition Info, Get Health Info and Get LSA through the
 * primary mailbox and print the answers; finally build a region in window 0 over every endpoint
 * below it (ways = their count, the window's granularity, 256 MiB per device) and run a short
 * workload. Run with a device tree stripped of CXL nodes, the windows come from the CEDT alone.
 * Exit: 0 pass; 2 no CXL DVSEC; 3 region invalid; 4 a decoder did not commit; 5 workload
 * mismatch; 6 a DOE/CDAT or mailbox failure (the region is still built). */
#include "cxl.h"

#define PROG "cxl-info"

static uint8_t cdat[CDAT_MAX_BYTES];

static int cdat_of(const struct cxl_port *p) {
  const struct cxl_fn *f = &cxl_fns[p->fn];
  if (!f->doe) {
    rt_printf("doe %s: none\n", p->name);
    return 1;
  }
  uint32_t protos[16];
  int n = doe_discover(f, p->name, protos, 16), has = 0;
  for (int i = 0; i < n && i < 16; i++) has |= protos[i] == (CXL_VENDOR_ID | (DOE_TYPE_CDAT << 16));
  if (!has) {
    rt_printf("cdat %s: the DOE mailbox does not offer CDAT Table Access\n", p->name);
    return 1;
  }
  int len = cdat_read(f, p->name, cdat, sizeof cdat);
  if (len < 0) return 1;
  return cdat_print(p->name, cdat, len) ? 1 : 0;
}

static int region(void) {
  if (cxl_nwindows < 1) {
    rt_printf("region: no window\n");
    return 3;
  }
  const struct cxl_window *w = &cxl_windows[0];
  int ways = 0;
  for (int i = 0; i < cxl_nports; i++) {
    if (cxl_ports[i].kind != PORT_EP) continue;
    for (int k = 0; k < w->ntargets; k++)
      if (cxl_hbs[cxl_ports[i].hb].uid == w->targets[k]) ways++;
  }
  static struct region_plan plan;
  struct region_request rq;
  memset(&rq, 0, sizeof rq);
  rq.name = "region0";
  rq.window = 0;
  rq.ways = ways;
  rq.gran = w->gran;
  rq.size = SZ_256M * (uint64_t)ways;
  if (region_plan(&rq, &plan)) {
    rt_printf("FAIL %s: region invalid\n", PROG);
    return 3;
  }
  if (region_program(&plan)) {
    rt_printf("FAIL %s: decoders not committed\n", PROG);
    return 4;
  }
  uint64_t ck;
  if (region_workload(&plan, 0x10000UL, 0x1000UL, &ck)) {
    rt_printf("FAIL %s: workload mismatch\n", PROG);
    return 5;
  }
  return 0;
}

int main(void) {
  rt_printf("%s: guest CXL driver (CDAT over DOE, mailbox, region)\n", PROG);
  if (!cxl_discover(rt_boot_dtb)) {
    rt_printf("SKIP %s: no CXL registers\n", PROG);
    return 2;
  }
  int bad = 0, probed = 0;
  for (int i = 0; i < cxl_nports; i++) {
    /* once: a request for a protocol the mailbox does not offer must end in Error, and the
     * host's Abort must clear Busy, Error and Data Object Ready (SPEC-NOTES 2.6 step 5) */
    const struct cxl_port *p = &cxl_ports[i];
    if (probed || p->kind != PORT_EP || !cxl_fns[p->fn].doe) continue;
    probed = 1;
    uint32_t req[3] = {CXL_VENDOR_ID | (0x7fu << 16), 3, 0}, rsp[4];
    int nr, e = doe_exchange(&cxl_fns[p->fn], req, 3, rsp, 4, &nr);
    uint32_t st = doe_status(&cxl_fns[p->fn]);
    rt_printf("doe %s: unsupported protocol 1e98:7f -> %s; after abort status 0x%x\n", p->name, doe_error_name(e), st);
    if (e != DOE_ERR_ERROR || st != 0) {
      rt_printf("doe %s: UNEXPECTED (want Error, then status 0)\n", p->name);
      bad++;
    }
  }
  for (int i = 0; i < cxl_nports; i++) {
    const struct cxl_port *p = &cxl_ports[i];
    if (p->kind == PORT_USP || p->kind == PORT_EP) bad += cdat_of(p);
  }
  for (int i = 0; i < cxl_nports; i++) {
    const struct cxl_port *p = &cxl_ports[i];
    if (p->kind != PORT_EP) continue;
    struct cxl_mbox m;
    if (!mbox_probe(&cxl_fns[p->fn], p->name, &m)) {
      rt_printf("mailbox %s: unusable\n", p->name);
      bad++;
      continue;
    }
    bad += mbox_report(&m, p->name);
  }
  int rc = region();
  if (rc) return rc;
  if (bad) {
    rt_printf("FAIL %s: %d DOE/CDAT or mailbox failures\n", PROG, bad);
    return 6;
  }
  rt_printf("PASS %s\n", PROG);
  return 0;
}
