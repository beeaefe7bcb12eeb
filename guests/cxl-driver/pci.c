/* PCIe configuration through the ECAM (PCIe base spec 7.2.2: bus << 20 | dev << 15 | fn << 12),
 * enumeration through bridges' secondary/subordinate bus numbers (firmware assigned them), the
 * capability lists (PCIe capability for the port type and port number; extended capabilities from
 * 0x100: DSN, DOE, DVSEC), the CXL DVSECs (vendor 0x1E98) and the Register Locator (DVSEC id 8). */
#include "cxl.h"

struct cxl_fn cxl_fns[CXL_MAX_FN];
int cxl_nfns;

static uintptr_t cfg(int bus, int dev, int fn, int off) {
  return (uintptr_t)(cxl_ecam_base + ((uint64_t)bus << 20) + ((uint64_t)dev << 15) + ((uint64_t)fn << 12) + (uint64_t)off);
}
uint32_t pci_read32(int bus, int dev, int fn, int off) { return *(volatile uint32_t *)cfg(bus, dev, fn, off & ~3); }
uint16_t pci_read16(int bus, int dev, int fn, int off) { return (uint16_t)(pci_read32(bus, dev, fn, off) >> (8 * (off & 2))); }
uint8_t pci_read8(int bus, int dev, int fn, int off) { return (uint8_t)(pci_read32(bus, dev, fn, off) >> (8 * (off & 3))); }
void pci_write32(int bus, int dev, int fn, int off, uint32_t v) { *(volatile uint32_t *)cfg(bus, dev, fn, off) = v; }
void pci_write16(int bus, int dev, int fn, int off, uint16_t v) { *(volatile uint16_t *)cfg(bus, dev, fn, off) = v; }

#define R32(f, o) pci_read32((f)->bus, (f)->dev, (f)->fn, (o))
#define R16(f, o) pci_read16((f)->bus, (f)->dev, (f)->fn, (o))
#define R8(f, o) pci_read8((f)->bus, (f)->dev, (f)->fn, (o))

const char *pci_port_type_name(int t) {
  switch (t) {
    case PCI_EXP_TYPE_ENDPOINT: return "endpoint";
    case PCI_EXP_TYPE_ROOT_PORT: return "root port";
    case PCI_EXP_TYPE_UPSTREAM: return "switch upstream port";
    case PCI_EXP_TYPE_DOWNSTREAM: return "switch downstream port";
    case 9: return "rc integrated endpoint";
    case -1: return "pci";
    default: return "pcie";
  }
}

int pci_find_ext_cap(const struct cxl_fn *f, int id, int start) {
  int off = 0x100, guard = 0;
  while (off >= 0x100 && off < 0x1000 && guard++ < 128) {
    uint32_t h = R32(f, off);
    if (h == 0 || h == 0xffffffffu) return 0;
    if ((int)(h & 0xffff) == id && off >= start) return off;
    off = (int)(h >> 20) & 0xffc;
  }
  return 0;
}

int pci_find_cxl_dvsec(const struct cxl_fn *f, int dvsec_id) {
  int off = 0x100;
  while ((off = pci_find_ext_cap(f, PCI_EXT_CAP_DVSEC, off)) != 0) {
    uint32_t h1 = R32(f, off + 4), h2 = R32(f, off + 8);
    if ((h1 & 0xffff) == CXL_VENDOR_ID && (int)(h2 & 0xffff) == dvsec_id) return off;
    off += 4;
  }
  return 0;
}

uint64_t pci_bar_address(const struct cxl_fn *f, int bir) {
  int max = f->header_type == 1 ? 2 : 6;
  if (bir < 0 || bir >= max) return 0;
  uint32_t lo = R32(f, 0x10 + 4 * bir);
  if (lo & 1) return 0; /* I/O BAR */
  uint64_t a = lo & ~0xfu;
  if (((lo >> 1) & 3) == 2 && bir + 1 < max) a |= (uint64_t)R32(f, 0x14 + 4 * bir) << 32;
  return a;
}

static void probe_caps(struct cxl_fn *f) {
  f->port_type = -1;
  f->port_num = -1;
  if (R16(f, 0x06) & (1u << 4)) {
    int p = R8(f, 0x34) & 0xfc, guard = 0;
    while (p >= 0x40 && guard++ < 48) {
      uint32_t h = R32(f, p);
      if ((h & 0xff) == 0x10) {
        f->port_type = (int)((h >> 20) & 0xf);   /* PCIe Capabilities [7:4] at +2 */
        f->port_num = (int)(R32(f, p + 0x0C) >> 24); /* Link Capabilities [31:24] */
        break;
      }
      p = (int)((h >> 8) & 0xfc);
    }
  }
  int dsn = pci_find_ext_cap(f, PCI_EXT_CAP_DSN, 0x100);
  if (dsn) {
    f->has_serial = 1;
    f->serial = (uint64_t)R32(f, dsn + 4) | ((uint64_t)R32(f, dsn + 8) << 32);
  }
  f->doe = pci_find_ext_cap(f, PCI_EXT_CAP_DOE, 0x100);
  for (int i = 0; i < 16; i++) f->dvsec[i] = pci_find_cxl_dvsec(f, i);
  int rl = f->dvsec[CXL_DVSEC_REGLOC];
  if (rl) {
    int len = (int)((R32(f, rl + 4) >> 20) & 0xfff);
    int n = len > 0x0C ? (len - 0x0C) / 8 : 0;
    for (int i = 0; i < n && i < 16; i++) {
      uint32_t lo = R32(f, rl + 0x0C + 8 * i), hi = R32(f, rl + 0x10 + 8 * i);
      int bir = (int)(lo & 7), id = (int)((lo >> 8) & 0xff);
      uint64_t off = (uint64_t)(lo & 0xffff0000u) | ((uint64_t)hi << 32);
      uint64_t bar = pci_bar_address(f, bir);
      if (!bar) continue;
      if (id == CXL_REGLOC_COMPONENT && !f->comp_regs) f->comp_regs = bar + off;
      if (id == CXL_REGLOC_MEMDEV && !f->memdev_regs) f->memdev_regs = bar + off;
    }
  }
}

static uint8_t visited[256];

static void scan_bus(int bus, int parent, int depth) {
  if (bus < 0 || bus > 255 || visited[bus] || depth > 16) return;
  visited[bus] = 1;
  for (int dev = 0; dev < 32; dev++) {
    int nfn = 1;
    for (int fn = 0; fn < nfn; fn++) {
      uint32_t id = pci_read32(bus, dev, fn, 0);
      if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) continue;
      int ht = pci_read8(bus, dev, fn, 0x0E);
      if (fn == 0 && (ht & 0x80)) nfn = 8;
      if (cxl_nfns >= CXL_MAX_FN) return;
      struct cxl_fn *f = &cxl_fns[cxl_nfns++];
      memset(f, 0, sizeof *f);
      f->bus = bus, f->dev = dev, f->fn = fn;
      f->vendor = (uint16_t)id;
      f->device = (uint16_t)(id >> 16);
      f->class_code = pci_read32(bus, dev, fn, 0x08) >> 8;
      f->header_type = ht & 0x7f;
      f->parent = parent;
      f->sec = f->sub = -1;
      probe_caps(f);
      if (f->header_type == 1) {
        uint32_t bn = pci_read32(bus, dev, fn, 0x18);
        f->sec = (int)((bn >> 8) & 0xff);
        f->sub = (int)((bn >> 16) & 0xff);
        if (f->sec > bus && f->sub >= f->sec) scan_bus(f->sec, (int)(f - cxl_fns), depth + 1);
      }
    }
  }
}

int pci_enumerate(void) {
  cxl_nfns = 0;
  memset(visited, 0, sizeof visited);
  int unplaced = cxl_nhbs > 0;
  for (int i = 0; i < cxl_nhbs; i++) unplaced &= cxl_hbs[i].bus_lo < 0;
  if (cxl_nhbs == 0 || unplaced) {
    /* No host bridges described: every bus with a function that is not some bridge's secondary bus
     * is a root bus, one host bridge each (UIDs in bus order; the CEDT's CHBS will replace this). */
    static uint8_t present[256], secondary[256];
    memset(present, 0, sizeof present);
    memset(secondary, 0, sizeof secondary);
    for (int bus = 0; bus < 256; bus++)
      for (int dev = 0; dev < 32; dev++) {
        uint32_t id = pci_read32(bus, dev, 0, 0);
        if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) continue;
        present[bus] = 1;
        if ((pci_read8(bus, dev, 0, 0x0E) & 0x7f) == 1) secondary[(pci_read32(bus, dev, 0, 0x18) >> 8) & 0xff] = 1;
      }
    if (unplaced) {
      /* Host bridges known only from the CEDT (no bus numbers there; ACPI gives them in _BBN):
       * assume root buses in ascending order belong to UIDs in ascending order. */
      for (int i = 1; i < cxl_nhbs; i++)
        for (int j = i; j > 0 && cxl_hbs[j - 1].uid > cxl_hbs[j].uid; j--) {
          struct cxl_hb t = cxl_hbs[j];
          cxl_hbs[j] = cxl_hbs[j - 1];
          cxl_hbs[j - 1] = t;
        }
      int k = 0;
      for (int bus = 0; bus < 256 && k < cxl_nhbs; bus++)
        if (present[bus] && !secondary[bus]) cxl_hbs[k++].bus_lo = bus;
      rt_printf("host bridges: bus numbers assumed from root buses in UID order\n");
    }
    for (int bus = 0; bus < 256 && cxl_nhbs < CXL_MAX_HB && !unplaced; bus++) {
      if (!present[bus] || secondary[bus]) continue;
      struct cxl_hb *h = &cxl_hbs[cxl_nhbs];
      h->uid = (uint32_t)cxl_nhbs;
      h->bus_lo = bus;
      h->bus_hi = -1;
      h->comp_regs = 0;
      h->from_dt = 0;
      cxl_nhbs++;
    }
  }
  for (int i = 0; i < cxl_nhbs; i++) scan_bus(cxl_hbs[i].bus_lo, -1, 0);
  return cxl_nfns;
}
