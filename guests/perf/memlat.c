/*
 * Memory latency and bandwidth as the guest sees them, for timing mode (docs/timing.md). Code and
 * stack are in RAM; the data lives at the address the job names (RAM or a CXL region). The job is
 * written into a RAM mailbox before the first instruction:
 *   0x8100_0000  mode   1 pointer chase, 2 read stream
 *   0x8100_0008  base   data address
 *   0x8100_0010  bytes  working set
 *   0x8100_0018  count  loads to time (chase) or passes over the buffer (stream)
 * Pointer chase: one pointer per 64-byte line, the lines in one random cycle (Sattolo's shuffle),
 * a warm-up lap, then `count` dependent loads, 16 per loop iteration; prints the cycles they took.
 * Read stream: 8-byte loads over the buffer `count` times after a warm-up pass; prints cycles and
 * bytes. Cycles come from rdcycle, which timing mode advances by instructions and stalls; the
 * chase also reads `time` (10 MHz), which timing mode advances with those cycles.
 */
#include "runtime.h"

#define MAILBOX ((volatile uint64_t *)0x81000000UL)
#define LINE 64

static uint64_t rng = 0x9e3779b97f4a7c15UL;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static inline uint64_t cycles(void) { return csr_read(cycle); }

/* A random single cycle through the n lines at base: line i holds the address of its successor. */
static void build_chase(uint64_t base, uint64_t n) {
  uint64_t *order = (uint64_t *)0x81100000UL; /* scratch in RAM: up to 1 M lines */
  for (uint64_t i = 0; i < n; i++) order[i] = i;
  for (uint64_t i = n - 1; i > 0; i--) {
    uint64_t j = next_rand() % i; /* Sattolo: j < i gives one cycle */
    uint64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (uint64_t i = 0; i < n; i++)
    *(volatile uint64_t *)(base + order[i] * LINE) = base + order[(i + 1) % n] * LINE;
}

#define STEP p = *(volatile uint64_t *)p
static uint64_t chase(uint64_t start, uint64_t loads, uint64_t *end, uint64_t *ticks) {
  uint64_t p = start;
  uint64_t m0 = csr_read(time);
  uint64_t t0 = cycles();
  for (uint64_t i = 0; i < loads; i += 16) {
    STEP; STEP; STEP; STEP; STEP; STEP; STEP; STEP;
    STEP; STEP; STEP; STEP; STEP; STEP; STEP; STEP;
  }
  uint64_t t1 = cycles();
  *ticks = csr_read(time) - m0;
  *end = p;
  return t1 - t0;
}

static uint64_t stream(uint64_t base, uint64_t bytes, uint64_t *sum) {
  const volatile uint64_t *q = (const volatile uint64_t *)base;
  uint64_t n = bytes / 8, s = 0;
  uint64_t t0 = cycles();
  for (uint64_t i = 0; i < n; i += 8) s += q[i] + q[i + 1] + q[i + 2] + q[i + 3] + q[i + 4] + q[i + 5] + q[i + 6] + q[i + 7];
  uint64_t t1 = cycles();
  *sum += s;
  return t1 - t0;
}

int main(void) {
  uint64_t mode = MAILBOX[0], base = MAILBOX[1], bytes = MAILBOX[2], count = MAILBOX[3];
  if (mode == 1) {
    uint64_t n = bytes / LINE, end, ticks;
    build_chase(base, n);
    chase(base, n < 16 ? 16 : (n + 15) / 16 * 16, &end, &ticks); /* warm-up lap */
    uint64_t c = chase(end, count, &end, &ticks);
    rt_printf("chase: base=0x%lx bytes=%lu loads=%lu cycles=%lu ticks=%lu end=0x%lx\n", base, bytes, count, c, ticks, end);
  } else if (mode == 2) {
    uint64_t sum = 0, c = 0;
    for (uint64_t i = 0; i < bytes / 8; i++) ((volatile uint64_t *)base)[i] = i;
    stream(base, bytes, &sum); /* warm-up: the caches hold what they can */
    for (uint64_t r = 0; r < count; r++) c += stream(base, bytes, &sum);
    rt_printf("stream: base=0x%lx bytes=%lu passes=%lu cycles=%lu sum=0x%lx\n", base, bytes, count, c, sum);
  } else {
    rt_printf("memlat: unknown mode %lu\n", mode);
    rt_exit(1);
  }
  return 0;
}
