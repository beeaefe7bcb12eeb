/* Suite kernel "matmul": dense 64x64 integer matrix products (32-bit elements, products wrap
 * modulo 2^32). Each iteration changes one row of A and one column of B, then computes C = A B
 * twice: row by row (i-k-j: C's row accumulates B's rows scaled by A[i][k]) and as dot products
 * of A's rows with the rows of B transposed, 4x4 tiles with 16 accumulators. Checks: both products
 * equal element for element; the row-sum identity sum_j C[i][j] = sum_k A[i][k] (sum_j B[k][j]);
 * A I = A at the start. Multiplies, loads and stores in regular strides, counted loops. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 720
#endif

#define N 64

static uint32_t A[N][N] SUITE_DATA, B[N][N] SUITE_DATA, Bt[N][N] SUITE_DATA;
static uint32_t C1[N][N] SUITE_DATA, C2[N][N] SUITE_DATA;

static void __attribute__((noinline)) mul_ikj(uint32_t (*c)[N], uint32_t (*a)[N], uint32_t (*b)[N]) {
  for (int i = 0; i < N; i++) {
    uint32_t *ci = c[i];
    for (int j = 0; j < N; j++) ci[j] = 0;
    for (int k = 0; k < N; k++) {
      uint32_t aik = a[i][k];
      const uint32_t *bk = b[k];
      for (int j = 0; j < N; j++) ci[j] += aik * bk[j];
    }
  }
}

static void __attribute__((noinline)) mul_tiled_dot(uint32_t (*c)[N], uint32_t (*a)[N], uint32_t (*bt)[N]) {
  for (int i = 0; i < N; i += 4)
    for (int j = 0; j < N; j += 4) {
      uint32_t acc[4][4] = {{0}};
      for (int k = 0; k < N; k++) {
        uint32_t a0 = a[i][k], a1 = a[i + 1][k], a2 = a[i + 2][k], a3 = a[i + 3][k];
        uint32_t b0 = bt[j][k], b1 = bt[j + 1][k], b2 = bt[j + 2][k], b3 = bt[j + 3][k];
        acc[0][0] += a0 * b0, acc[0][1] += a0 * b1, acc[0][2] += a0 * b2, acc[0][3] += a0 * b3;
        acc[1][0] += a1 * b0, acc[1][1] += a1 * b1, acc[1][2] += a1 * b2, acc[1][3] += a1 * b3;
        acc[2][0] += a2 * b0, acc[2][1] += a2 * b1, acc[2][2] += a2 * b2, acc[2][3] += a2 * b3;
        acc[3][0] += a3 * b0, acc[3][1] += a3 * b1, acc[3][2] += a3 * b2, acc[3][3] += a3 * b3;
      }
      for (int x = 0; x < 4; x++)
        for (int y = 0; y < 4; y++) c[i + x][j + y] = acc[x][y];
    }
}

static void transpose(uint32_t (*t)[N], uint32_t (*m)[N]) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) t[j][i] = m[i][j];
}

int main(void) {
  static const char *const NAME = "matmul";
  uint64_t seed = 0xbb67ae8584caa73bULL, checksum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (uint32_t)rng_next(&seed);
      B[i][j] = i == j; /* identity first */
    }
  mul_ikj(C1, A, B);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) CHECK(NAME, C1[i][j] == A[i][j], "A I = A", i * N + j);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) B[i][j] = (uint32_t)rng_next(&seed) >> 20;

  for (unsigned it = 0; it < ITERATIONS; it++) {
    unsigned r = it % N;
    for (int k = 0; k < N; k++) {
      A[r][k] = (uint32_t)rng_next(&seed);
      B[k][(r * 7) % N] = (uint32_t)rng_next(&seed) >> 20;
    }
    transpose(Bt, B);
    mul_ikj(C1, A, B);
    mul_tiled_dot(C2, A, Bt);
    uint32_t bsum[N];
    for (int k = 0; k < N; k++) {
      bsum[k] = 0;
      for (int j = 0; j < N; j++) bsum[k] += B[k][j];
    }
    uint64_t h = 0;
    for (int i = 0; i < N; i++) {
      uint32_t lhs = 0, rhs = 0;
      for (int j = 0; j < N; j++) {
        if (C1[i][j] != C2[i][j]) {
          suite_fail(NAME, "i-k-j and tiled products differ", (uint64_t)it << 16 | (unsigned)(i * N + j));
          break;
        }
        lhs += C1[i][j];
        h = h * 0x100000001b3ULL ^ C1[i][j];
      }
      for (int k = 0; k < N; k++) rhs += A[i][k] * bsum[k];
      CHECK(NAME, lhs == rhs, "row-sum identity", (uint64_t)it << 16 | (unsigned)i);
    }
    checksum = mix64(checksum, h);
  }
  return suite_finish(NAME, checksum);
}
