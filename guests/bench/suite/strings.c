/* Suite kernel "strings": byte-at-a-time text processing on generated text. Each iteration writes
 * about 12 KiB of text (words drawn from a 48-word vocabulary, commas, full stops, a newline
 * every few words), then: cuts it into NUL-terminated lines and measures them with strlen;
 * tokenizes each line (strchr over a delimiter set) and counts every word in a chained hash table
 * (FNV-1a, strcmp on collision); searches for three patterns with a naive strstr and with
 * Boyer-Moore-Horspool; upper-cases the text and compares it case-insensitively; sorts the
 * distinct words with strcmp. Checks: line lengths add up, token count and every word's frequency
 * match what the generator wrote, both searches find the same occurrences, the case-insensitive
 * compare sees equal texts, the sorted words ascend. All string functions are our own. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 1200
#endif

#define TEXT 12288
#define NWORDS 48
#define HBUCKETS 64

static const char *const vocab[NWORDS] = {
  "amber", "basalt", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "indigo", "juniper",
  "kelp", "lantern", "meadow", "nickel", "orchid", "pebble", "quartz", "river", "saffron", "timber",
  "umber", "velvet", "willow", "xenon", "yarrow", "zephyr", "anchor", "beacon", "cinder", "dune",
  "echo", "flint", "glacier", "heron", "iris", "jasper", "kestrel", "lichen", "marble", "nectar",
  "onyx", "prairie", "quill", "ripple", "slate", "thistle", "upland", "vale",
};

static char text[TEXT + 64] SUITE_DATA;
static char lines[TEXT + 64] SUITE_DATA;
static char upper[TEXT + 64] SUITE_DATA;
static uint32_t generated[NWORDS] SUITE_DATA;
static const char *line_start[TEXT / 8] SUITE_DATA;

struct entry {
  const char *word; /* points into `lines` (tokens are NUL-terminated in place) */
  uint32_t count;
  struct entry *next;
};
static struct entry entries[NWORDS * 2] SUITE_DATA;
static struct entry *buckets[HBUCKETS] SUITE_DATA;
static const char *sorted[NWORDS * 2] SUITE_DATA;

static size_t __attribute__((noinline)) s_strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}
static int __attribute__((noinline)) s_strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}
static int to_lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}
static int __attribute__((noinline)) s_strcasecmp(const char *a, const char *b) {
  while (*a && to_lower(*a) == to_lower(*b)) a++, b++;
  return to_lower((unsigned char)*a) - to_lower((unsigned char)*b);
}
static const char *s_strchr(const char *s, int c) {
  for (; *s; s++)
    if (*s == c) return s;
  return c == 0 ? s : 0;
}
static char *s_strcpy(char *d, const char *s) {
  char *r = d;
  while ((*d++ = *s++)) {
  }
  return r;
}

/* Next token of *p not containing any delimiter; NUL-terminates it in place. */
static char *__attribute__((noinline)) next_token(char **p, const char *delims) {
  char *s = *p;
  while (*s && s_strchr(delims, *s)) s++;
  if (!*s) return 0;
  char *tok = s;
  while (*s && !s_strchr(delims, *s)) s++;
  if (*s) *s++ = 0;
  *p = s;
  return tok;
}

static const char *__attribute__((noinline)) naive_search(const char *hay, const char *needle) {
  for (; *hay; hay++) {
    const char *h = hay, *n = needle;
    while (*n && *h == *n) h++, n++;
    if (!*n) return hay;
  }
  return 0;
}

static const char *__attribute__((noinline)) horspool(const char *hay, size_t n, const char *pat, size_t m) {
  size_t skip[256];
  for (int i = 0; i < 256; i++) skip[i] = m;
  for (size_t i = 0; i + 1 < m; i++) skip[(unsigned char)pat[i]] = m - 1 - i;
  for (size_t i = 0; i + m <= n; i += skip[(unsigned char)hay[i + m - 1]]) {
    size_t j = m;
    while (j > 0 && hay[i + j - 1] == pat[j - 1]) j--;
    if (j == 0) return hay + i;
  }
  return 0;
}

static uint32_t fnv(const char *s) {
  uint32_t h = 0x811c9dc5u;
  while (*s) h = (h ^ (unsigned char)*s++) * 0x01000193u;
  return h;
}

static unsigned gen_text(uint64_t *seed, unsigned *nwords) {
  unsigned n = 0, words = 0, since_nl = 0;
  for (int i = 0; i < NWORDS; i++) generated[i] = 0;
  while (n < TEXT - 32) {
    uint64_t r = rng_next(seed);
    unsigned w = (unsigned)((r >> 32) % NWORDS);
    generated[w]++;
    words++;
    const char *s = vocab[w];
    if (since_nl == 0 && (r & 1)) text[n++] = (char)(s[0] - 32), s++; /* capital at line start */
    while (*s) text[n++] = *s++;
    since_nl++;
    unsigned p = (unsigned)(r >> 8) & 15;
    if (p == 0) text[n++] = ',';
    else if (p == 1) text[n++] = '.';
    if (since_nl > 3 + ((r >> 16) & 7)) {
      text[n++] = '\n';
      since_nl = 0;
    } else {
      text[n++] = ' ';
    }
  }
  text[n] = 0;
  *nwords = words;
  return n;
}

int main(void) {
  static const char *const NAME = "strings";
  uint64_t seed = 0x6a09e667f3bcc908ULL, checksum = 0;
  const char *lower_vocab_first = vocab[0];
  for (unsigned it = 0; it < ITERATIONS; it++) {
    unsigned nwords, len = gen_text(&seed, &nwords);
    CHECK(NAME, s_strlen(text) == len, "strlen of the text", it);

    /* Lines: copy, cut at each newline, measure. */
    s_strcpy(lines, text);
    unsigned nlines = 0, total = 0;
    for (char *p = lines; *p;) {
      line_start[nlines++] = p;
      char *nl = (char *)s_strchr(p, '\n');
      if (!nl) break;
      *nl = 0;
      p = nl + 1;
    }
    for (unsigned i = 0; i < nlines; i++) total += (unsigned)s_strlen(line_start[i]) + 1;
    /* Each line counts its newline; a last line without one counts the text's NUL instead. */
    CHECK(NAME, total == len + (text[len - 1] != '\n'), "line lengths", it);

    /* Words: tokenize every line, count in the hash table. */
    for (int i = 0; i < HBUCKETS; i++) buckets[i] = 0;
    unsigned nent = 0, ntok = 0;
    uint64_t h = 0;
    for (unsigned i = 0; i < nlines; i++) {
      char *p = (char *)line_start[i];
      for (char *tok; (tok = next_token(&p, " ,.")) != 0;) {
        if (tok[0] >= 'A' && tok[0] <= 'Z') tok[0] += 32;
        uint32_t fh = fnv(tok);
        struct entry *e = buckets[fh % HBUCKETS];
        while (e && s_strcmp(e->word, tok) != 0) e = e->next;
        if (!e) {
          e = &entries[nent++];
          e->word = tok;
          e->count = 0;
          e->next = buckets[fh % HBUCKETS];
          buckets[fh % HBUCKETS] = e;
        }
        e->count++;
        ntok++;
        h = h * 31 + fh;
      }
    }
    CHECK(NAME, ntok == nwords, "token count", it);
    for (int w = 0; w < NWORDS; w++) {
      const char *s = vocab[w];
      struct entry *e = buckets[fnv(s) % HBUCKETS];
      while (e && s_strcmp(e->word, s) != 0) e = e->next;
      CHECK(NAME, (e ? e->count : 0) == generated[w], "word frequency", w);
    }

    /* Search: three patterns, naive and Horspool must agree on every occurrence. */
    const char *pats[3] = {vocab[it % NWORDS], "er\nf", "on, "};
    for (int k = 0; k < 3; k++) {
      size_t m = s_strlen(pats[k]);
      unsigned found = 0;
      for (const char *at = text;;) {
        const char *a = naive_search(at, pats[k]);
        const char *b = horspool(at, len - (size_t)(at - text), pats[k], m);
        if (a != b) {
          suite_fail(NAME, "naive and Horspool search disagree", it);
          break;
        }
        if (!a) break;
        found++;
        h = h * 31 + (uint64_t)(a - text);
        at = a + 1;
      }
      checksum = mix64(checksum, found);
    }

    /* Case: upper-case copy differs, but not case-insensitively. */
    for (unsigned i = 0; i <= len; i++) upper[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 32) : text[i];
    CHECK(NAME, s_strcmp(upper, text) != 0 && s_strcasecmp(upper, text) == 0, "case-insensitive compare", it);

    /* Sort the distinct words (insertion sort, strcmp). */
    for (unsigned i = 0; i < nent; i++) {
      const char *v = entries[i].word;
      unsigned j = i;
      while (j > 0 && s_strcmp(sorted[j - 1], v) > 0) {
        sorted[j] = sorted[j - 1];
        j--;
      }
      sorted[j] = v;
    }
    for (unsigned i = 1; i < nent; i++) CHECK(NAME, s_strcmp(sorted[i - 1], sorted[i]) < 0, "sorted words", i);
    CHECK(NAME, nent == 0 || s_strcmp(sorted[0], lower_vocab_first) == 0, "first word", it);
    checksum = mix64(checksum, h ^ ((uint64_t)nent << 48) ^ ((uint64_t)nlines << 32) ^ ntok);
  }
  return suite_finish(NAME, checksum);
}
