/* The flattened device tree (Devicetree Specification v0.4, chapter 5): a minimal reader for what
 * the driver needs. CXL fixed memory windows: nodes compatible "cxlemu,cfmw" (reg, cxlemu,name,
 * cxlemu,interleave-ways, cxlemu,interleave-granularity, cxlemu,interleave-arithmetic,
 * cxlemu,targets = host-bridge UIDs). Host bridges: nodes whose compatible names a CXL host bridge
 * ("...cxl...host-bridge..."), with a UID (cxlemu,uid or uid), bus-range, and the component
 * register block (cxlemu,component-registers, or reg). The ECAM: "pci-host-ecam-generic" reg minus
 * its first bus (one such node per host bridge).
 * A CEDT reader (CHBS, CFMWS) can later fill the same tables. */
#include "cxl.h"

struct cxl_window cxl_windows[CXL_MAX_WINDOWS];
int cxl_nwindows;
struct cxl_hb cxl_hbs[CXL_MAX_HB];
int cxl_nhbs;
uint64_t cxl_ecam_base = 0x30000000UL;

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define MAX_DEPTH 12

static uint32_t be32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }
static uint64_t cells(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v = (v << 32) | be32(p + 4 * i);
  return v;
}
static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}
/* Does the string list (len bytes) hold an entry equal to `w`? */
static int has_entry(const char *s, int len, const char *w) {
  for (int i = 0; i < len;) {
    if (streq(s + i, w)) return 1;
    i += (int)strlen(s + i) + 1;
  }
  return 0;
}

struct node {
  int addr_cells, size_cells;   /* for this node's children */
  int is_window, is_hb, is_ecam;
  const uint8_t *reg; int reg_len;
  const uint8_t *comp; int comp_len;
  const char *name; int name_len;
  int ways, gran, xor_arith, has_uid;
  uint32_t uid;
  const uint8_t *targets; int ntargets;
  int bus_lo, bus_hi;
};

int fdt_scan(uint64_t dtb) {
  const uint8_t *b = (const uint8_t *)(uintptr_t)dtb;
  cxl_acpi_rsdp = 0;
  if (dtb == 0 || be32(b) != FDT_MAGIC) return 0;
  const uint8_t *st = b + be32(b + 8);
  const char *strs = (const char *)(b + be32(b + 12));
  static struct node stack[MAX_DEPTH];
  int depth = -1;
  const uint8_t *p = st;
  for (;;) {
    uint32_t tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *nm = (const char *)p;
      p += (strlen(nm) + 4) & ~3u;
      if (++depth >= MAX_DEPTH) return 0;
      struct node *n = &stack[depth];
      memset(n, 0, sizeof *n);
      n->addr_cells = 2;
      n->size_cells = 1;
      n->bus_lo = n->bus_hi = -1;
    } else if (tok == FDT_END_NODE) {
      if (depth < 0) return 0;
      struct node *n = &stack[depth];
      int pac = depth > 0 ? stack[depth - 1].addr_cells : 2, psc = depth > 0 ? stack[depth - 1].size_cells : 1;
      uint64_t rbase = 0, rsize = 0;
      if (n->reg && n->reg_len >= 4 * (pac + psc)) {
        rbase = cells(n->reg, pac);
        rsize = cells(n->reg + 4 * pac, psc);
      }
      if (n->is_window && cxl_nwindows < CXL_MAX_WINDOWS) {
        struct cxl_window *w = &cxl_windows[cxl_nwindows++];
        memset(w, 0, sizeof *w);
        w->base = rbase;
        w->size = rsize;
        w->ways = n->ways;
        w->gran = n->gran;
        w->xor_arith = n->xor_arith;
        int k = 0;
        if (n->name) for (; k < n->name_len && k < 15 && n->name[k]; k++) w->name[k] = n->name[k];
        w->name[k] = 0;
        w->ntargets = n->ntargets > 16 ? 16 : n->ntargets;
        for (int i = 0; i < w->ntargets; i++) w->targets[i] = be32(n->targets + 4 * i);
      }
      if (n->is_hb && cxl_nhbs < CXL_MAX_HB) {
        struct cxl_hb *h = &cxl_hbs[cxl_nhbs++];
        h->uid = n->has_uid ? n->uid : (uint32_t)(cxl_nhbs - 1);
        h->bus_lo = n->bus_lo;
        h->bus_hi = n->bus_hi;
        h->comp_regs = n->comp ? cells(n->comp, n->comp_len >= 8 ? 2 : 1) : rbase;
        h->from_dt = 1;
      }
      /* One ECAM host node per host bridge: each reg starts at its first bus, so the ECAM base is
         reg - (bus_lo << 20), the same for every node (and reg itself for a single 0..255 node). */
      if (n->is_ecam && rbase) cxl_ecam_base = rbase - ((uint64_t)(n->bus_lo > 0 ? n->bus_lo : 0) << 20);
      depth--;
    } else if (tok == FDT_PROP) {
      uint32_t len = be32(p), nameoff = be32(p + 4);
      const uint8_t *v = p + 8;
      p += 8 + ((len + 3) & ~3u);
      if (depth < 0) return 0;
      struct node *n = &stack[depth];
      const char *pn = strs + nameoff;
      if (streq(pn, "compatible")) {
        if (has_entry((const char *)v, (int)len, "cxlemu,cfmw")) n->is_window = 1;
        if (has_entry((const char *)v, (int)len, "pci-host-ecam-generic")) n->is_ecam = 1;
        if (has_entry((const char *)v, (int)len, "cxlemu,cxl-host-bridge")) n->is_hb = 1;
      } else if (streq(pn, "#address-cells") && len == 4) n->addr_cells = (int)be32(v);
      else if (streq(pn, "#size-cells") && len == 4) n->size_cells = (int)be32(v);
      else if (streq(pn, "reg")) n->reg = v, n->reg_len = (int)len;
      else if (streq(pn, "cxlemu,component-registers")) n->comp = v, n->comp_len = (int)len;
      else if (streq(pn, "cxlemu,name")) n->name = (const char *)v, n->name_len = (int)len;
      else if (streq(pn, "cxlemu,interleave-ways") && len == 4) n->ways = (int)be32(v);
      else if (streq(pn, "cxlemu,interleave-granularity") && len == 4) n->gran = (int)be32(v);
      else if (streq(pn, "cxlemu,interleave-arithmetic")) n->xor_arith = streq((const char *)v, "xor");
      else if (streq(pn, "cxlemu,targets")) n->targets = v, n->ntargets = (int)(len / 4);
      else if ((streq(pn, "cxlemu,uid") || streq(pn, "uid")) && len == 4) n->uid = be32(v), n->has_uid = 1;
      else if (streq(pn, "bus-range") && len == 8) n->bus_lo = (int)be32(v), n->bus_hi = (int)be32(v + 4);
      else if (streq(pn, "cxlemu,bus-nr") && len == 4) n->bus_lo = (int)be32(v);
      else if (streq(pn, "cxlemu,acpi-rsdp") && len == 8) cxl_acpi_rsdp = cells(v, 2);
    } else if (tok == FDT_NOP) {
      continue;
    } else if (tok == FDT_END) {
      break;
    } else {
      return 0;
    }
  }
  return 1;
}
