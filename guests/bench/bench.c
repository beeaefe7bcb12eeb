/* cxlemu integer benchmark: CoreMark-like, our own. Each iteration sorts 4096 pseudo-random
 * words (quicksort), computes CRC-32 over 16 KiB (bitwise), multiplies two 48x48 integer
 * matrices and walks/reverses a shuffled 4096-node linked list. Every kernel checks itself
 * (sortedness, CRC known answer, matrix row-sum identity, list length and sum); the run prints
 * one checksum line and exits pass, or prints FAIL and exits with code 1.
 * About 3.6 million instructions per iteration. ITERATIONS is set at build time: bench.elf
 * (800: 2,885,841,029 instructions) and bench-small.elf (5: 18,142,554). */
#include "runtime.h"

#ifndef ITERATIONS
#define ITERATIONS 800
#endif

#define NSORT 4096
#define NCRC 16384
#define NMAT 48
#define NLIST 4096

static uint32_t sort_buf[NSORT];
static uint8_t crc_buf[NCRC];
static int32_t ma[NMAT][NMAT], mb[NMAT][NMAT], mc[NMAT][NMAT];
struct node { struct node *next; uint32_t value; uint32_t pad; };
static struct node nodes[NLIST];
static uint32_t perm[NLIST];

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

static int fails;
static void fail(const char *what, unsigned it) {
  rt_printf("FAIL bench: %s (iteration %u)\n", what, it);
  fails++;
}

static void quicksort(uint32_t *a, int lo, int hi) {
  while (lo < hi) {
    uint32_t pivot = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        uint32_t t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
}

static uint32_t crc32(const uint8_t *p, unsigned n) {
  uint32_t c = 0xffffffffu;
  for (unsigned i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

static uint64_t bench_sort(unsigned it) {
  uint64_t sum = 0, h = 0;
  for (int i = 0; i < NSORT; i++) {
    sort_buf[i] = next_rand();
    sum += sort_buf[i];
  }
  quicksort(sort_buf, 0, NSORT - 1);
  uint64_t sum2 = 0;
  for (int i = 0; i < NSORT; i++) {
    if (i && sort_buf[i - 1] > sort_buf[i]) {
      fail("sort order", it);
      break;
    }
    sum2 += sort_buf[i];
    h += (uint64_t)sort_buf[i] * (uint64_t)(i + 1);
  }
  if (sum != sum2) fail("sort lost elements", it);
  return h;
}

static uint64_t bench_crc(unsigned it) {
  for (int i = 0; i < NCRC; i += 4) {
    uint32_t r = next_rand();
    crc_buf[i] = (uint8_t)r;
    crc_buf[i + 1] = (uint8_t)(r >> 8);
    crc_buf[i + 2] = (uint8_t)(r >> 16);
    crc_buf[i + 3] = (uint8_t)(r >> 24);
  }
  return crc32(crc_buf, NCRC);
}

static uint64_t bench_matrix(unsigned it) {
  for (int i = 0; i < NMAT; i++)
    for (int j = 0; j < NMAT; j++) {
      ma[i][j] = (int32_t)(next_rand() % 2001) - 1000;
      mb[i][j] = (int32_t)(next_rand() % 2001) - 1000;
    }
  for (int i = 0; i < NMAT; i++)
    for (int j = 0; j < NMAT; j++) {
      int32_t s = 0;
      for (int k = 0; k < NMAT; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  /* Row-sum identity: sum_j C[i][j] == sum_k A[i][k] * (sum_j B[k][j]). */
  uint64_t h = 0;
  for (int i = 0; i < NMAT; i++) {
    int64_t lhs = 0, rhs = 0;
    for (int j = 0; j < NMAT; j++) lhs += mc[i][j];
    for (int k = 0; k < NMAT; k++) {
      int64_t bs = 0;
      for (int j = 0; j < NMAT; j++) bs += mb[k][j];
      rhs += ma[i][k] * bs;
    }
    if (lhs != rhs) fail("matrix row sum", it);
    h = mix(h, (uint64_t)lhs);
  }
  return h;
}

static uint64_t bench_list(unsigned it) {
  for (uint32_t i = 0; i < NLIST; i++) perm[i] = i;
  for (uint32_t i = NLIST - 1; i > 0; i--) {
    uint32_t j = next_rand() % (i + 1);
    uint32_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  uint64_t expect = 0;
  for (uint32_t i = 0; i < NLIST; i++) {
    nodes[perm[i]].next = i + 1 < NLIST ? &nodes[perm[i + 1]] : 0;
    nodes[perm[i]].value = next_rand() & 0xffff;
    expect += nodes[perm[i]].value;
  }
  struct node *head = &nodes[perm[0]];
  uint64_t h = 0, sum = 0;
  unsigned n = 0;
  for (int pass = 0; pass < 4; pass++) {
    n = 0;
    sum = 0;
    for (struct node *p = head; p; p = p->next) {
      sum += p->value;
      h = h * 31 + p->value;
      n++;
    }
    /* reverse */
    struct node *prev = 0, *cur = head;
    while (cur) {
      struct node *nx = cur->next;
      cur->next = prev;
      prev = cur;
      cur = nx;
    }
    head = prev;
  }
  if (n != NLIST || sum != expect) fail("list walk", it);
  return h;
}

int main(void) {
  if (crc32((const uint8_t *)"123456789", 9) != 0xcbf43926u) fail("crc32 known answer", 0);
  uint64_t checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    checksum = mix(checksum, bench_sort(it));
    checksum = mix(checksum, bench_crc(it));
    checksum = mix(checksum, bench_matrix(it));
    checksum = mix(checksum, bench_list(it));
  }
#ifdef PRINT_INSTRET
  rt_printf("instret %lu\n", csr_read(minstret));
#endif
  rt_printf("bench: iterations=%u checksum=0x%016lx %s\n", (unsigned)ITERATIONS, checksum, fails ? "FAIL" : "ok");
  return fails ? 1 : 0;
}
