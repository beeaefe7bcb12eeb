/* Self-checking test helpers: CHECK prints a FAIL line with got/expected on mismatch;
 * GROUP starts a named group and prints "PASS <group>" or "FAIL <group>" when the next group
 * starts or at test_done(), which exits through the finisher (pass only if nothing failed). */
#ifndef RT_TEST_H
#define RT_TEST_H
#include "runtime.h"

static const char *t_group;
static char t_group_buf[96];
static int t_group_fail, t_fail, t_checks, t_groups;

static inline void t_end_group(void) {
  if (t_group) rt_printf("%s %s\n", t_group_fail ? "FAIL" : "PASS", t_group);
  t_group = 0;
  t_group_fail = 0;
}
static inline void GROUP(const char *name) {
  t_end_group();
  unsigned i = 0;
  for (; name[i] && i + 1 < sizeof(t_group_buf); i++) t_group_buf[i] = name[i];
  t_group_buf[i] = 0;
  t_group = t_group_buf;
  t_groups++;
}
static inline void t_check(const char *what, int line, uint64_t got, uint64_t exp) {
  t_checks++;
  if (got != exp) {
    t_fail++;
    t_group_fail = 1;
    rt_printf("  mismatch %s (line %d): got 0x%016lx expected 0x%016lx\n", what, line, got, exp);
  }
}
#define CHECK(what, got, exp) t_check((what), __LINE__, (uint64_t)(got), (uint64_t)(exp))
#define CHECKV(got, exp) t_check(#got, __LINE__, (uint64_t)(got), (uint64_t)(exp))

static inline int test_done(const char *prog) {
  t_end_group();
  if (t_fail) {
    rt_printf("FAIL %s: %d of %d checks failed\n", prog, t_fail, t_checks);
    return 1;
  }
  rt_printf("PASS %s: %d groups, %d checks\n", prog, t_groups, t_checks);
  return 0;
}
#endif
