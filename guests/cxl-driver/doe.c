/* DOE mailbox (PCIe r6.0 §6.30, SPEC-NOTES 2.6) in config space at the extended capability 0x2E
 * that pci.c records (cxl_fn.doe): the host sequence of Linux drivers/pci/doe.c — check Busy and
 * Error, write the request DW by DW, set Go, poll Data Object Ready (bounded by 1 s of CLINT mtime
 * and a poll count), read the response DW by DW writing the read mailbox to advance; on Error or
 * timeout set Abort and wait for Busy and Error to clear. Also DOE Discovery (vendor 1, type 0). */
#include "cxl.h"

#define DOE_CAPS    0x04
#define DOE_CTRL    0x08
#define DOE_STATUS  0x0C
#define DOE_WRITE   0x10
#define DOE_READ    0x14
#define DOE_CTRL_ABORT (1u << 0)
#define DOE_CTRL_GO    (1u << 31)
#define DOE_ST_BUSY    (1u << 0)
#define DOE_ST_ERROR   (1u << 2)
#define DOE_ST_READY   (1u << 31)
#define DOE_TIMEOUT_TICKS 10000000u   /* 1 s of the 10 MHz CLINT timebase (PCIe: 1 s) */
#define DOE_MAX_POLLS     1000000u

static uint64_t mtime(void) { return mmio_read64(CLINT_MTIME); }
#define RD(f, o) pci_read32((f)->bus, (f)->dev, (f)->fn, (f)->doe + (o))
#define WR(f, o, v) pci_write32((f)->bus, (f)->dev, (f)->fn, (f)->doe + (o), (v))

const char *doe_error_name(int e) {
  switch (e) {
    case DOE_OK: return "ok";
    case DOE_ERR_NODOE: return "no DOE capability";
    case DOE_ERR_BUSY: return "busy or error before the request (abort did not clear it)";
    case DOE_ERR_ERROR: return "Error set after Go";
    case DOE_ERR_TIMEOUT: return "no Data Object Ready within 1 s";
    case DOE_ERR_LENGTH: return "bad response length";
    case DOE_ERR_HEADER: return "response vendor/type differ from the request";
    default: return "?";
  }
}

/* Abort and wait (bounded) for Busy and Error to clear. Returns the status seen last. */
static uint32_t doe_abort(const struct cxl_fn *f) {
  WR(f, DOE_CTRL, DOE_CTRL_ABORT);
  uint64_t t0 = mtime();
  uint32_t st = 0;
  for (uint32_t n = 0; n < DOE_MAX_POLLS; n++) {
    st = RD(f, DOE_STATUS);
    if (!(st & (DOE_ST_BUSY | DOE_ST_ERROR))) break;
    if (mtime() - t0 > DOE_TIMEOUT_TICKS) break;
  }
  return st;
}

int doe_exchange(const struct cxl_fn *f, const uint32_t *req, int nreq, uint32_t *rsp, int max, int *nrsp) {
  *nrsp = 0;
  if (!f->doe) return DOE_ERR_NODOE;
  uint32_t st = RD(f, DOE_STATUS);
  if (st & (DOE_ST_BUSY | DOE_ST_ERROR)) {
    st = doe_abort(f);
    if (st & (DOE_ST_BUSY | DOE_ST_ERROR)) return DOE_ERR_BUSY;
  }
  for (int i = 0; i < nreq; i++) WR(f, DOE_WRITE, req[i]);
  WR(f, DOE_CTRL, DOE_CTRL_GO);
  uint64_t t0 = mtime();
  int ready = 0;
  for (uint32_t n = 0; n < DOE_MAX_POLLS; n++) {
    st = RD(f, DOE_STATUS);
    if (st & DOE_ST_ERROR) {
      doe_abort(f);
      return DOE_ERR_ERROR;
    }
    if (st & DOE_ST_READY) {
      ready = 1;
      break;
    }
    if (mtime() - t0 > DOE_TIMEOUT_TICKS) break;
  }
  if (!ready) {
    doe_abort(f);
    return DOE_ERR_TIMEOUT;
  }
  /* Header DW0 (vendor, type) and DW1 (length in DW, 0 = 2^18), then the rest. */
  uint32_t h0 = RD(f, DOE_READ);
  WR(f, DOE_READ, 0);
  uint32_t h1 = RD(f, DOE_READ);
  WR(f, DOE_READ, 0);
  uint32_t len = h1 & 0x3ffff;
  if (len == 0) len = 1u << 18;
  if (len < 2 || (int)len - 2 > max) {
    doe_abort(f);
    return DOE_ERR_LENGTH;
  }
  for (uint32_t i = 0; i + 2 < len; i++) {
    rsp[i] = RD(f, DOE_READ);
    WR(f, DOE_READ, 0);
  }
  *nrsp = (int)len - 2;
  /* after the last DW, Data Object Ready must have cleared */
  st = RD(f, DOE_STATUS);
  if (st & DOE_ST_READY) {
    doe_abort(f);
    return DOE_ERR_LENGTH;
  }
  if ((h0 & 0xffffff) != (req[0] & 0xffffff)) return DOE_ERR_HEADER;
  return DOE_OK;
}

uint32_t doe_status(const struct cxl_fn *f) { return f->doe ? RD(f, DOE_STATUS) : 0; }

int doe_discover(const struct cxl_fn *f, const char *name, uint32_t *protos, int max) {
  int n = 0, index = 0, guard = 0;
  do {
    uint32_t req[3] = {DOE_VENDOR_PCISIG | (DOE_TYPE_DISCOVERY << 16), 3, (uint32_t)index};
    uint32_t rsp[4];
    int nr, e = doe_exchange(f, req, 3, rsp, 4, &nr);
    if (e || nr < 1) {
      rt_printf("doe %s: discovery index %d failed: %s\n", name, index, e ? doe_error_name(e) : "empty response");
      return n;
    }
    uint32_t vendor = rsp[0] & 0xffff, proto = (rsp[0] >> 16) & 0xff;
    if (n < max) protos[n] = vendor | (proto << 16);
    n++;
    index = (int)(rsp[0] >> 24);
  } while (index != 0 && guard++ < 255);
  rt_printf("doe %s: at 0x%x, %d protocols:", name, f->doe, n);
  for (int i = 0; i < n && i < max; i++) {
    uint32_t v = protos[i] & 0xffff, t = protos[i] >> 16;
    rt_printf(" %04x:%02x", v, t);
    if (v == DOE_VENDOR_PCISIG && t == DOE_TYPE_DISCOVERY) rt_printf(" (discovery)");
    else if (v == CXL_VENDOR_ID && t == DOE_TYPE_CDAT) rt_printf(" (cdat)");
  }
  rt_printf("\n");
  return n;
}
