/* Component registers (SPEC-NOTES 2.2): the CXL.cachemem capability array at +0x1000 and the HDM
 * decoder capability (2.3), with the commit protocol: write base, size, target list or DPA skip,
 * then Control with Commit; hardware sets Committed or Error-Not-Committed within 10 ms. The poll
 * is bounded by time (20 ms of CLINT mtime, as Linux waits) and by a poll count. Registers are
 * accessed as 32-bit words only. */
#include "cxl.h"

static const int count_enc[] = {1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32};

int hdm_count_from_encoding(int enc) { return enc >= 0 && enc <= 12 ? count_enc[enc] : 0; }

uint32_t hdm_read(const struct cxl_hdm *h, int off) { return mmio_read32((uintptr_t)(h->base + (uint64_t)off)); }
void hdm_write(const struct cxl_hdm *h, int off, uint32_t v) { mmio_write32((uintptr_t)(h->base + (uint64_t)off), v); }

int hdm_probe(uint64_t comp_regs, struct cxl_hdm *h) {
  memset(h, 0, sizeof *h);
  if (!comp_regs) return 0;
  uint64_t cm = comp_regs + CXL_CM_OFFSET;
  uint32_t hdr = mmio_read32((uintptr_t)cm);
  if ((hdr & 0xffff) != 1) return 0; /* CXL_CM_CAP_HDR_ID */
  int n = (int)(hdr >> 24);
  for (int i = 1; i <= n; i++) {
    uint32_t c = mmio_read32((uintptr_t)(cm + 4u * (unsigned)i));
    if ((c & 0xffff) != CXL_CM_CAP_HDM) continue;
    h->base = cm + (c >> 20);
    h->cap = hdm_read(h, HDM_CAP);
    h->count = hdm_count_from_encoding((int)(h->cap & 0xf));
    h->targets = (int)((h->cap >> 4) & 0xf);
    return 1;
  }
  return 0;
}

void hdm_read_decoder(const struct cxl_hdm *h, int n, struct cxl_decoder *d) {
  int o = HDM_DECODER(n);
  d->base = hdm_read(h, o + HDM_BASE_LO) | ((uint64_t)hdm_read(h, o + HDM_BASE_HI) << 32);
  d->size = hdm_read(h, o + HDM_SIZE_LO) | ((uint64_t)hdm_read(h, o + HDM_SIZE_HI) << 32);
  d->ctrl = hdm_read(h, o + HDM_CTRL);
  d->tl_or_skip = hdm_read(h, o + HDM_TL_LO) | ((uint64_t)hdm_read(h, o + HDM_TL_HI) << 32);
}

int hdm_first_free(const struct cxl_hdm *h) {
  for (int n = 0; n < h->count; n++)
    if (!(hdm_read(h, HDM_DECODER(n) + HDM_CTRL) & HDM_CTRL_COMMITTED)) return n;
  return h->count;
}

void hdm_enable(const struct cxl_hdm *h) {
  if (!h->base) return;
  uint32_t g = hdm_read(h, HDM_GLOBAL_CTRL);
  if (!(g & HDM_GCTRL_ENABLE)) hdm_write(h, HDM_GLOBAL_CTRL, g | HDM_GCTRL_ENABLE);
}

static uint64_t mtime(void) { return mmio_read64(CLINT_MTIME); }

int hdm_commit(const struct cxl_hdm *h, int n, uint64_t base, uint64_t size, uint32_t ctrl,
               uint64_t tl_or_skip, uint32_t *ctrl_seen) {
  int o = HDM_DECODER(n);
  hdm_write(h, o + HDM_BASE_HI, (uint32_t)(base >> 32));
  hdm_write(h, o + HDM_BASE_LO, (uint32_t)base);
  hdm_write(h, o + HDM_SIZE_HI, (uint32_t)(size >> 32));
  hdm_write(h, o + HDM_SIZE_LO, (uint32_t)size);
  hdm_write(h, o + HDM_TL_HI, (uint32_t)(tl_or_skip >> 32));
  hdm_write(h, o + HDM_TL_LO, (uint32_t)tl_or_skip);
  __asm__ volatile("fence" ::: "memory");
  hdm_write(h, o + HDM_CTRL, ctrl | HDM_CTRL_COMMIT);
  uint64_t start = mtime();
  uint32_t c = 0;
  for (uint32_t polls = 0; polls < HDM_COMMIT_MAX_POLLS; polls++) {
    c = hdm_read(h, o + HDM_CTRL);
    if (c & (HDM_CTRL_COMMITTED | HDM_CTRL_ENC)) break;
    if (mtime() - start > HDM_COMMIT_TIMEOUT_TICKS) break;
  }
  *ctrl_seen = c;
  if (c & HDM_CTRL_COMMITTED) return 0;
  /* Error-Not-Committed or no answer: clear Commit, as Linux does. */
  hdm_write(h, o + HDM_CTRL, (c | ctrl) & ~(HDM_CTRL_COMMIT | HDM_CTRL_COMMITTED | HDM_CTRL_ENC));
  return (c & HDM_CTRL_ENC) ? 1 : 2;
}

uint32_t hdm_uncommit(const struct cxl_hdm *h, int n) {
  int o = HDM_DECODER(n);
  uint32_t c = hdm_read(h, o + HDM_CTRL);
  hdm_write(h, o + HDM_CTRL, c & ~(HDM_CTRL_COMMIT | HDM_CTRL_COMMITTED | HDM_CTRL_ENC));
  return hdm_read(h, o + HDM_CTRL);
}
