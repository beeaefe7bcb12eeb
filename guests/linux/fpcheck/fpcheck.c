/* fpcheck: a statically linked glibc program (riscv64, lp64d: the hard-float ABI) that the init
 * runs under Linux on cxlemu (cxlemu.run=/bin/fpcheck). It uses the standard C library's
 * floating point the way ordinary programs do: printf/strtod of doubles, libm, <fenv.h> rounding
 * modes and exception flags, float/double/integer conversions. Every result is printed exactly
 * (%a, or integers), so the test compares the output with the same binary under qemu-riscv64;
 * known answers are also checked here and a failure exits 1. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void check(const char *what, int ok) {
  if (!ok) {
    printf("fpcheck: FAIL %s\n", what);
    failures++;
  }
}

/* Opaque to the compiler, so the operations happen at run time. */
static volatile double one = 1.0, three = 3.0, zero = 0.0, tenth = 0.1, small = 1e-300;
static volatile float fthree = 3.0f;

int main(void) {
  /* libm and printf: exact bit patterns via %a. */
  double r2 = sqrt(2.0 * one);
  printf("fpcheck: sqrt2 %a exp1 %a sin1 %a log10 %a pow %a\n", r2, exp(one), sin(one), log(10.0 * one),
         pow(1.5 * one, 10.25));
  check("sqrt(2)^2 within an ulp of 2", fabs(r2 * r2 - 2.0) <= 4.5e-16);

  /* strtod and printf round trips (decimal <-> binary conversion). */
  double d = strtod("0.1", NULL);
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", d);
  printf("fpcheck: strtod %a printf %s sum %a\n", d, buf, tenth + tenth + tenth);
  check("0.1 parses to the nearest double", d == 0.1);
  check("0.1 prints back", strcmp(buf, "0.10000000000000001") == 0);

  /* Rounding modes through fenv (frm) and their effect on division. */
  feclearexcept(FE_ALL_EXCEPT);
  double q[4];
  int modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
  for (int i = 0; i < 4; i++) {
    fesetround(modes[i]);
    q[i] = one / three;
  }
  fesetround(FE_TONEAREST);
  printf("fpcheck: 1/3 rne %a rup %a rdn %a rtz %a\n", q[0], q[1], q[2], q[3]);
  check("upward > downward", q[1] > q[2]);
  check("toward zero == downward for a positive quotient", q[3] == q[2]);
  check("1/3 is inexact", fetestexcept(FE_INEXACT) != 0);

  /* Exception flags (fflags). */
  feclearexcept(FE_ALL_EXCEPT);
  volatile double inf = one / zero;
  int dz = fetestexcept(FE_DIVBYZERO) != 0;
  feclearexcept(FE_ALL_EXCEPT);
  volatile double nan = zero / zero;
  int nv = fetestexcept(FE_INVALID) != 0;
  feclearexcept(FE_ALL_EXCEPT);
  volatile double tiny = small * small;
  int uf = fetestexcept(FE_UNDERFLOW) != 0;
  printf("fpcheck: flags dz %d nv %d uf %d inf %a nan-is-nan %d tiny %a\n", dz, nv, uf, inf, nan != nan, tiny);
  check("1/0 raises divide-by-zero", dz);
  check("0/0 raises invalid", nv);
  check("1e-300^2 underflows", uf);

  /* Conversions: float <-> double <-> integers. */
  float f = (float)(one / three);
  long l = lrint(2.5 * one); /* ties to even: 2 */
  long t = (long)(-2.7 * one);
  unsigned long u = (unsigned long)(1e19 * one);
  printf("fpcheck: float %a back %a lrint %ld trunc %ld u %lu fthird %a\n", f, (double)f, l, t, u, fthree / 7.0f);
  check("lrint(2.5) == 2", l == 2);
  check("(long)-2.7 == -2", t == -2);

  /* A small fused computation (gcc contracts a*b+c into fmadd.d). */
  double acc = 0;
  for (int i = 1; i <= 1000; i++) acc = acc * 0.999 + 1.0 / i;
  printf("fpcheck: recurrence %a\n", acc);

  if (failures) {
    printf("fpcheck: %d failure(s)\n", failures);
    return 1;
  }
  printf("fpcheck: ok\n");
  return 0;
}
