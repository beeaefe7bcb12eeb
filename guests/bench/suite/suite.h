/* The CPU benchmark suite (guests/bench/suite/, bench/cpu-suite.ts): helpers every kernel shares.
 * Each kernel is its own program with its own main; it checks itself, folds its results into one
 * 64-bit checksum and ends with suite_finish, which prints the single line
 *   suite <name>: checksum=0x<16 hex digits> ok
 * and exits pass, or prints FAIL lines and exits with code 1. Never reads a clock or a counter:
 * the output must be the same on QEMU and on cxlemu. */
#ifndef SUITE_H
#define SUITE_H
#include "runtime.h"

/* Written data goes on pages of its own: a store into a page that also holds code costs an
 * emulator far more than an ordinary store (kernel "samepage" measures exactly that; the others
 * must not measure it by accident when the linker puts .bss right after the last code). */
#define SUITE_DATA __attribute__((aligned(4096)))

/* xorshift64* (Vigna): full period over nonzero states, good enough for test data. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545f4914f6cdd1dULL;
}

/* Order-dependent fold of one value into a running checksum. */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

static int suite_fails;

/* A failed self-check: one FAIL line (the first few only), remembered for the exit code. */
static void __attribute__((noinline, cold)) suite_fail(const char *name, const char *what, uint64_t at) {
  if (suite_fails++ < 8) rt_printf("FAIL suite %s: %s (at %lu)\n", name, what, at);
}

#define CHECK(name, cond, what, at)                      \
  do {                                                   \
    if (!(cond)) suite_fail(name, what, (uint64_t)(at)); \
  } while (0)

static int suite_finish(const char *name, uint64_t checksum) {
  rt_printf("suite %s: checksum=0x%016lx %s\n", name, checksum, suite_fails ? "FAIL" : "ok");
  return suite_fails ? 1 : 0;
}

#endif
