/* Suite kernel "crc": checksums and hashes over a 32 KiB buffer. Each iteration changes a few
 * words of the buffer, then runs a table-driven CRC-32 (byte at a time, reflected 0xEDB88320),
 * FNV-1a 64 and a four-lane multiply-rotate hash of our own over all of it. Checks: CRC-32 and
 * FNV-1a known answers; the table CRC equals the bitwise CRC on a moving 512-byte window; every
 * 16th iteration, the CRC of two halves chained equals the CRC of the whole and the lane hash fed
 * 1 KiB at a time equals the one-call lane hash. Loads of bytes and words, shifts, xors and 64-bit
 * multiplies; few branches. */
#include "suite.h"

#ifndef ITERATIONS
#define ITERATIONS 3600
#endif

#define NBUF 32768

static uint8_t buf[NBUF] SUITE_DATA;
static uint32_t crc_table[256] SUITE_DATA;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    crc_table[i] = c;
  }
}

/* Running state in, running state out (no pre/post inversion), so calls chain. */
static uint32_t __attribute__((noinline)) crc_update(uint32_t c, const uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c;
}

static uint32_t __attribute__((noinline)) crc_bitwise(const uint8_t *p, unsigned n) {
  uint32_t c = 0xffffffffu;
  for (unsigned i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}

static uint32_t crc32(const uint8_t *p, unsigned n) {
  return ~crc_update(0xffffffffu, p, n);
}

static uint64_t __attribute__((noinline)) fnv1a64(const uint8_t *p, unsigned n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* Lane hash: four 64-bit lanes each take every fourth little-endian word of a 32-byte stripe. */
#define LH_M1 0xa0761d6478bd642fULL
#define LH_M2 0xe7037ed1a0b428dbULL
#define LH_M3 0x8ebc6af09c88c6e3ULL

static inline uint64_t rotl64(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

struct lanes {
  uint64_t v[4];
  uint64_t len;
};

static void lh_start(struct lanes *s, uint64_t seed) {
  s->v[0] = seed + LH_M1;
  s->v[1] = seed ^ LH_M2;
  s->v[2] = seed - LH_M3;
  s->v[3] = ~seed;
  s->len = 0;
}

static inline uint64_t load64(const uint8_t *p) {
  return *(const uint64_t *)p; /* little-endian, 8-byte aligned by construction */
}

static void __attribute__((noinline)) lh_stripes(struct lanes *s, const uint8_t *p, unsigned nstripes) {
  uint64_t a = s->v[0], b = s->v[1], c = s->v[2], d = s->v[3];
  for (unsigned i = 0; i < nstripes; i++, p += 32) {
    a = rotl64(a + load64(p) * LH_M2, 29) * LH_M1;
    b = rotl64(b + load64(p + 8) * LH_M2, 29) * LH_M1;
    c = rotl64(c + load64(p + 16) * LH_M2, 29) * LH_M1;
    d = rotl64(d + load64(p + 24) * LH_M2, 29) * LH_M1;
  }
  s->v[0] = a;
  s->v[1] = b;
  s->v[2] = c;
  s->v[3] = d;
  s->len += (uint64_t)nstripes * 32;
}

static uint64_t lh_end(const struct lanes *s) {
  uint64_t h = rotl64(s->v[0], 1) + rotl64(s->v[1], 7) + rotl64(s->v[2], 12) + rotl64(s->v[3], 18);
  for (int i = 0; i < 4; i++) h = (h ^ (s->v[i] * LH_M3)) * LH_M1 + LH_M2;
  h ^= s->len;
  h ^= h >> 33;
  h *= LH_M2;
  h ^= h >> 29;
  h *= LH_M3;
  h ^= h >> 32;
  return h;
}

static uint64_t lane_hash(const uint8_t *p, unsigned n, uint64_t seed) {
  struct lanes s;
  lh_start(&s, seed);
  lh_stripes(&s, p, n / 32);
  return lh_end(&s);
}

int main(void) {
  static const char *const NAME = "crc";
  crc_init();
  CHECK(NAME, crc32((const uint8_t *)"123456789", 9) == 0xcbf43926u, "crc32 known answer", 0);
  CHECK(NAME, crc_bitwise((const uint8_t *)"123456789", 9) == 0xcbf43926u, "bitwise crc32 known answer", 0);
  CHECK(NAME, fnv1a64((const uint8_t *)"a", 1) == 0xaf63dc4c8601ec8cULL, "fnv1a64 known answer", 0);
  CHECK(NAME, fnv1a64((const uint8_t *)"foobar", 6) == 0x85944171f73967e8ULL, "fnv1a64 known answer", 1);

  uint64_t seed = 0x3c6ef372fe94f82bULL;
  for (unsigned i = 0; i < NBUF; i += 8) *(uint64_t *)(buf + i) = rng_next(&seed);

  uint64_t checksum = 0;
  for (unsigned it = 0; it < ITERATIONS; it++) {
    /* A few words change every iteration, so no result repeats. */
    for (int k = 0; k < 8; k++) {
      uint64_t r = rng_next(&seed);
      *(uint64_t *)(buf + ((r >> 20) % (NBUF / 8)) * 8) ^= r;
    }
    uint32_t crc = crc32(buf, NBUF);
    uint64_t fnv = fnv1a64(buf, NBUF);
    uint64_t lh = lane_hash(buf, NBUF, it);

    unsigned w = (it * 512u) % NBUF;
    CHECK(NAME, crc_update(0xffffffffu, buf + w, 512) == ~crc_bitwise(buf + w, 512), "table vs bitwise crc", it);
    if (it % 16 == 0) {
      uint32_t half = crc_update(0xffffffffu, buf, NBUF / 2);
      CHECK(NAME, ~crc_update(half, buf + NBUF / 2, NBUF / 2) == crc, "chained crc", it);
      struct lanes s;
      lh_start(&s, it);
      for (unsigned off = 0; off < NBUF; off += 1024) lh_stripes(&s, buf + off, 1024 / 32);
      CHECK(NAME, lh_end(&s) == lh, "incremental lane hash", it);
    }
    checksum = mix64(checksum, crc);
    checksum = mix64(checksum, fnv);
    checksum = mix64(checksum, lh);
  }
  return suite_finish(NAME, checksum);
}
