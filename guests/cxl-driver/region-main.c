/* cxl-region-*.elf: discover the CXL hierarchy, choose and validate a region, program and commit
 * its decoders, run a workload in it and print the transcript (docs/cxl-driver.md). The region is
 * fixed at build time (guests/Makefile passes -D): window index, ways, granularity, offset of the
 * base from the window base, size (0: 256 MiB x ways). Endpoints: every endpoint below the
 * window's host bridges. Exit: 0 pass; 2 no CXL DVSEC found; 3 region invalid; 4 a decoder did not
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

int main(void) {
  rt_printf("%s: guest CXL driver\n", REGION_PROG);
  if (!cxl_discover(rt_boot_dtb)) {
    rt_printf("SKIP %s: no CXL registers\n", REGION_PROG);
    return 2;
  }
  static struct region_plan plan;
  struct region_request rq;
  memset(&rq, 0, sizeof rq);
  rq.name = "region0";
  rq.window = REGION_WINDOW;
  rq.ways = REGION_WAYS;
  rq.gran = REGION_GRAN;
  rq.offset = REGION_OFFSET;
  rq.size = REGION_SIZE ? REGION_SIZE : SZ_256M * (uint64_t)REGION_WAYS;
  if (region_plan(&rq, &plan)) {
    rt_printf("FAIL %s: region invalid\n", REGION_PROG);
    return 3;
  }
  if (region_program(&plan)) {
    rt_printf("FAIL %s: decoders not committed\n", REGION_PROG);
    return 4;
  }
  uint64_t ck;
  if (region_workload(&plan, WORKLOAD_HEAD, WORKLOAD_TAIL, &ck)) {
    rt_printf("FAIL %s: workload mismatch\n", REGION_PROG);
    return 5;
  }
  rt_printf("PASS %s\n", REGION_PROG);
  return 0;
}
