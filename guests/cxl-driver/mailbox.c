/* The memory-device register block (Register Locator block id 3; SPEC-NOTES 2.4) and its primary
 * mailbox, as Linux drivers/cxl/pci.c uses them: the capabilities array (id 0, count, then 16-byte
 * headers: id, version, offset, length), Memory Device Status (Mailbox Interface Ready, media
 * status), then commands: wait for Doorbell = 0, write the payload, the Command register (opcode,
 * length), set Doorbell, poll (bounded) for Doorbell = 0, read the return code from Status and the
 * output length from Command, then the output payload. All accesses are 32-bit. */
#include "cxl.h"

#define MBOX_CAPS     0x00
#define MBOX_CTRL     0x04
#define MBOX_CMD      0x08
#define MBOX_STATUS   0x10
#define MBOX_BG       0x18
#define MBOX_PAYLOAD  0x20
#define MBOX_DOORBELL (1u << 0)
#define MBOX_TIMEOUT_TICKS 20000000u   /* 2 s of the 10 MHz CLINT timebase (Linux: about 2 s) */
#define MBOX_MAX_POLLS     1000000u

static uint64_t mtime(void) { return mmio_read64(CLINT_MTIME); }
static uint32_t rd(uint64_t a) { return mmio_read32((uintptr_t)a); }
static void wr(uint64_t a, uint32_t v) { mmio_write32((uintptr_t)a, v); }

const char *mbox_rc_name(int rc) {
  static const char *const names[] = {"success", "background command started", "invalid input", "unsupported",
                                      "internal error", "retry required", "busy", "media disabled"};
  if (rc >= 0 && rc < 8) return names[rc];
  if (rc == 0x15) return "unsupported mailbox";
  if (rc == 0x16) return "invalid payload length";
  if (rc == MBOX_TIMEOUT) return "timeout (doorbell never cleared)";
  return "other";
}

int mbox_probe(const struct cxl_fn *f, const char *name, struct cxl_mbox *m) {
  memset(m, 0, sizeof *m);
  uint64_t b = f->memdev_regs;
  if (!b) return 0;
  uint32_t a0 = rd(b), a1 = rd(b + 4);
  int count = (int)(a1 & 0xffff);
  rt_printf("memdev %s: capabilities array id %u version %u, %d capabilities:", name, a0 & 0xffff, (a0 >> 16) & 0xff, count);
  for (int i = 0; i < count && i < 16; i++) {
    uint64_t h = b + 0x10 + 0x10 * (uint64_t)i;
    uint32_t d0 = rd(h), off = rd(h + 4), len = rd(h + 8);
    int id = (int)(d0 & 0xffff);
    rt_printf(" 0x%04x@0x%x+0x%x", id, off, len);
    if (id == 0x0001) m->devstatus = b + off;
    if (id == 0x0002) m->mbox = b + off, m->mbox_len = len;
    if (id == 0x4000) m->memstatus = b + off;
  }
  rt_printf("\n");
  if (!m->mbox) {
    rt_printf("memdev %s: no primary mailbox\n", name);
    return 0;
  }
  uint32_t caps = rd(m->mbox + MBOX_CAPS);
  int n = (int)(caps & 0x1f);
  m->payload = n >= 8 && n <= 20 ? 1u << n : 0;
  uint32_t ms = m->memstatus ? rd(m->memstatus) : 0;
  static const char *const media[] = {"not ready", "ready", "error", "disabled"};
  rt_printf("mailbox %s: payload %u bytes%s%s; memory device status 0x%x: mailbox %s, media %s%s%s\n", name, m->payload,
            caps & (1u << 5) ? ", doorbell irq" : "", caps & (1u << 6) ? ", background irq" : "", ms,
            ms & (1u << 4) ? "ready" : "NOT READY", media[(ms >> 2) & 3], ms & 1 ? ", FATAL" : "", ms & 2 ? ", FW HALT" : "");
  if (!m->payload || !(ms & (1u << 4))) return 0;
  return 1;
}

int mbox_cmd(const struct cxl_mbox *m, uint16_t opcode, const void *in, uint32_t inlen, void *out, uint32_t outmax, uint32_t *outlen) {
  *outlen = 0;
  if (inlen > m->payload) return MBOX_TOO_LONG;
  uint64_t t0 = mtime();
  uint32_t polls = 0;
  while (rd(m->mbox + MBOX_CTRL) & MBOX_DOORBELL)
    if (++polls > MBOX_MAX_POLLS || mtime() - t0 > MBOX_TIMEOUT_TICKS) return MBOX_TIMEOUT;
  const uint8_t *src = (const uint8_t *)in;
  for (uint32_t i = 0; i < inlen; i += 4) {
    uint32_t w = 0;
    for (uint32_t k = 0; k < 4 && i + k < inlen; k++) w |= (uint32_t)src[i + k] << (8 * k);
    wr(m->mbox + MBOX_PAYLOAD + i, w);
  }
  /* Command: [15:0] opcode, [36:16] payload length */
  wr(m->mbox + MBOX_CMD, opcode | ((inlen & 0xffff) << 16));
  wr(m->mbox + MBOX_CMD + 4, (inlen >> 16) & 0x1f);
  __asm__ volatile("fence" ::: "memory");
  wr(m->mbox + MBOX_CTRL, rd(m->mbox + MBOX_CTRL) | MBOX_DOORBELL);
  t0 = mtime();
  polls = 0;
  while (rd(m->mbox + MBOX_CTRL) & MBOX_DOORBELL)
    if (++polls > MBOX_MAX_POLLS || mtime() - t0 > MBOX_TIMEOUT_TICKS) return MBOX_TIMEOUT;
  int rc = (int)(rd(m->mbox + MBOX_STATUS + 4) & 0xffff);
  uint32_t c0 = rd(m->mbox + MBOX_CMD), c1 = rd(m->mbox + MBOX_CMD + 4);
  uint32_t len = (c0 >> 16) | ((c1 & 0x1f) << 16);
  *outlen = len;
  uint8_t *dst = (uint8_t *)out;
  for (uint32_t i = 0; i < len && i < outmax; i += 4) {
    uint32_t w = rd(m->mbox + MBOX_PAYLOAD + i);
    for (uint32_t k = 0; k < 4 && i + k < len && i + k < outmax; k++) dst[i + k] = (uint8_t)(w >> (8 * k));
  }
  return rc;
}

static uint32_t le32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }
static uint64_t le64(const uint8_t *p) { return le32(p) | ((uint64_t)le32(p + 4) << 32); }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

/* Print a command's failure; returns 1 when the command failed or answered too little. */
static int failed(const char *what, const char *name, int rc, uint32_t len, uint32_t need) {
  if (rc == 0 && len >= need) return 0;
  if (rc) rt_printf("%s %s: return code 0x%x (%s)\n", what, name, rc, mbox_rc_name(rc));
  else rt_printf("%s %s: output %u bytes, expected at least %u\n", what, name, len, need);
  return 1;
}

static void print_units(uint64_t units) { print_size(units * SZ_256M); }

int mbox_report(const struct cxl_mbox *m, const char *name) {
  static uint8_t out[256];
  uint32_t len;
  int bad = 0;

  /* Identify Memory Device (0x4000): output 0x43 bytes (CXL 2.0) */
  int rc = mbox_cmd(m, 0x4000, 0, 0, out, sizeof out, &len);
  uint32_t lsa_size = 0;
  if (!(bad += failed("identify", name, rc, len, 0x43))) {
    rt_printf("identify %s: fw revision \"", name);
    for (int i = 0; i < 16 && out[i]; i++) rt_printf("%c", out[i] >= 0x20 && out[i] < 0x7f ? out[i] : '?');
    rt_printf("\" total ");
    print_units(le64(out + 0x10));
    rt_printf(" volatile-only ");
    print_units(le64(out + 0x18));
    rt_printf(" persistent-only ");
    print_units(le64(out + 0x20));
    rt_printf(" partition alignment ");
    print_units(le64(out + 0x28));
    lsa_size = le32(out + 0x38);
    rt_printf("\nidentify %s: event logs %u/%u/%u/%u lsa %u bytes poison list max %u inject limit %u poison caps 0x%x qos caps 0x%x (%u bytes)\n",
              name, le16(out + 0x30), le16(out + 0x32), le16(out + 0x34), le16(out + 0x36), lsa_size,
              out[0x3c] | (out[0x3d] << 8) | (out[0x3e] << 16), le16(out + 0x3f), out[0x41], out[0x42], len);
  }

  /* Get Partition Info (0x4100): 4 x u64 in 256 MiB units */
  rc = mbox_cmd(m, 0x4100, 0, 0, out, sizeof out, &len);
  if (!(bad += failed("partition", name, rc, len, 0x20))) {
    rt_printf("partition %s: active volatile ", name);
    print_units(le64(out));
    rt_printf(" persistent ");
    print_units(le64(out + 8));
    rt_printf(" next volatile ");
    print_units(le64(out + 0x10));
    rt_printf(" persistent ");
    print_units(le64(out + 0x18));
    rt_printf("\n");
  }

  /* Get Health Info (0x4200): 0x12 bytes */
  rc = mbox_cmd(m, 0x4200, 0, 0, out, sizeof out, &len);
  if (!(bad += failed("health", name, rc, len, 0x12))) {
    rt_printf("health %s: status 0x%x media status 0x%x additional 0x%x life used %u%% temperature %d C dirty shutdowns %u corrected errors volatile %u persistent %u\n",
              name, out[0], out[1], out[2], out[3], (int)(int16_t)le16(out + 4), le32(out + 6), le32(out + 10), le32(out + 14));
  }

  /* Get LSA (0x4102): offset 0, a small length */
  if (lsa_size == 0) {
    rt_printf("lsa %s: none (LSA size 0)\n", name);
  } else {
    uint32_t want = lsa_size < 32 ? lsa_size : 32;
    uint8_t in[8];
    for (int i = 0; i < 4; i++) in[i] = 0, in[4 + i] = (uint8_t)(want >> (8 * i));
    rc = mbox_cmd(m, 0x4102, in, 8, out, sizeof out, &len);
    if (!(bad += failed("lsa", name, rc, len, want))) {
      rt_printf("lsa %s: offset 0 length %u:", name, len);
      for (uint32_t i = 0; i < len && i < sizeof out; i++) rt_printf(" %02x", out[i]);
      rt_printf("\n");
    }
  }
  return bad;
}
