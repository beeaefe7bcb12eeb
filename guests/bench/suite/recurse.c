/* Suite kernel "recurse": calls and returns. Each iteration runs doubly recursive Fibonacci
 * (checked against a memoized recursion), Ackermann's function for m = 1..3 (checked against the
 * closed forms n + 2, 2n + 3, 2^(n+3) - 3, and counting calls), the Towers of Hanoi (2^n - 1
 * moves, a hash of the moves), a perfect binary tree built, summed, mirrored and walked by
 * recursive functions, and a random expression tree built and evaluated by mutual recursion
 * (checked against a postfix evaluation with an explicit stack). Stack depth stays below ~300
 * frames (the runtime's main stack is 16 KiB). */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 1200
#endif

#define NOINLINE __attribute__((noinline, noipa))

static uint64_t calls SUITE_DATA;

static NOINLINE uint64_t fib(unsigned n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t memo[96] SUITE_DATA;
static NOINLINE uint64_t fib_memo(unsigned n) {
  if (n < 2) return n;
  if (memo[n]) return memo[n];
  return memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
}

static NOINLINE uint64_t ack(uint64_t m, uint64_t n) {
  calls++;
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

/* Moves of n discs from a to c; the hash covers every move's source and target. */
static NOINLINE uint64_t hanoi(unsigned n, unsigned a, unsigned b, unsigned c, uint64_t h) {
  if (n == 0) return h;
  h = hanoi(n - 1, a, c, b, h);
  h = h * 0x100000001b3ULL ^ (a * 4 + c);
  calls++;
  return hanoi(n - 1, b, a, c, h);
}

/* ---- perfect binary tree ---- */
struct node {
  struct node *l, *r;
  int64_t v;
};
#define TREE_DEPTH 12
static struct node pool[1 << TREE_DEPTH] SUITE_DATA;
static unsigned pool_used SUITE_DATA;

static NOINLINE struct node *build(unsigned depth, int64_t v) {
  struct node *n = &pool[pool_used++];
  n->v = v;
  n->l = depth ? build(depth - 1, v * 2 + 1) : 0;
  n->r = depth ? build(depth - 1, v * 2 + 2) : 0;
  return n;
}
static NOINLINE int64_t tree_sum(const struct node *n) {
  return n ? n->v + tree_sum(n->l) + tree_sum(n->r) : 0;
}
static NOINLINE void mirror(struct node *n) {
  if (!n) return;
  struct node *t = n->l;
  n->l = n->r;
  n->r = t;
  mirror(n->l);
  mirror(n->r);
}
/* In-order hash and the count of nodes visited; `order` must be strictly monotonic. */
static NOINLINE uint64_t inorder(const struct node *n, uint64_t h, unsigned *count) {
  if (!n) return h;
  h = inorder(n->l, h, count);
  h = h * 31 + (uint64_t)n->v;
  ++*count;
  return inorder(n->r, h, count);
}

/* ---- expression trees: eval by mutual recursion, and a postfix stack check ---- */
enum { E_NUM, E_ADD, E_SUB, E_MUL, E_NEG, E_MAX };
struct expr {
  uint8_t kind;
  int64_t num;
  struct expr *a, *b;
};
#define NEXPR 4096
static struct expr epool[NEXPR] SUITE_DATA;
static unsigned eused SUITE_DATA;
static uint8_t postfix_kind[NEXPR] SUITE_DATA;
static int64_t postfix_num[NEXPR] SUITE_DATA;
static int64_t pstack[NEXPR] SUITE_DATA;
static unsigned npost SUITE_DATA;

static NOINLINE struct expr *gen_expr(uint64_t *seed, unsigned depth) {
  struct expr *e = &epool[eused++];
  uint64_t r = rng_next(seed);
  if (depth == 0 || (r & 7) == 0 || eused + 2 >= NEXPR) {
    e->kind = E_NUM;
    e->num = (int64_t)(r >> 40) - (1 << 23);
    return e;
  }
  e->kind = (uint8_t)(E_ADD + (r >> 3) % 5);
  e->a = gen_expr(seed, depth - 1);
  if (e->kind != E_NEG) e->b = gen_expr(seed, depth - 1);
  return e;
}

static int64_t eval(const struct expr *e);
static NOINLINE int64_t eval_binary(const struct expr *e) {
  int64_t x = eval(e->a);
  int64_t y = eval(e->b);
  switch (e->kind) {
    case E_ADD: return (int64_t)((uint64_t)x + (uint64_t)y);
    case E_SUB: return (int64_t)((uint64_t)x - (uint64_t)y);
    case E_MUL: return (int64_t)((uint64_t)x * (uint64_t)y);
    default: return x > y ? x : y;
  }
}
static NOINLINE int64_t eval(const struct expr *e) {
  if (e->kind == E_NUM) return e->num;
  if (e->kind == E_NEG) return (int64_t)(0 - (uint64_t)eval(e->a));
  return eval_binary(e);
}
static NOINLINE void to_postfix(const struct expr *e) {
  if (e->kind != E_NUM) {
    to_postfix(e->a);
    if (e->kind != E_NEG) to_postfix(e->b);
  }
  postfix_kind[npost] = e->kind;
  postfix_num[npost++] = e->num;
}
static int64_t eval_postfix(void) {
  unsigned sp = 0;
  for (unsigned i = 0; i < npost; i++) {
    int64_t y;
    switch (postfix_kind[i]) {
      case E_NUM: pstack[sp++] = postfix_num[i]; break;
      case E_NEG: pstack[sp - 1] = (int64_t)(0 - (uint64_t)pstack[sp - 1]); break;
      default:
        y = pstack[--sp];
        switch (postfix_kind[i]) {
          case E_ADD: pstack[sp - 1] = (int64_t)((uint64_t)pstack[sp - 1] + (uint64_t)y); break;
          case E_SUB: pstack[sp - 1] = (int64_t)((uint64_t)pstack[sp - 1] - (uint64_t)y); break;
          case E_MUL: pstack[sp - 1] = (int64_t)((uint64_t)pstack[sp - 1] * (uint64_t)y); break;
          default: pstack[sp - 1] = pstack[sp - 1] > y ? pstack[sp - 1] : y;
        }
    }
  }
  return sp == 1 ? pstack[0] : 0x5a5a;
}

int main(void) {
  static const char *const NAME = "recurse";
  uint64_t seed = 0x1f83d9abfb41bd6bULL, checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    unsigned nf = 20 + it % 3;
    for (unsigned i = 0; i < 96; i++) memo[i] = 0;
    uint64_t f = fib(nf);
    CHECK(NAME, f == fib_memo(nf), "fib vs memoized fib", it);
    checksum = mix64(checksum, f);

    uint64_t n1 = 40 + it % 17, n2 = 30 + it % 11, n3 = 3 + it % 3;
    calls = 0;
    uint64_t a1 = ack(1, n1), a2 = ack(2, n2), a3 = ack(3, n3);
    CHECK(NAME, a1 == n1 + 2 && a2 == 2 * n2 + 3 && a3 == (1ULL << (n3 + 3)) - 3, "ackermann closed form", it);
    checksum = mix64(checksum, calls);

    calls = 0;
    unsigned nh = 11 + it % 3;
    checksum = mix64(checksum, hanoi(nh, 0, 1, 2, it));
    CHECK(NAME, calls == (1ULL << nh) - 1, "hanoi move count", it);

    pool_used = 0;
    struct node *t = build(TREE_DEPTH - 1, it);
    int64_t s = tree_sum(t);
    unsigned c1 = 0, c2 = 0;
    uint64_t h1 = inorder(t, 0, &c1);
    mirror(t);
    uint64_t h2 = inorder(t, 0, &c2);
    CHECK(NAME, tree_sum(t) == s && c1 == c2 && c1 == (1u << TREE_DEPTH) - 1, "tree sum or size after mirror", it);
    checksum = mix64(mix64(checksum, h1), h2 ^ (uint64_t)s);

    for (int k = 0; k < 4; k++) {
      eused = 0;
      npost = 0;
      struct expr *e = gen_expr(&seed, 10);
      to_postfix(e);
      int64_t v = eval(e);
      CHECK(NAME, v == eval_postfix(), "expression: recursive vs postfix", it);
      checksum = mix64(checksum, (uint64_t)v ^ eused);
    }
  }
  return suite_finish(NAME, checksum);
}
