/*
 * Memory bandwidth in one placement: 8-byte loads, 8-byte stores, memset and memcpy over a buffer
 * in this image's heap (so code, stack and data share the placement the ELF is linked at).
 * bench/region-bandwidth.ts writes the job into a mailbox in RAM before the first instruction:
 *   0x8100_0000  op     bit 0 load, bit 1 store, bit 2 memset, bit 3 memcpy (0: all, small, once)
 *   0x8100_0008  bytes  buffer size (memcpy copies the first buffer into a second one after it)
 *   0x8100_0010  reps   passes over the buffer
 * memset/memcpy are word-wise with byte heads and tails, as a libc does for large buffers.
 */
#include "runtime.h"

#define MAILBOX ((volatile uint64_t *)0x81000000UL)

extern char __heap_start[], __heap_end[];

static uint64_t load_sum(const uint64_t *p, uint64_t n) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (uint64_t i = 0; i + 4 <= n; i += 4) {
    s0 += p[i];
    s1 += p[i + 1];
    s2 += p[i + 2];
    s3 += p[i + 3];
  }
  return s0 + 3 * s1 + 5 * s2 + 7 * s3;
}

static void store_fill(uint64_t *p, uint64_t n, uint64_t v) {
  for (uint64_t i = 0; i + 4 <= n; i += 4) {
    p[i] = v;
    p[i + 1] = v + 1;
    p[i + 2] = v + 2;
    p[i + 3] = v + 3;
  }
}

static void bw_memset(void *d, int c, uint64_t n) {
  uint8_t *p = d;
  while (n > 0 && ((uintptr_t)p & 7) != 0) { *p++ = (uint8_t)c; n--; }
  uint64_t w = (uint8_t)c * 0x0101010101010101UL;
  uint64_t *q = (uint64_t *)p;
  for (; n >= 32; n -= 32, q += 4) { q[0] = w; q[1] = w; q[2] = w; q[3] = w; }
  for (; n >= 8; n -= 8) *q++ = w;
  p = (uint8_t *)q;
  while (n-- > 0) *p++ = (uint8_t)c;
}

static void bw_memcpy(void *d, const void *s, uint64_t n) {
  uint8_t *p = d;
  const uint8_t *r = s;
  if ((((uintptr_t)p ^ (uintptr_t)r) & 7) == 0) {
    while (n > 0 && ((uintptr_t)p & 7) != 0) { *p++ = *r++; n--; }
    uint64_t *q = (uint64_t *)p;
    const uint64_t *t = (const uint64_t *)r;
    for (; n >= 32; n -= 32, q += 4, t += 4) { q[0] = t[0]; q[1] = t[1]; q[2] = t[2]; q[3] = t[3]; }
    for (; n >= 8; n -= 8) *q++ = *t++;
    p = (uint8_t *)q;
    r = (const uint8_t *)t;
  }
  while (n-- > 0) *p++ = *r++;
}

int main(void) {
  uint64_t op = MAILBOX[0], bytes = MAILBOX[1], reps = MAILBOX[2];
  if (op == 0) {
    op = 15;
    bytes = 65536;
    reps = 1;
  }
  uint8_t *a = (uint8_t *)(((uintptr_t)__heap_start + 4095) & ~(uintptr_t)4095);
  uint8_t *b = a + bytes;
  if (b + bytes > (uint8_t *)__heap_end) {
    rt_printf("bandwidth: %lu-byte buffers do not fit the heap\n", bytes);
    return 2;
  }
  uint64_t check = 0;
  for (uint64_t r = 0; r < reps; r++) {
    if (op & 1) check += load_sum((const uint64_t *)a, bytes / 8);
    if (op & 2) store_fill((uint64_t *)a, bytes / 8, r);
    if (op & 4) bw_memset(b, (int)r, bytes);
    if (op & 8) bw_memcpy(b, a, bytes);
  }
  check += load_sum((const uint64_t *)b, bytes / 8);
  rt_printf("bandwidth: op=%lu bytes=%lu reps=%lu check=0x%016lx\n", op, bytes, reps, check);
  return 0;
}
