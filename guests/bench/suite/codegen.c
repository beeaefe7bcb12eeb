/* Suite kernel "codegen": generates RISC-V code and runs it, as a JIT or a regex compiler does.
 * Each round picks 4-12 operations at random (multiply by a constant, add or subtract a constant,
 * xor-shift, add-shift, rotate, xori, addi, srai-xor), with random constants and shift amounts,
 * encodes them as the body of a counted loop that also sums the values, writes the function at a
 * random offset into one of four code pages (round robin, so each write replaces code run before),
 * executes fence.i and calls it: once for 16 steps, then for 1,500-4,000 steps. Checks: the
 * 16-step result against a C model of the same operation list every round, the long result every
 * 32nd round. The long results go into the checksum. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 38000
#endif

#define NBUF 4
#define PAGE 4096
static uint32_t code[NBUF][PAGE / 4] SUITE_DATA;

/* Registers */
enum { ZERO = 0, RA = 1, T0 = 5, T1 = 6, T2 = 7, A0 = 10, A1 = 11, A2 = 12 };

static uint32_t r_type(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t i_type(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc) {
  return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
#define ADD(rd, a, b) r_type(0, b, a, 0, rd, 0x33)
#define SUB(rd, a, b) r_type(0x20, b, a, 0, rd, 0x33)
#define XOR(rd, a, b) r_type(0, b, a, 4, rd, 0x33)
#define OR(rd, a, b) r_type(0, b, a, 6, rd, 0x33)
#define MUL(rd, a, b) r_type(1, b, a, 0, rd, 0x33)
#define ADDI(rd, a, i) i_type(i, a, 0, rd, 0x13)
#define XORI(rd, a, i) i_type(i, a, 4, rd, 0x13)
#define SLLI(rd, a, s) i_type(s, a, 1, rd, 0x13)
#define SRLI(rd, a, s) i_type(s, a, 5, rd, 0x13)
#define SRAI(rd, a, s) i_type(0x400 | (s), a, 5, rd, 0x13)
#define ADDIW(rd, a, i) i_type(i, a, 0, rd, 0x1b)
#define LUI(rd, hi20) ((uint32_t)(hi20) << 12 | (rd) << 7 | 0x37)
#define JALR(rd, rs1, i) i_type(i, rs1, 0, rd, 0x67)

static uint32_t bne(uint32_t rs1, uint32_t rs2, int32_t off) {
  uint32_t o = (uint32_t)off;
  return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12 | ((o >> 1) & 0xf) << 8 |
         ((o >> 11) & 1) << 7 | 0x63;
}

enum { G_MUL, G_ADD, G_SUB, G_XSHR, G_ASHL, G_ROTL, G_XORI, G_ADDI, G_XSRA, G_KINDS };
struct gop {
  uint8_t kind, s;
  int16_t imm;
};

/* t0 = k1, t1 = k2 (sign-extended 32-bit constants), a2 = 0; loop: ops on a0, a2 += a0,
 * a1 -= 1, bne a1 loop; a0 ^= a2; ret. Returns the number of instructions written. */
static unsigned __attribute__((noinline)) emit(uint32_t *p, const struct gop *ops, int nops, int32_t k1, int32_t k2) {
  uint32_t *start = p;
  int32_t hi1 = (int32_t)(((uint32_t)k1 + 0x800u) >> 12), hi2 = (int32_t)(((uint32_t)k2 + 0x800u) >> 12);
  *p++ = LUI(T0, (uint32_t)hi1 & 0xfffff);
  *p++ = ADDIW(T0, T0, (int32_t)((uint32_t)k1 - ((uint32_t)hi1 << 12)));
  *p++ = LUI(T1, (uint32_t)hi2 & 0xfffff);
  *p++ = ADDIW(T1, T1, (int32_t)((uint32_t)k2 - ((uint32_t)hi2 << 12)));
  *p++ = ADDI(A2, ZERO, 0);
  uint32_t *loop = p;
  for (int i = 0; i < nops; i++) {
    const struct gop *o = &ops[i];
    switch (o->kind) {
      case G_MUL: *p++ = MUL(A0, A0, T0); break;
      case G_ADD: *p++ = ADD(A0, A0, T1); break;
      case G_SUB: *p++ = SUB(A0, A0, T1); break;
      case G_XSHR: *p++ = SRLI(T2, A0, o->s), *p++ = XOR(A0, A0, T2); break;
      case G_ASHL: *p++ = SLLI(T2, A0, o->s), *p++ = ADD(A0, A0, T2); break;
      case G_ROTL: *p++ = SLLI(T2, A0, o->s), *p++ = SRLI(A0, A0, 64 - o->s), *p++ = OR(A0, A0, T2); break;
      case G_XORI: *p++ = XORI(A0, A0, o->imm); break;
      case G_ADDI: *p++ = ADDI(A0, A0, o->imm); break;
      default: *p++ = SRAI(T2, A0, o->s), *p++ = XOR(A0, A0, T2); break;
    }
  }
  *p++ = ADD(A2, A2, A0);
  *p++ = ADDI(A1, A1, -1);
  *p = bne(A1, ZERO, (int32_t)((loop - p) * 4));
  p++;
  *p++ = XOR(A0, A0, A2);
  *p++ = JALR(ZERO, RA, 0);
  return (unsigned)(p - start);
}

static uint64_t __attribute__((noinline)) model(const struct gop *ops, int nops, int32_t k1, int32_t k2, uint64_t x, uint64_t n) {
  uint64_t m = (uint64_t)(int64_t)k1, a = (uint64_t)(int64_t)k2, acc = 0;
  while (n--) {
    for (int i = 0; i < nops; i++) {
      const struct gop *o = &ops[i];
      switch (o->kind) {
        case G_MUL: x *= m; break;
        case G_ADD: x += a; break;
        case G_SUB: x -= a; break;
        case G_XSHR: x ^= x >> o->s; break;
        case G_ASHL: x += x << o->s; break;
        case G_ROTL: x = (x << o->s) | (x >> (64 - o->s)); break;
        case G_XORI: x ^= (uint64_t)(int64_t)o->imm; break;
        case G_ADDI: x += (uint64_t)(int64_t)o->imm; break;
        default: x ^= (uint64_t)((int64_t)x >> o->s); break;
      }
    }
    acc += x;
  }
  return x ^ acc;
}

typedef uint64_t (*genfn)(uint64_t x, uint64_t n);

int main(void) {
  static const char *const NAME = "codegen";
  uint64_t seed = 0x3c6ef372fe94f82bULL, checksum = 0;
  struct gop ops[12];
  for (unsigned it = 0; it < ITERATIONS; it++) {
    uint64_t r = rng_next(&seed);
    int nops = 4 + (int)(r % 9);
    for (int i = 0; i < nops; i++) {
      uint64_t q = rng_next(&seed);
      ops[i].kind = (uint8_t)(q % G_KINDS);
      ops[i].s = (uint8_t)(1 + (q >> 8) % 63);
      ops[i].imm = (int16_t)((int32_t)((q >> 16) & 0xfff) - 2048);
    }
    int32_t k1 = (int32_t)((uint32_t)(r >> 32) | 1), k2 = (int32_t)(rng_next(&seed) >> 32);
    uint32_t *p = &code[it % NBUF][((r >> 8) % (PAGE / 4 - 64))];
    emit(p, ops, nops, k1, k2);
    __asm__ volatile("fence.i" ::: "memory");
    genfn f = (genfn)(uintptr_t)p;

    uint64_t x = rng_next(&seed), n = 1500 + (r >> 16) % 2501;
    uint64_t small = f(x, 16);
    CHECK(NAME, small == model(ops, nops, k1, k2, x, 16), "generated code vs model, 16 steps", it);
    uint64_t big = f(x, n);
    if (it % 32 == 0) CHECK(NAME, big == model(ops, nops, k1, k2, x, n), "generated code vs model", it);
    checksum = mix64(checksum, big);
  }
  return suite_finish(NAME, checksum);
}
