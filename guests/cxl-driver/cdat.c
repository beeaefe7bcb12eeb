/* CDAT (SPEC-NOTES 3) read over DOE with CDAT Table Access (vendor 0x1E98, type 2; SPEC-NOTES 2.6):
 * entry handle 0 is the 16-byte header, each response names the next handle, 0xFFFF after the
 * last. The entries are concatenated, the length is checked against the header's and the whole
 * table must sum to 0 (Linux read_cdat_data / cdat_checksum). Then DSMAS, DSLBIS, DSEMTS and
 * SSLBIS are printed with latencies in ns (HMAT unit ps x base unit) and bandwidths in MB/s. */
#include "cxl.h"

static uint32_t le32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }
static uint64_t le64(const uint8_t *p) { return le32(p) | ((uint64_t)le32(p + 4) << 32); }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

int cdat_read(const struct cxl_fn *f, const char *name, uint8_t *buf, int max) {
  static uint32_t rsp[CDAT_MAX_BYTES / 4 + 8];
  int len = 0, entries = 0;
  uint32_t handle = 0;
  while (handle != 0xffff) {
    if (entries++ > 1024) {
      rt_printf("cdat %s: more than 1024 entries\n", name);
      return -1;
    }
    uint32_t req[3] = {CXL_VENDOR_ID | (DOE_TYPE_CDAT << 16), 3, handle << 16};
    int nr, e = doe_exchange(f, req, 3, rsp, (int)(sizeof rsp / 4), &nr);
    if (e) {
      rt_printf("cdat %s: entry handle %u: DOE %s\n", name, handle, doe_error_name(e));
      return -1;
    }
    if (nr < 1 || (rsp[0] & 0xffff) != 0) {
      rt_printf("cdat %s: entry handle %u: bad response (code/type 0x%x, %d DW)\n", name, handle, nr ? rsp[0] & 0xffff : 0, nr);
      return -1;
    }
    uint32_t next = rsp[0] >> 16;
    int bytes = (nr - 1) * 4;
    const uint8_t *ent = (const uint8_t *)&rsp[1];
    /* the entry's own length: the header is 16 bytes, a structure says so at +2 */
    int elen = handle == 0 ? 16 : bytes >= 4 ? le16(ent + 2) : 0;
    if (elen > bytes || elen < 4) {
      rt_printf("cdat %s: entry handle %u: length %d, response carries %d bytes\n", name, handle, elen, bytes);
      return -1;
    }
    if (len + elen > max) {
      rt_printf("cdat %s: table larger than %d bytes\n", name, max);
      return -1;
    }
    memcpy(buf + len, ent, (size_t)elen);
    len += elen;
    if (next == handle) {
      rt_printf("cdat %s: entry handle %u names itself as next\n", name, handle);
      return -1;
    }
    handle = next;
  }
  return len;
}

/* Latency in ps -> "N ns" or "N.fff ns". */
static void print_ns(uint64_t ps) {
  if (ps % 1000 == 0) rt_printf("%lu ns", ps / 1000);
  else rt_printf("%lu.%03lu ns", ps / 1000, ps % 1000);
}

static const char *const data_type_names[] = {"access latency", "read latency", "write latency",
                                              "access bandwidth", "read bandwidth", "write bandwidth"};

static void print_value(int type, uint64_t v) {
  if (type <= 2) print_ns(v);
  else rt_printf("%lu MB/s", v);
}

int cdat_print(const char *name, const uint8_t *t, int len) {
  if (len < 16) {
    rt_printf("cdat %s: %d bytes, shorter than the header\n", name, len);
    return -1;
  }
  uint32_t hlen = le32(t);
  uint8_t s = 0;
  for (int i = 0; i < len; i++) s = (uint8_t)(s + t[i]);
  int nent = 0;
  for (int off = 16; off + 4 <= len; off += le16(t + off + 2) ? le16(t + off + 2) : len) nent++;
  rt_printf("cdat %s: %d bytes (header length %u) revision %d sequence %u checksum %s, %d structures\n", name, len, hlen, t[4],
            le32(t + 12), s ? "BAD" : "ok", nent);
  int bad = s != 0 || hlen != (uint32_t)len;
  if (hlen != (uint32_t)len) rt_printf("cdat %s: MISMATCH header length %u, entries total %d\n", name, hlen, len);
  for (int off = 16; off + 4 <= len;) {
    const uint8_t *e = t + off;
    int type = e[0], el = le16(e + 2);
    if (el < 4 || off + el > len) {
      rt_printf("cdat %s: structure at +0x%x has bad length %d\n", name, off, el);
      return -1;
    }
    if (type == 0 && el >= 24) {
      uint8_t fl = e[5];
      rt_printf("cdat %s: DSMAS handle %d dpa 0x%lx length 0x%lx (", name, e[4], le64(e + 8), le64(e + 16));
      print_size(le64(e + 16));
      rt_printf(") %s%s%s flags 0x%x\n", fl & 4 ? "non-volatile" : "volatile", fl & 8 ? " shareable" : "", fl & 0x40 ? " read-only" : "", fl);
    } else if (type == 1 && el >= 24) {
      int dt = e[6];
      uint64_t base = le64(e + 8);
      rt_printf("cdat %s: DSLBIS handle %d %s ", name, e[4], dt <= 5 ? data_type_names[dt] : "type?");
      print_value(dt, base * le16(e + 16));
      rt_printf(" (flags 0x%x base unit %lu entries %u,%u,%u)\n", e[5], base, le16(e + 16), le16(e + 18), le16(e + 20));
    } else if (type == 4 && el >= 24) {
      rt_printf("cdat %s: DSEMTS handle %d efi memory type %d dpa offset 0x%lx length 0x%lx\n", name, e[4], e[5], le64(e + 8), le64(e + 16));
    } else if (type == 5 && el >= 16) {
      int dt = e[4];
      uint64_t base = le64(e + 8);
      int k = (el - 16) / 8;
      for (int i = 0; i < k; i++) {
        const uint8_t *x = e + 16 + 8 * i;
        uint16_t px = le16(x), py = le16(x + 2);
        rt_printf("cdat %s: SSLBIS %s port ", name, dt <= 5 ? data_type_names[dt] : "type?");
        if (px == 0x100) rt_printf("upstream");
        else if (px == 0xffff) rt_printf("any");
        else rt_printf("%u", px);
        rt_printf(" to port ");
        if (py == 0x100) rt_printf("upstream");
        else if (py == 0xffff) rt_printf("any");
        else rt_printf("%u", py);
        rt_printf(" ");
        print_value(dt, base * le16(x + 4));
        rt_printf(" (base unit %lu entry %u)\n", base, le16(x + 4));
      }
    } else {
      rt_printf("cdat %s: structure type %d, %d bytes\n", name, type, el);
    }
    off += el;
  }
  return bad ? -1 : 0;
}
