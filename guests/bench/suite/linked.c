/* Suite kernel "linked": pointer-chasing. Each iteration links 16,384 list nodes in a freshly
 * shuffled order (so consecutive nodes are far apart in memory), walks the list four times and
 * reverses it in place between walks; then it builds an unbalanced binary search tree of 4,096
 * pseudo-random keys from a node pool, looks up 8,192 keys (half of them absent), deletes every
 * third inserted key (two-child deletions splice in the successor) and walks the tree in order
 * with an explicit stack. Checks: list length and value sum on every walk, the walk order after a
 * reversal, lookups against what was inserted, in-order keys strictly ascending and the node count
 * after deletion. Loads whose address is the previous load's result; unpredictable branches. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 550
#endif

#define NLIST 16384
#define NTREE 4096

struct lnode {
  struct lnode *next;
  uint32_t value;
  uint32_t id;
};
struct tnode {
  struct tnode *left, *right;
  uint32_t key;
  uint32_t count;
};

static struct lnode lnodes[NLIST] SUITE_DATA;
static uint32_t perm[NLIST] SUITE_DATA;
static struct tnode tpool[NTREE] SUITE_DATA;
static uint32_t tkeys[NTREE] SUITE_DATA;
static struct tnode *tstack[NTREE + 1] SUITE_DATA;

static const char *const NAME = "linked";

static uint64_t __attribute__((noinline)) list_walk(struct lnode *head, uint64_t *sum, unsigned *n) {
  uint64_t h = 0, s = 0;
  unsigned k = 0;
  for (struct lnode *p = head; p; p = p->next) {
    s += p->value;
    h = h * 31 + p->id;
    k++;
  }
  *sum = s;
  *n = k;
  return h;
}

static struct lnode *__attribute__((noinline)) list_reverse(struct lnode *head) {
  struct lnode *prev = 0;
  while (head) {
    struct lnode *nx = head->next;
    head->next = prev;
    prev = head;
    head = nx;
  }
  return prev;
}

static uint64_t bench_list(uint64_t *seed, unsigned it) {
  for (uint32_t i = 0; i < NLIST; i++) perm[i] = i;
  for (uint32_t i = NLIST - 1; i > 0; i--) {
    uint32_t j = (uint32_t)(rng_next(seed) >> 32) % (i + 1);
    uint32_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  uint64_t expect = 0;
  for (uint32_t i = 0; i < NLIST; i++) {
    struct lnode *p = &lnodes[perm[i]];
    p->next = i + 1 < NLIST ? &lnodes[perm[i + 1]] : 0;
    p->value = (uint32_t)rng_next(seed) & 0xfffff;
    p->id = perm[i];
    expect += p->value;
  }
  struct lnode *head = &lnodes[perm[0]];
  uint64_t h = 0;
  for (int pass = 0; pass < 4; pass++) {
    uint64_t sum;
    unsigned n;
    h = mix64(h, list_walk(head, &sum, &n));
    CHECK(NAME, n == NLIST && sum == expect, "list walk length or sum", it);
    head = list_reverse(head);
    CHECK(NAME, head->id == perm[pass & 1 ? 0 : NLIST - 1], "list head after reversal", it);
  }
  return h;
}

/* ---- binary search tree ---- */
static struct tnode *root SUITE_DATA;
static unsigned tused SUITE_DATA;

static void __attribute__((noinline)) tree_insert(uint32_t key) {
  struct tnode **link = &root;
  while (*link) {
    struct tnode *t = *link;
    if (key == t->key) {
      t->count++;
      return;
    }
    link = key < t->key ? &t->left : &t->right;
  }
  struct tnode *n = &tpool[tused++];
  n->left = n->right = 0;
  n->key = key;
  n->count = 1;
  *link = n;
}

static struct tnode *__attribute__((noinline)) tree_find(uint32_t key) {
  struct tnode *t = root;
  while (t && t->key != key) t = key < t->key ? t->left : t->right;
  return t;
}

/* Removes the node holding key (all of its count); returns 1 if it was there. */
static int __attribute__((noinline)) tree_delete(uint32_t key) {
  struct tnode **link = &root;
  while (*link && (*link)->key != key) link = key < (*link)->key ? &(*link)->left : &(*link)->right;
  struct tnode *t = *link;
  if (!t) return 0;
  if (!t->left) *link = t->right;
  else if (!t->right) *link = t->left;
  else {
    struct tnode **sl = &t->right;
    while ((*sl)->left) sl = &(*sl)->left;
    struct tnode *s = *sl;
    *sl = s->right;
    s->left = t->left;
    s->right = t->right;
    *link = s;
  }
  return 1;
}

/* In order with an explicit stack: node count, sum of the nodes' counts, key hash and whether keys
 * ascend strictly. */
static uint64_t __attribute__((noinline)) tree_walk(unsigned *nodes, unsigned *total, int *ascending, unsigned *depth) {
  unsigned sp = 0, n = 0, maxsp = 0, tot = 0;
  uint64_t h = 0;
  int64_t last = -1;
  int asc = 1;
  struct tnode *t = root;
  while (t || sp) {
    while (t) {
      tstack[sp++] = t;
      t = t->left;
    }
    if (sp > maxsp) maxsp = sp;
    t = tstack[--sp];
    if ((int64_t)t->key <= last) asc = 0;
    last = t->key;
    h = h * 0x100000001b3ULL ^ (t->key + t->count);
    n++;
    tot += t->count;
    t = t->right;
  }
  *nodes = n;
  *total = tot;
  *ascending = asc;
  *depth = maxsp;
  return h;
}

static uint64_t bench_tree(uint64_t *seed, unsigned it) {
  root = 0;
  tused = 0;
  for (int i = 0; i < NTREE; i++) {
    tkeys[i] = (uint32_t)(rng_next(seed) >> 44) << 1; /* even keys below 2^21 */
    tree_insert(tkeys[i]);
  }
  unsigned distinct = tused, nodes, total, depth;
  int asc;
  uint64_t h = tree_walk(&nodes, &total, &asc, &depth);
  CHECK(NAME, asc && nodes == distinct && total == NTREE, "tree after insertion", it);
  for (int i = 0; i < NTREE; i++) {
    struct tnode *t = tree_find(tkeys[i]);
    CHECK(NAME, t && t->key == tkeys[i], "inserted key not found", it);
    CHECK(NAME, tree_find(tkeys[i] | 1) == 0, "absent key found", it);
    h = h * 31 + (t ? t->count : 0);
  }
  unsigned deleted = 0;
  for (int i = 0; i < NTREE; i += 3) deleted += tree_delete(tkeys[i]);
  h = mix64(h, tree_walk(&nodes, &total, &asc, &depth));
  CHECK(NAME, asc, "in-order keys not ascending", it);
  CHECK(NAME, nodes == distinct - deleted, "node count after deletion", it);
  for (int i = 0; i < NTREE; i += 3) CHECK(NAME, tree_find(tkeys[i]) == 0, "deleted key still found", it);
  return mix64(h, (uint64_t)depth << 32 | nodes);
}

int main(void) {
  uint64_t seed = 0x510e527fade682d1ULL, checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    checksum = mix64(checksum, bench_list(&seed, it));
    checksum = mix64(checksum, bench_tree(&seed, it));
  }
  return suite_finish(NAME, checksum);
}
