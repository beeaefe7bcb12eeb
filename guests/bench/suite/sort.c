/* Suite kernel "sort": each iteration draws 8192 pseudo-random keys (13 bits, so many repeat) and
 * sorts them twice: a top-down merge sort of (key, original index) records, which is stable, with
 * an insertion sort below 16 elements, and an in-place heap sort of the bare keys. Checks: both
 * orders ascending; the merge sort kept equal keys in their original order; both sorts give the
 * same key sequence; the key sum survives. Data-dependent branches, recursion, loads and stores
 * with indices computed at run time. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 460
#endif

#define N 8192

static uint64_t recs[N] SUITE_DATA, tmp[N] SUITE_DATA;
static uint32_t keys[N] SUITE_DATA;

/* Records are key << 32 | index: comparing only the high half keeps equal keys in order. */
#define KEY(r) ((uint32_t)((r) >> 32))

static void insertion(uint64_t *a, int n) {
  for (int i = 1; i < n; i++) {
    uint64_t v = a[i];
    int j = i - 1;
    while (j >= 0 && KEY(a[j]) > KEY(v)) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void __attribute__((noinline)) merge_sort(uint64_t *a, uint64_t *t, int n) {
  if (n <= 16) {
    insertion(a, n);
    return;
  }
  int h = n / 2;
  merge_sort(a, t, h);
  merge_sort(a + h, t + h, n - h);
  if (KEY(a[h - 1]) <= KEY(a[h])) return; /* already in order */
  int i = 0, j = h, k = 0;
  while (i < h && j < n) t[k++] = KEY(a[j]) < KEY(a[i]) ? a[j++] : a[i++];
  while (i < h) t[k++] = a[i++];
  while (j < n) t[k++] = a[j++];
  for (k = 0; k < n; k++) a[k] = t[k];
}

static inline void sift_down(uint32_t *a, int root, int n) {
  uint32_t v = a[root];
  for (;;) {
    int c = 2 * root + 1;
    if (c >= n) break;
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[c] <= v) break;
    a[root] = a[c];
    root = c;
  }
  a[root] = v;
}

static void __attribute__((noinline)) heap_sort(uint32_t *a, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift_down(a, i, n);
  for (int end = n - 1; end > 0; end--) {
    uint32_t t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
}

int main(void) {
  static const char *const NAME = "sort";
  uint64_t seed = 0x9b05688c2b3e6c1fULL, checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    uint64_t sum = 0;
    for (int i = 0; i < N; i++) {
      uint32_t k = (uint32_t)(rng_next(&seed) >> 51); /* 13 bits */
      keys[i] = k;
      recs[i] = (uint64_t)k << 32 | (uint32_t)i;
      sum += k;
    }
    merge_sort(recs, tmp, N);
    heap_sort(keys, N);
    uint64_t sum2 = 0, h = 0;
    for (int i = 0; i < N; i++) {
      uint32_t k = KEY(recs[i]);
      sum2 += k;
      h += (uint64_t)keys[i] * (uint64_t)(i + 1) + (uint32_t)recs[i];
      if (k != keys[i]) {
        suite_fail(NAME, "merge and heap sort disagree", i);
        break;
      }
      if (i && (KEY(recs[i - 1]) > k || keys[i - 1] > keys[i])) {
        suite_fail(NAME, "not ascending", i);
        break;
      }
      if (i && KEY(recs[i - 1]) == k && (uint32_t)recs[i - 1] >= (uint32_t)recs[i]) {
        suite_fail(NAME, "merge sort not stable", i);
        break;
      }
    }
    CHECK(NAME, sum == sum2, "keys lost", it);
    checksum = mix64(checksum, h);
  }
  return suite_finish(NAME, checksum);
}
