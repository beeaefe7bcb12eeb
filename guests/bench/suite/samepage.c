/* Suite kernel "samepage": code and the data it writes share one 4 KiB page. A 16-slot array and
 * the hot loop that stores into it live together in section .text.hot (the array first, the
 * section aligned to a page; main checks both are in one page). Each pass of the loop steps a
 * 64-bit LCG and adds the value into one of eight sum slots and one to one of eight count slots:
 * two loads and two stores into the code's page per iteration. Emulators that translate code
 * must tell these stores apart from writes to the code itself (QEMU: per-page code bitmaps; a
 * block JIT that drops a page's translations on any write to it falls back to slower paths).
 * Checks: the same loop over an ordinary array (in .bss, on its own page) gives the same slots;
 * after every pass the sums add up to the value total the loop returned and the counts to the
 * number of steps. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 45
#endif

#define STEPS 65536

/* The array, at the start of the page-aligned section; hot_loop is emitted into it after this
 * (GCC outputs top-level asm before the functions; main checks the page anyway). */
__asm__(".pushsection .text.hot,\"ax\",@progbits\n"
        ".p2align 12\n"
        ".globl hot_slots\n"
        "hot_slots:\n"
        ".zero 128\n"
        ".popsection\n");
extern uint64_t hot_slots[16];

static uint64_t cold_slots[16] SUITE_DATA;

#define LOOP_BODY(slots)                                       \
  uint64_t total = 0;                                          \
  for (unsigned i = 0; i < n; i++) {                           \
    x = x * 0x5851f42d4c957f2dULL + 0x14057b7ef767814fULL;     \
    uint64_t v = x >> 40;                                      \
    unsigned k = (unsigned)(x >> 61);                          \
    slots[k] += v;                                             \
    slots[8 + ((k + (unsigned)(x >> 37)) & 7)] += 1;           \
    total += v;                                                \
  }                                                            \
  *state = x;                                                  \
  return total;

static uint64_t __attribute__((noinline, section(".text.hot"))) hot_loop(uint64_t *state, unsigned n) {
  uint64_t x = *state;
  LOOP_BODY(hot_slots)
}

static uint64_t __attribute__((noinline)) cold_loop(uint64_t *state, unsigned n) {
  uint64_t x = *state;
  LOOP_BODY(cold_slots)
}

int main(void) {
  static const char *const NAME = "samepage";
  uintptr_t code = (uintptr_t)&hot_loop, data = (uintptr_t)hot_slots;
  CHECK(NAME, code >> 12 == data >> 12 && code > data, "hot_loop and hot_slots share a page", code);

  uint64_t s1 = 0x428a2f98d728ae22ULL, s2 = s1;
  uint64_t t1 = hot_loop(&s1, 5000), t2 = cold_loop(&s2, 5000);
  CHECK(NAME, t1 == t2 && s1 == s2, "hot and cold loops return the same", 0);
  for (int i = 0; i < 16; i++) CHECK(NAME, hot_slots[i] == cold_slots[i], "hot and cold slots", i);

  uint64_t checksum = 0, state = s1, steps = 5000, values = t1;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    values += hot_loop(&state, STEPS);
    steps += STEPS;
    uint64_t sum = 0, count = 0, h = 0;
    for (int i = 0; i < 8; i++) {
      sum += hot_slots[i];
      count += hot_slots[8 + i];
      h = h * 31 + hot_slots[i] + hot_slots[8 + i];
    }
    CHECK(NAME, sum == values && count == steps, "slot sums and counts", it);
    checksum = mix64(checksum, h);
  }
  return suite_finish(NAME, checksum);
}
