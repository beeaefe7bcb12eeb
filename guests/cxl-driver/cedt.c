/* ACPI CEDT (CXL r3.x §9.18 / ACPI 6.5 §5.2.28): RSDP (/chosen/cxlemu,acpi-rsdp) -> XSDT -> CEDT,
 * with CHBS (type 0: UID, CXL version, component register base/length), CFMWS (type 1: base, size,
 * ENIW, arithmetic, HBIG, restrictions, QTG, target UIDs) and CXIMS (type 2: HBIG, XOR maps).
 * Checksums are verified (every table's bytes sum to 0). When the device tree described no windows
 * or host bridges, the CEDT fills the same tables; otherwise the two are cross-checked and every
 * disagreement is printed (two independent descriptions of one platform must agree). */
#include "cxl.h"

uint64_t cxl_acpi_rsdp;

static uint32_t le32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }
static uint64_t le64(const uint8_t *p) { return le32(p) | ((uint64_t)le32(p + 4) << 32); }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static int sig(const uint8_t *p, const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (p[i] != (uint8_t)s[i]) return 0;
  return 1;
}
static int sum(const uint8_t *p, uint32_t n) {
  uint8_t s = 0;
  for (uint32_t i = 0; i < n; i++) s = (uint8_t)(s + p[i]);
  return s;
}
static int ways_of_eniw(int eniw) { return eiw_to_ways(eniw); }

static int mismatches;
#define MISMATCH(...) do { rt_printf("cedt: MISMATCH "); rt_printf(__VA_ARGS__); rt_printf("\n"); mismatches++; } while (0)

int cedt_scan(void) {
  if (!cxl_acpi_rsdp) {
    rt_printf("acpi: no RSDP\n");
    return 0;
  }
  const uint8_t *rsdp = (const uint8_t *)(uintptr_t)cxl_acpi_rsdp;
  if (!sig(rsdp, "RSD PTR ", 8) || rsdp[15] < 2 || sum(rsdp, 20) || sum(rsdp, le32(rsdp + 20))) {
    rt_printf("acpi: bad RSDP at 0x%lx\n", cxl_acpi_rsdp);
    return 0;
  }
  const uint8_t *xsdt = (const uint8_t *)(uintptr_t)le64(rsdp + 24);
  if (!sig(xsdt, "XSDT", 4) || sum(xsdt, le32(xsdt + 4))) {
    rt_printf("acpi: bad XSDT\n");
    return 0;
  }
  const uint8_t *cedt = 0;
  uint32_t n = (le32(xsdt + 4) - 36) / 8;
  for (uint32_t i = 0; i < n && !cedt; i++) {
    const uint8_t *t = (const uint8_t *)(uintptr_t)le64(xsdt + 36 + 8 * i);
    if (sig(t, "CEDT", 4)) cedt = t;
  }
  if (!cedt) {
    rt_printf("acpi: no CEDT (%u tables)\n", n);
    return 0;
  }
  uint32_t len = le32(cedt + 4);
  rt_printf("acpi: CEDT at 0x%lx, %u bytes, checksum %s\n", (uint64_t)(uintptr_t)cedt, len, sum(cedt, len) ? "BAD" : "ok");
  if (sum(cedt, len)) return 0;

  int fill_w = cxl_nwindows == 0, fill_h = cxl_nhbs == 0;
  mismatches = 0;
  int nw = 0, nh = 0;
  for (uint32_t off = 36; off + 4 <= len;) {
    const uint8_t *s = cedt + off;
    int type = s[0];
    uint16_t rl = le16(s + 2);
    if (rl < 4 || off + rl > len) {
      rt_printf("cedt: structure at +0x%x has bad length %u\n", off, rl);
      return 0;
    }
    if (type == 0 && rl >= 32) {
      uint32_t uid = le32(s + 4), ver = le32(s + 8);
      uint64_t base = le64(s + 16), size = le64(s + 24);
      rt_printf("cedt: CHBS uid %u cxl %s base 0x%lx length 0x%lx\n", uid, ver == 1 ? "2.0+ (CHBCR)" : ver == 0 ? "1.1 (RCRB)" : "?", base, size);
      nh++;
      int k = -1;
      for (int i = 0; i < cxl_nhbs; i++)
        if (cxl_hbs[i].uid == uid) k = i;
      if (fill_h && cxl_nhbs < CXL_MAX_HB) {
        struct cxl_hb *h = &cxl_hbs[cxl_nhbs++];
        h->uid = uid, h->bus_lo = -1, h->bus_hi = -1, h->comp_regs = base, h->from_dt = 0;
      } else if (k < 0) {
        MISMATCH("CHBS uid %u is not a device-tree host bridge", uid);
      } else if (cxl_hbs[k].comp_regs != base) {
        MISMATCH("host bridge uid %u: CHBS base 0x%lx, device tree 0x%lx", uid, base, cxl_hbs[k].comp_regs);
      }
    } else if (type == 1 && rl >= 36) {
      uint64_t base = le64(s + 8), size = le64(s + 16);
      int eniw = s[24], arith = s[25], ways = ways_of_eniw(eniw);
      uint32_t hbig = le32(s + 28);
      uint16_t restr = le16(s + 32), qtg = le16(s + 34);
      int nt = (rl - 36) / 4;
      rt_printf("cedt: CFMWS base 0x%lx size 0x%lx ways %d granularity %d %s restrictions 0x%x qtg %u targets", base, size, ways,
                256 << hbig, arith == 1 ? "xor" : arith == 0 ? "modulo" : "?", restr, qtg);
      for (int i = 0; i < nt; i++) rt_printf("%s%u", i ? "," : " ", le32(s + 36 + 4 * i));
      rt_printf("\n");
      nw++;
      if (nt != ways) MISMATCH("CFMWS at 0x%lx: %d targets for ENIW %d (%d ways)", base, nt, eniw, ways);
      int k = -1;
      for (int i = 0; i < cxl_nwindows; i++)
        if (cxl_windows[i].base == base) k = i;
      if (fill_w && cxl_nwindows < CXL_MAX_WINDOWS) {
        struct cxl_window *w = &cxl_windows[cxl_nwindows++];
        memset(w, 0, sizeof *w);
        w->name[0] = 'C', w->name[1] = 'F', w->name[2] = (char)('0' + (cxl_nwindows - 1) % 10);
        w->base = base, w->size = size, w->ways = ways, w->gran = 256 << hbig, w->xor_arith = arith == 1;
        w->ntargets = nt > 16 ? 16 : nt;
        for (int i = 0; i < w->ntargets; i++) w->targets[i] = le32(s + 36 + 4 * i);
      } else if (k < 0) {
        MISMATCH("CFMWS at 0x%lx is not a device-tree window", base);
      } else {
        const struct cxl_window *w = &cxl_windows[k];
        if (w->size != size) MISMATCH("window %s: size 0x%lx vs device tree 0x%lx", w->name, size, w->size);
        if (w->ways != ways) MISMATCH("window %s: %d ways vs device tree %d", w->name, ways, w->ways);
        if (w->gran != (256 << hbig)) MISMATCH("window %s: granularity %d vs device tree %d", w->name, 256 << hbig, w->gran);
        if (w->xor_arith != (arith == 1)) MISMATCH("window %s: arithmetic differs from the device tree", w->name);
        for (int i = 0; i < nt && i < w->ntargets; i++)
          if (w->targets[i] != le32(s + 36 + 4 * i)) MISMATCH("window %s: target %d is uid %u, device tree %u", w->name, i, le32(s + 36 + 4 * i), w->targets[i]);
      }
    } else if (type == 2 && rl >= 8) {
      int nix = s[7];
      rt_printf("cedt: CXIMS granularity %d maps", 256 << s[6]);
      for (int i = 0; i < nix && 8 + 8 * i + 8 <= rl; i++) rt_printf("%s0x%lx", i ? "," : " ", le64(s + 8 + 8 * i));
      rt_printf("\n");
    } else {
      rt_printf("cedt: structure type %d, %u bytes\n", type, rl);
    }
    off += rl;
  }
  if (!fill_w && nw != cxl_nwindows) MISMATCH("%d CFMWS, device tree %d windows", nw, cxl_nwindows);
  if (!fill_h && nh != cxl_nhbs) MISMATCH("%d CHBS, device tree %d host bridges", nh, cxl_nhbs);
  if (fill_w || fill_h) rt_printf("cedt: %s%s%s taken from the CEDT\n", fill_w ? "windows" : "", fill_w && fill_h ? " and " : "", fill_h ? "host bridges" : "");
  else if (!mismatches) rt_printf("cedt: agrees with the device tree (%d windows, %d host bridges)\n", nw, nh);
  return 1;
}
