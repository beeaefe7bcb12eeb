/* cxlemu floating-point benchmark (RV64GC, lp64d): our own. Each iteration multiplies two 40x40
 * double matrices (the inner loop is fmadd.d), advances a 5-body gravitational system by 200
 * steps (sqrt, division, fused multiply-adds), runs a single-precision 1-D heat stencil, and
 * converts between integers and floats. Every kernel checks itself against an invariant
 * (matrix: row sums of A*B equal A times B's row sums, within rounding; n-body: energy drift
 * stays small; stencil: the heat total is conserved within rounding); the run prints the bit
 * patterns of the results (so QEMU can confirm them exactly) and the accrued fflags, and exits
 * pass, or prints FAIL and exits with code 1. ITERATIONS is set at build time. */
#include "runtime.h"

#ifndef ITERATIONS
#define ITERATIONS 40
#endif

#define NMAT 40
#define NBODY 5
#define NSTEP 200
#define NHEAT 256

/* Everything the kernels write sits on pages of its own, away from the code: cxlemu (and any JIT)
 * tracks code per page in RAM, and stores next to code cost it (cxlemu issue 14 owns that cliff;
 * this benchmark measures floating point). */
#define PAGE_ALIGNED __attribute__((aligned(4096)))
static double ma[NMAT][NMAT] PAGE_ALIGNED, mb[NMAT][NMAT] PAGE_ALIGNED, mc[NMAT][NMAT] PAGE_ALIGNED;
static float heat[2][NHEAT] PAGE_ALIGNED;

struct body {
  double x, y, z, vx, vy, vz, m;
};
static struct body bodies[NBODY] PAGE_ALIGNED;

static uint64_t rng PAGE_ALIGNED = 0x9e3779b97f4a7c15ULL;
static double next_unit(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) * (1.0 / 9007199254740992.0); /* [0, 1) */
}

static uint64_t bits(double d) {
  union {
    double d;
    uint64_t u;
  } x;
  x.d = d;
  return x.u;
}
static uint32_t fbits(float f) {
  union {
    float f;
    uint32_t u;
  } x;
  x.f = f;
  return x.u;
}
static double fabs_(double x) { return x < 0 ? -x : x; }

static int fails PAGE_ALIGNED;
static void fail(const char *what, unsigned it) {
  rt_printf("FAIL fpbench: %s (iteration %u)\n", what, it);
  fails++;
}

static double matmul(unsigned it) {
  for (int i = 0; i < NMAT; i++)
    for (int j = 0; j < NMAT; j++) {
      ma[i][j] = next_unit() - 0.5;
      mb[i][j] = next_unit() * 2.0;
    }
  for (int i = 0; i < NMAT; i++)
    for (int j = 0; j < NMAT; j++) {
      double s = 0;
      for (int k = 0; k < NMAT; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  /* Check: sum_j C[i][j] == sum_k A[i][k] * (sum_j B[k][j]), up to rounding. */
  double total = 0;
  for (int i = 0; i < NMAT; i++) {
    double lhs = 0, rhs = 0;
    for (int j = 0; j < NMAT; j++) lhs += mc[i][j];
    for (int k = 0; k < NMAT; k++) {
      double rs = 0;
      for (int j = 0; j < NMAT; j++) rs += mb[k][j];
      rhs += ma[i][k] * rs;
    }
    if (fabs_(lhs - rhs) > 1e-9 * (1 + fabs_(rhs))) fail("matrix row sums", it);
    total += lhs;
  }
  return total;
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < NBODY; i++) {
    struct body *b = &bodies[i];
    e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < NBODY; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      e -= b->m * c->m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static double nbody(unsigned it) {
  for (int i = 0; i < NBODY; i++) {
    /* Bodies start at least 2.5 apart along x, so 200 small steps keep the energy drift small. */
    bodies[i] = (struct body){i * 3.0 + 0.5 * next_unit(), next_unit() - 0.5, next_unit() - 0.5,
                              next_unit() * 0.1, next_unit() * 0.1 - 0.05, 0, 1.0 + i};
  }
  const double dt = 0.001;
  double e0 = energy();
  for (int s = 0; s < NSTEP; s++) {
    for (int i = 0; i < NBODY; i++) {
      struct body *b = &bodies[i];
      for (int j = i + 1; j < NBODY; j++) {
        struct body *c = &bodies[j];
        double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
        double d2 = dx * dx + dy * dy + dz * dz;
        double mag = dt / (d2 * __builtin_sqrt(d2));
        b->vx -= dx * c->m * mag;
        b->vy -= dy * c->m * mag;
        b->vz -= dz * c->m * mag;
        c->vx += dx * b->m * mag;
        c->vy += dy * b->m * mag;
        c->vz += dz * b->m * mag;
      }
    }
    for (int i = 0; i < NBODY; i++) {
      struct body *b = &bodies[i];
      b->x += dt * b->vx;
      b->y += dt * b->vy;
      b->z += dt * b->vz;
    }
  }
  double e1 = energy();
  if (fabs_(e1 - e0) > 1e-3 * fabs_(e0)) fail("n-body energy drift", it);
  return e1;
}

static float stencil(unsigned it) {
  float *a = heat[0], *b = heat[1];
  float total0 = 0;
  for (int i = 0; i < NHEAT; i++) {
    a[i] = (float)(next_unit() * 100.0);
    total0 += a[i];
  }
  for (int s = 0; s < 64; s++) {
    b[0] = a[0];
    b[NHEAT - 1] = a[NHEAT - 1];
    for (int i = 1; i < NHEAT - 1; i++) b[i] = a[i] + 0.25f * (a[i - 1] - 2.0f * a[i] + a[i + 1]);
    float *t = a;
    a = b;
    b = t;
  }
  float total = 0;
  for (int i = 0; i < NHEAT; i++) total += a[i];
  /* Heat leaks only through the two fixed ends; the interior total stays within rounding. */
  if (!(total > 0.5f * total0 && total < 1.5f * total0)) fail("stencil total", it);
  return total;
}

static long conversions(unsigned it) {
  long acc = 0;
  for (int i = -500; i < 500; i += 7) {
    double d = (double)i * 1.37;
    long t = (long)d;                  /* fcvt.l.d rtz */
    int w = (int)(float)(d * 0.5);     /* fcvt.s.d, fcvt.w.s rtz */
    unsigned u = (unsigned)(d > 0 ? d : -d); /* fcvt.wu.d */
    acc += t * 3 + w + u;
    if (t != (long)(i * 137) / 100 && i * 137 % 100 == 0) fail("conversion", it);
  }
  return acc;
}

int main(void) {
  double msum = 0, esum = 0;
  float hsum = 0;
  long csum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    msum += matmul(it);
    esum += nbody(it);
    hsum += stencil(it);
    csum += conversions(it);
  }
  unsigned flags;
  __asm__ volatile("frflags %0" : "=r"(flags));
  rt_printf("fpbench: %u iterations matrix %lx nbody %lx heat %x conv %ld fflags %x\n", ITERATIONS,
            (unsigned long)bits(msum), (unsigned long)bits(esum), fbits(hsum), csum, flags);
  if (fails) return 1;
  return 0;
}
