/* Suite kernel "interp": a small stack-machine bytecode (26 opcodes: constants, 16 locals, integer
 * ALU, compares, jumps, call/return, a word memory) with two dispatchers: a switch in a loop (a
 * jump table: one indirect branch per opcode) and a table of handler functions (an indirect call
 * per opcode, state in memory). Each iteration assembles four programs with parameters that change
 * from one iteration to the next (Collatz step totals, a sum of Euclid GCDs, a sieve in the VM's
 * memory, recursive Fibonacci through CALL/RET) and runs each on both dispatchers. Checks: each
 * program's result against the same computation in C, and the two dispatchers agree on the result,
 * the number of opcodes executed and the VM memory. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 90
#endif

enum {
  OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_INC, OP_ADD, OP_SUB, OP_MUL, OP_REM, OP_AND, OP_XOR, OP_SHL, OP_SHR,
  OP_DUP, OP_DROP, OP_SWAP, OP_OVER, OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_JNZ, OP_CALL, OP_RET, OP_LDM, OP_STM, NOPS
};

#define STACK 64
#define MEMW 4096
#define CODE 512

struct vm {
  int64_t *sp; /* next free slot */
  uint16_t *rsp;
  const uint8_t *code;
  uint64_t steps;
  int64_t loc[16];
  int64_t st[STACK];
  uint16_t rs[STACK];
  int64_t mem[MEMW];
};

static struct vm vm_a SUITE_DATA, vm_b SUITE_DATA;

/* ---- assembler: bytes, 16-bit little-endian operands, labels with fix-ups ---- */
struct as {
  uint8_t code[CODE];
  int n;
  int label[16];
  int fix_at[32], fix_label[32], nfix;
};

static void op(struct as *a, int o) {
  a->code[a->n++] = (uint8_t)o;
}
static void op16(struct as *a, int o, int v) {
  a->code[a->n++] = (uint8_t)o;
  a->code[a->n++] = (uint8_t)v;
  a->code[a->n++] = (uint8_t)(v >> 8);
}
static void op8(struct as *a, int o, int v) {
  a->code[a->n++] = (uint8_t)o;
  a->code[a->n++] = (uint8_t)v;
}
static void jump(struct as *a, int o, int l) {
  a->fix_at[a->nfix] = a->n + 1;
  a->fix_label[a->nfix++] = l;
  op16(a, o, 0);
}
static void here(struct as *a, int l) {
  a->label[l] = a->n;
}
static void assemble_end(struct as *a) {
  for (int i = 0; i < a->nfix; i++) {
    int t = a->label[a->fix_label[i]];
    a->code[a->fix_at[i]] = (uint8_t)t;
    a->code[a->fix_at[i] + 1] = (uint8_t)(t >> 8);
  }
}
static void reset(struct as *a) {
  a->n = 0;
  a->nfix = 0;
}

/* ---- dispatcher 1: switch ---- */
#define IMM16(p) ((int16_t)((p)[0] | (p)[1] << 8))

static int64_t __attribute__((noinline)) run_switch(struct vm *m) {
  const uint8_t *code = m->code;
  unsigned pc = 0;
  int64_t *sp = m->st;
  uint16_t *rsp = m->rs;
  uint64_t steps = 0;
  int64_t t;
  for (;;) {
    uint8_t o = code[pc++];
    steps++;
    switch (o) {
      case OP_HALT:
        m->steps = steps;
        return sp[-1];
      case OP_PUSH: *sp++ = IMM16(code + pc); pc += 2; break;
      case OP_LOAD: *sp++ = m->loc[code[pc++]]; break;
      case OP_STORE: m->loc[code[pc++]] = *--sp; break;
      case OP_INC: m->loc[code[pc++]]++; break;
      case OP_ADD: sp--; sp[-1] += sp[0]; break;
      case OP_SUB: sp--; sp[-1] -= sp[0]; break;
      case OP_MUL: sp--; sp[-1] *= sp[0]; break;
      case OP_REM: sp--; sp[-1] = sp[0] ? sp[-1] % sp[0] : 0; break;
      case OP_AND: sp--; sp[-1] &= sp[0]; break;
      case OP_XOR: sp--; sp[-1] ^= sp[0]; break;
      case OP_SHL: sp--; sp[-1] = (int64_t)((uint64_t)sp[-1] << (sp[0] & 63)); break;
      case OP_SHR: sp--; sp[-1] = (int64_t)((uint64_t)sp[-1] >> (sp[0] & 63)); break;
      case OP_DUP: sp[0] = sp[-1]; sp++; break;
      case OP_DROP: sp--; break;
      case OP_SWAP: t = sp[-1]; sp[-1] = sp[-2]; sp[-2] = t; break;
      case OP_OVER: sp[0] = sp[-2]; sp++; break;
      case OP_LT: sp--; sp[-1] = sp[-1] < sp[0]; break;
      case OP_EQ: sp--; sp[-1] = sp[-1] == sp[0]; break;
      case OP_JMP: pc = (uint16_t)IMM16(code + pc); break;
      case OP_JZ: pc = *--sp == 0 ? (uint16_t)IMM16(code + pc) : pc + 2; break;
      case OP_JNZ: pc = *--sp != 0 ? (uint16_t)IMM16(code + pc) : pc + 2; break;
      case OP_CALL: *rsp++ = (uint16_t)(pc + 2); pc = (uint16_t)IMM16(code + pc); break;
      case OP_RET: pc = *--rsp; break;
      case OP_LDM: sp[-1] = m->mem[sp[-1] & (MEMW - 1)]; break;
      case OP_STM: sp -= 2; m->mem[sp[1] & (MEMW - 1)] = sp[0]; break;
      default:
        m->steps = steps;
        return -1;
    }
  }
}

/* ---- dispatcher 2: a handler per opcode, returning the next pc (HALT returns CODE) ---- */
typedef unsigned (*handler)(struct vm *m, unsigned pc);
#define H(name) static unsigned __attribute__((noinline)) name(struct vm *m, unsigned pc)
#define BIN(name, expr)        \
  H(name) {                    \
    int64_t b = *--m->sp;      \
    int64_t a = m->sp[-1];     \
    m->sp[-1] = (expr);        \
    return pc;                 \
  }
H(h_halt) { return CODE; }
H(h_push) { *m->sp++ = IMM16(m->code + pc); return pc + 2; }
H(h_load) { *m->sp++ = m->loc[m->code[pc]]; return pc + 1; }
H(h_store) { m->loc[m->code[pc]] = *--m->sp; return pc + 1; }
H(h_inc) { m->loc[m->code[pc]]++; return pc + 1; }
BIN(h_add, a + b)
BIN(h_sub, a - b)
BIN(h_mul, a * b)
BIN(h_rem, b ? a % b : 0)
BIN(h_and, a & b)
BIN(h_xor, a ^ b)
BIN(h_shl, (int64_t)((uint64_t)a << (b & 63)))
BIN(h_shr, (int64_t)((uint64_t)a >> (b & 63)))
BIN(h_lt, a < b)
BIN(h_eq, a == b)
H(h_dup) { m->sp[0] = m->sp[-1]; m->sp++; return pc; }
H(h_drop) { m->sp--; return pc; }
H(h_swap) { int64_t t = m->sp[-1]; m->sp[-1] = m->sp[-2]; m->sp[-2] = t; return pc; }
H(h_over) { m->sp[0] = m->sp[-2]; m->sp++; return pc; }
H(h_jmp) { return (uint16_t)IMM16(m->code + pc); }
H(h_jz) { return *--m->sp == 0 ? (uint16_t)IMM16(m->code + pc) : pc + 2; }
H(h_jnz) { return *--m->sp != 0 ? (uint16_t)IMM16(m->code + pc) : pc + 2; }
H(h_call) { *m->rsp++ = (uint16_t)(pc + 2); return (uint16_t)IMM16(m->code + pc); }
H(h_ret) { return *--m->rsp; }
H(h_ldm) { m->sp[-1] = m->mem[m->sp[-1] & (MEMW - 1)]; return pc; }
H(h_stm) { m->sp -= 2; m->mem[m->sp[1] & (MEMW - 1)] = m->sp[0]; return pc; }

static handler const table[NOPS] = {
  [OP_HALT] = h_halt, [OP_PUSH] = h_push, [OP_LOAD] = h_load, [OP_STORE] = h_store, [OP_INC] = h_inc,
  [OP_ADD] = h_add, [OP_SUB] = h_sub, [OP_MUL] = h_mul, [OP_REM] = h_rem, [OP_AND] = h_and,
  [OP_XOR] = h_xor, [OP_SHL] = h_shl, [OP_SHR] = h_shr, [OP_DUP] = h_dup, [OP_DROP] = h_drop,
  [OP_SWAP] = h_swap, [OP_OVER] = h_over, [OP_LT] = h_lt, [OP_EQ] = h_eq, [OP_JMP] = h_jmp,
  [OP_JZ] = h_jz, [OP_JNZ] = h_jnz, [OP_CALL] = h_call, [OP_RET] = h_ret, [OP_LDM] = h_ldm, [OP_STM] = h_stm,
};

static int64_t __attribute__((noinline)) run_table(struct vm *m) {
  unsigned pc = 0;
  uint64_t steps = 0;
  m->sp = m->st;
  m->rsp = m->rs;
  while (pc < CODE) {
    uint8_t o = m->code[pc++];
    steps++;
    pc = table[o < NOPS ? o : OP_HALT](m, pc);
  }
  m->steps = steps;
  return m->sp[-1];
}

/* ---- programs ---- */
enum { L_A, L_B, L_C, L_D, L_E, L_F };

/* Sum of Collatz steps to 1 for every start in 1..n (locals: 0 total, 1 start, 2 x). */
static void prog_collatz(struct as *a, int n) {
  reset(a);
  op16(a, OP_PUSH, 0), op8(a, OP_STORE, 0), op16(a, OP_PUSH, 1), op8(a, OP_STORE, 1);
  here(a, L_A);
  op8(a, OP_LOAD, 1), op16(a, OP_PUSH, n + 1), op(a, OP_LT), jump(a, OP_JZ, L_E);
  op8(a, OP_LOAD, 1), op8(a, OP_STORE, 2);
  here(a, L_B);
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, 1), op(a, OP_EQ), jump(a, OP_JNZ, L_D);
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, 1), op(a, OP_AND), jump(a, OP_JZ, L_C);
  op8(a, OP_LOAD, 2), op(a, OP_DUP), op(a, OP_DUP), op(a, OP_ADD), op(a, OP_ADD), op16(a, OP_PUSH, 1),
      op(a, OP_ADD), op8(a, OP_STORE, 2), op8(a, OP_INC, 0), jump(a, OP_JMP, L_B);
  here(a, L_C);
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, 1), op(a, OP_SHR), op8(a, OP_STORE, 2), op8(a, OP_INC, 0),
      jump(a, OP_JMP, L_B);
  here(a, L_D);
  op8(a, OP_INC, 1), jump(a, OP_JMP, L_A);
  here(a, L_E);
  op8(a, OP_LOAD, 0), op(a, OP_HALT);
  assemble_end(a);
}
static int64_t c_collatz(int n) {
  int64_t t = 0;
  for (int64_t s = 1; s <= n; s++)
    for (int64_t x = s; x != 1; t++) x = (x & 1) ? 3 * x + 1 : x >> 1;
  return t;
}

/* Sum of gcd(i, j) for i, j in 1..n by Euclid's remainders (locals: 0 sum, 1 i, 2 j, 3 a, 4 b). */
static void prog_gcd(struct as *a, int n) {
  reset(a);
  op16(a, OP_PUSH, 0), op8(a, OP_STORE, 0), op16(a, OP_PUSH, 1), op8(a, OP_STORE, 1);
  here(a, L_A);
  op8(a, OP_LOAD, 1), op16(a, OP_PUSH, n + 1), op(a, OP_LT), jump(a, OP_JZ, L_F);
  op16(a, OP_PUSH, 1), op8(a, OP_STORE, 2);
  here(a, L_B);
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, n + 1), op(a, OP_LT), jump(a, OP_JZ, L_E);
  op8(a, OP_LOAD, 1), op8(a, OP_STORE, 3), op8(a, OP_LOAD, 2), op8(a, OP_STORE, 4);
  here(a, L_C);
  op8(a, OP_LOAD, 4), jump(a, OP_JZ, L_D);
  op8(a, OP_LOAD, 3), op8(a, OP_LOAD, 4), op(a, OP_REM), op8(a, OP_LOAD, 4), op8(a, OP_STORE, 3),
      op8(a, OP_STORE, 4), jump(a, OP_JMP, L_C);
  here(a, L_D);
  op8(a, OP_LOAD, 0), op8(a, OP_LOAD, 3), op(a, OP_ADD), op8(a, OP_STORE, 0), op8(a, OP_INC, 2),
      jump(a, OP_JMP, L_B);
  here(a, L_E);
  op8(a, OP_INC, 1), jump(a, OP_JMP, L_A);
  here(a, L_F);
  op8(a, OP_LOAD, 0), op(a, OP_HALT);
  assemble_end(a);
}
static int64_t c_gcd(int n) {
  int64_t s = 0;
  for (int64_t i = 1; i <= n; i++)
    for (int64_t j = 1; j <= n; j++) {
      int64_t x = i, y = j;
      while (y) {
        int64_t r = x % y;
        x = y;
        y = r;
      }
      s += x;
    }
  return s;
}

/* Primes below n with a sieve in VM memory, returns count * 65536 + (xor of primes)
 * (locals: 0 count, 1 i, 2 j, 5 xor). */
static void prog_sieve(struct as *a, int n) {
  reset(a);
  op16(a, OP_PUSH, 0), op8(a, OP_STORE, 0), op16(a, OP_PUSH, 0), op8(a, OP_STORE, 5);
  op16(a, OP_PUSH, 0), op8(a, OP_STORE, 2);
  here(a, L_A); /* clear mem[0..n) */
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, n), op(a, OP_LT), jump(a, OP_JZ, L_B);
  op16(a, OP_PUSH, 0), op8(a, OP_LOAD, 2), op(a, OP_STM), op8(a, OP_INC, 2), jump(a, OP_JMP, L_A);
  here(a, L_B);
  op16(a, OP_PUSH, 2), op8(a, OP_STORE, 1);
  here(a, L_C);
  op8(a, OP_LOAD, 1), op16(a, OP_PUSH, n), op(a, OP_LT), jump(a, OP_JZ, L_F);
  op8(a, OP_LOAD, 1), op(a, OP_LDM), jump(a, OP_JNZ, L_E);
  op8(a, OP_INC, 0), op8(a, OP_LOAD, 5), op8(a, OP_LOAD, 1), op(a, OP_XOR), op8(a, OP_STORE, 5);
  op8(a, OP_LOAD, 1), op(a, OP_DUP), op(a, OP_ADD), op8(a, OP_STORE, 2);
  here(a, L_D);
  op8(a, OP_LOAD, 2), op16(a, OP_PUSH, n), op(a, OP_LT), jump(a, OP_JZ, L_E);
  op16(a, OP_PUSH, 1), op8(a, OP_LOAD, 2), op(a, OP_STM);
  op8(a, OP_LOAD, 2), op8(a, OP_LOAD, 1), op(a, OP_ADD), op8(a, OP_STORE, 2), jump(a, OP_JMP, L_D);
  here(a, L_E);
  op8(a, OP_INC, 1), jump(a, OP_JMP, L_C);
  here(a, L_F);
  op8(a, OP_LOAD, 0), op16(a, OP_PUSH, 16), op(a, OP_SHL), op8(a, OP_LOAD, 5), op(a, OP_XOR), op(a, OP_HALT);
  assemble_end(a);
}
static int64_t c_sieve(int n) {
  static uint8_t comp[MEMW] SUITE_DATA;
  int64_t count = 0, x = 0;
  for (int i = 0; i < n; i++) comp[i] = 0;
  for (int i = 2; i < n; i++) {
    if (comp[i]) continue;
    count++;
    x ^= i;
    for (int j = 2 * i; j < n; j += i) comp[j] = 1;
  }
  return (count << 16) ^ x;
}

/* fib(n) by the doubly recursive definition through CALL/RET, on the data stack. */
static void prog_fib(struct as *a, int n) {
  reset(a);
  op16(a, OP_PUSH, n), jump(a, OP_CALL, L_A), op(a, OP_HALT);
  here(a, L_A);
  op(a, OP_DUP), op16(a, OP_PUSH, 2), op(a, OP_LT), jump(a, OP_JNZ, L_B);
  op(a, OP_DUP), op16(a, OP_PUSH, 1), op(a, OP_SUB), jump(a, OP_CALL, L_A);
  op(a, OP_SWAP), op16(a, OP_PUSH, 2), op(a, OP_SUB), jump(a, OP_CALL, L_A);
  op(a, OP_ADD);
  here(a, L_B);
  op(a, OP_RET);
  assemble_end(a);
}
static int64_t c_fib(int n) {
  int64_t a = 0, b = 1;
  while (n--) {
    int64_t t = a + b;
    a = b;
    b = t;
  }
  return a;
}

static struct as prog SUITE_DATA;

static uint64_t run_both(const char *what, int64_t expect, unsigned it) {
  static const char *const NAME = "interp";
  vm_a.code = prog.code;
  vm_b.code = prog.code;
  int64_t ra = run_switch(&vm_a);
  int64_t rb = run_table(&vm_b);
  CHECK(NAME, ra == expect, what, it);
  CHECK(NAME, rb == expect, what, it);
  CHECK(NAME, vm_a.steps == vm_b.steps, "dispatchers ran different opcode counts", it);
  return mix64((uint64_t)ra, vm_a.steps);
}

int main(void) {
  static const char *const NAME = "interp";
  uint64_t checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    int nc = 250 + (int)(it % 13) * 7, ng = 36 + (int)(it % 5), ns = 3000 + (int)(it % 11) * 64, nf = 15 + (int)(it % 3);
    prog_collatz(&prog, nc);
    checksum = mix64(checksum, run_both("collatz", c_collatz(nc), it));
    prog_gcd(&prog, ng);
    checksum = mix64(checksum, run_both("gcd", c_gcd(ng), it));
    prog_sieve(&prog, ns);
    checksum = mix64(checksum, run_both("sieve", c_sieve(ns), it));
    uint64_t mh = 0;
    for (int i = 0; i < ns; i++) {
      if (vm_a.mem[i] != vm_b.mem[i]) {
        suite_fail(NAME, "VM memories differ", i);
        break;
      }
      mh = mh * 3 + (uint64_t)vm_a.mem[i];
    }
    checksum = mix64(checksum, mh);
    prog_fib(&prog, nf);
    checksum = mix64(checksum, run_both("fib", c_fib(nf), it));
  }
  return suite_finish(NAME, checksum);
}
