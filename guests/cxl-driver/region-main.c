/* cxl-region-*.elf: discover the CXL hierarchy, choose and validate a region, program and commit
 * its decoders, run a workload in it and print the transcript (docs/cxl-driver.md). The region is
 * fixed at build time (guests/Makefile passes -D): window index, ways, granularity, offset of the
 * base from the window base, size (0: 256 MiB x ways). Endpoints: every endpoint below the
 * window's host bridges, or those whose DSN serials REGION_SERIALS lists. REGION2_* (optional) define a second region built after the first.
 * Exit: 0 pass; 2 no CXL DVSEC found; 3 region invalid; 4 a decoder did not
 * commit; 5 workload mismatch. */
#include "cxl.h"

#ifndef REGION_PROG
#define REGION_PROG "cxl-region"
#endif
#ifndef REGION_WINDOW
#define REGION_WINDOW 0
#endif
#ifndef REGION_WAYS
#define REGION_WAYS 4
#endif
#ifndef REGION_GRAN
#define REGION_GRAN 256
#endif
#ifndef REGION_OFFSET
#define REGION_OFFSET 0UL
#endif
#ifndef REGION_SIZE
#define REGION_SIZE 0UL
#endif
#ifndef WORKLOAD_HEAD
#define WORKLOAD_HEAD 0x100000UL
#endif
#ifndef WORKLOAD_TAIL
#define WORKLOAD_TAIL 0x10000UL
#endif

/* Endpoints chosen by DSN serial (REGION_SERIALS=a,b,...); without it, every endpoint below the
 * window's host bridges. Returns -1 if a serial names no endpoint. */
static int pick_endpoints(struct region_request *rq) {
#ifdef REGION_SERIALS
  static const uint64_t serials[] = {REGION_SERIALS};
  for (unsigned k = 0; k < sizeof serials / sizeof serials[0] && rq->nmem < CXL_MAX_WAYS; k++) {
    int found = -1;
    for (int i = 0; i < cxl_nports; i++)
      if (cxl_ports[i].kind == PORT_EP && cxl_fns[cxl_ports[i].fn].has_serial && cxl_fns[cxl_ports[i].fn].serial == serials[k]) found = i;
    if (found < 0) {
      rt_printf("no endpoint has serial 0x%lx\n", serials[k]);
      return -1;
    }
    rt_printf("endpoint chosen: %s serial 0x%lx\n", cxl_ports[found].name, serials[k]);
    rq->mem[rq->nmem++] = found;
  }
#else
  (void)rq;
#endif
  return 0;
}

/* One region: plan, program, workload. Returns the exit code (0 ok). */
static int one_region(const char *name, int window, int ways, int gran, uint64_t offset, uint64_t size, int pick) {
  static struct region_plan plan;
  struct region_request rq;
  memset(&rq, 0, sizeof rq);
  if (pick && pick_endpoints(&rq)) {
    rt_printf("FAIL %s: region %s endpoints\n", REGION_PROG, name);
    return 3;
  }
  rq.name = name;
  rq.window = window;
  rq.ways = ways;
  rq.gran = gran;
  rq.offset = offset;
  rq.size = size ? size : SZ_256M * (uint64_t)ways;
  if (region_plan(&rq, &plan)) {
    rt_printf("FAIL %s: region %s invalid\n", REGION_PROG, name);
    return 3;
  }
  if (region_program(&plan)) {
    rt_printf("FAIL %s: region %s decoders not committed\n", REGION_PROG, name);
    return 4;
  }
  uint64_t ck;
  if (region_workload(&plan, WORKLOAD_HEAD, WORKLOAD_TAIL, &ck)) {
    rt_printf("FAIL %s: region %s workload mismatch\n", REGION_PROG, name);
    return 5;
  }
  /* what is committed now (the next region's decoder index, DPA base and ordering depend on it) */
  for (int i = 0; i < cxl_nports; i++) topo_refresh(&cxl_ports[i]);
  return 0;
}

int main(void) {
  rt_printf("%s: guest CXL driver\n", REGION_PROG);
  if (!cxl_discover(rt_boot_dtb)) {
    rt_printf("SKIP %s: no CXL registers\n", REGION_PROG);
    return 2;
  }
  int rc = one_region("region0", REGION_WINDOW, REGION_WAYS, REGION_GRAN, REGION_OFFSET, REGION_SIZE, 1);
#ifdef REGION2_WAYS
  /* a second region after the first: next decoder index on every component, DPA after the first */
  if (rc == 0) rc = one_region("region1", REGION2_WINDOW, REGION2_WAYS, REGION2_GRAN, REGION2_OFFSET, REGION2_SIZE, 0);
#endif
  if (rc) return rc;
  rt_printf("PASS %s\n", REGION_PROG);
  return 0;
}
