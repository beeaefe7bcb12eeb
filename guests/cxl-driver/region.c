/* Regions as Linux's drivers/cxl/core/region.c builds them (SPEC-NOTES 1.3, 1.5):
 *  - endpoints below the window's host bridges; every HB/USP decoder's target list holds the
 *    dports its endpoints use, in port-id order;
 *  - positions by cxl_calc_interleave_pos: walk endpoint -> root, pos = pos * W_parent + index of
 *    this port's dport in the parent's target list (the root: index of the HB in the window);
 *  - granularity chain of cxl_port_setup_targets: G_hb = G_region * W_root (W_root/3 for 3/6/12),
 *    each level below G_parent * W_parent, all <= 16 KiB;
 *  - capability checks (Target Count, W <= 8, 3/6/12 and 16-way bits, A11to8/A14to12 selector
 *    bits as check_interleave_cap), region ways/granularity/alignment rules;
 *  - programming per endpoint in position order: endpoint decoder, then each decoder up to the
 *    host bridge not yet committed (cxl_region_decode_commit), each committed before the next;
 *    a failure un-commits what this region committed, highest first (cxl_region_decode_reset). */
#include "cxl.h"

int ways_to_eiw(int ways) {
  switch (ways) {
    case 1: return 0;
    case 2: return 1;
    case 4: return 2;
    case 8: return 3;
    case 16: return 4;
    case 3: return 8;
    case 6: return 9;
    case 12: return 10;
    default: return -1;
  }
}
int eiw_to_ways(int eiw) {
  if (eiw >= 0 && eiw <= 4) return 1 << eiw;
  if (eiw >= 8 && eiw <= 10) return 3 << (eiw - 8);
  return 0;
}
int gran_to_eig(int gran) {
  for (int e = 0; e <= 6; e++)
    if (gran == (256 << e)) return e;
  return -1;
}
int is_three_family(int ways) { return ways == 3 || ways == 6 || ways == 12; }

int calc_interleave_pos(const int *index, const int *ways, int nhops) {
  int pos = 0;
  for (int i = 0; i < nhops; i++) pos = pos * ways[i] + index[i];
  return pos;
}

int hb_granularity(int region_gran, int root_ways) {
  return region_gran * (is_three_family(root_ways) ? root_ways / 3 : root_ways);
}

uint32_t interleave_mask_needed(int ways, int gran) {
  int eiw = ways_to_eiw(ways), eig = gran_to_eig(gran);
  if (eiw <= 0 || eiw == 8 || eig < 0) return 0;
  int low = eig + 8, high = eiw > 8 ? eiw + eig - 1 : eiw + eig + 7;
  uint32_t m = 0;
  for (int b = low; b <= high && b < 32; b++) m |= 1u << b;
  return m;
}
/* Selector bits a component may use: 11:8 and 14:12 by capability; bits above 14 always. */
uint32_t interleave_mask_of_cap(uint32_t cap) {
  uint32_t m = 0xffff8000u;
  if (cap & HDM_CAP_A11TO8) m |= 0x0f00u;
  if (cap & HDM_CAP_A14TO12) m |= 0x7000u;
  return m;
}

void print_size(uint64_t n) {
  if (n && n % (1UL << 30) == 0) rt_printf("%lu GiB", n >> 30);
  else if (n && n % (1UL << 20) == 0) rt_printf("%lu MiB", n >> 20);
  else if (n && n % 1024 == 0) rt_printf("%lu KiB", n >> 10);
  else rt_printf("%lu B", n);
}

static int issues;
#define ISSUE(...) do { rt_printf("  invalid: "); rt_printf(__VA_ARGS__); rt_printf("\n"); issues++; } while (0)

static int sw_index(const struct region_plan *p, int port) {
  for (int i = 0; i < p->nsw; i++)
    if (p->sw_port[i] == port) return i;
  return -1;
}
static int tl_index(const struct region_plan *p, int sw, int dport) {
  for (int i = 0; i < p->sw_ntl[sw]; i++)
    if (p->sw_tl[sw][i] == dport) return i;
  return -1;
}
static int window_index_of_hb(const struct cxl_window *w, int hb) {
  for (int i = 0; i < w->ntargets; i++)
    if (w->targets[i] == cxl_hbs[hb].uid) return i;
  return -1;
}

/* Lowest base >= `base`, aligned to `align` (256 MiB x W, as Linux allocates), whose range
 * overlaps no committed decoder of any component below the window's host bridges. */
static uint64_t skip_committed(const struct cxl_window *w, uint64_t base, uint64_t size, uint64_t align) {
  for (int guard = 0; guard < 64; guard++) {
    int moved = 0;
    for (int i = 0; i < cxl_nports && !moved; i++) {
      const struct cxl_port *pt = &cxl_ports[i];
      if (window_index_of_hb(w, pt->hb) < 0) continue;
      for (int n = 0; n < pt->committed && !moved; n++) {
        struct cxl_decoder d;
        hdm_read_decoder(&pt->hdm, n, &d);
        if (base < d.base + d.size && d.base < base + size) {
          uint64_t end = d.base + d.size;
          base = (end + align - 1) / align * align;
          moved = 1;
        }
      }
    }
    if (!moved) break;
  }
  return base;
}

static void check_order(const struct cxl_port *pt, uint64_t base) {
  if (pt->committed == 0) return;
  struct cxl_decoder d;
  hdm_read_decoder(&pt->hdm, pt->committed - 1, &d);
  if (d.base + d.size > base)
    ISSUE("%s: decoder %d ends at 0x%lx, above the region base 0x%lx (decoders hold increasing ranges in index order)", pt->name,
          pt->committed - 1, d.base + d.size, base);
}

static void check_caps(const struct cxl_port *pt, int ways, int gran) {
  const struct cxl_hdm *h = &pt->hdm;
  if (is_three_family(ways) && !(h->cap & HDM_CAP_3_6_12))
    ISSUE("%s: %d-way needs the 3/6/12-way capability (HDM Capability bit 11)", pt->name, ways);
  if (ways == 16 && !(h->cap & HDM_CAP_16)) ISSUE("%s: 16-way needs the 16-way capability (HDM Capability bit 12)", pt->name);
  uint32_t need = interleave_mask_needed(ways, gran), have = interleave_mask_of_cap(h->cap);
  if (need & ~have)
    ISSUE("%s: %d-way at %d B selects on HPA bits 0x%x; capability allows 0x%x (A11to8/A14to12)", pt->name, ways, gran,
          need, have & 0x7fffu);
}

int region_plan(const struct region_request *rq, struct region_plan *p) {
  issues = 0;
  memset(p, 0, sizeof *p);
  p->req = *rq;
  if (rq->window < 0 || rq->window >= cxl_nwindows) {
    ISSUE("window %d does not exist (%d windows)", rq->window, cxl_nwindows);
    return issues;
  }
  const struct cxl_window *w = &cxl_windows[rq->window];
  p->base = w->base + rq->offset;
  int W = rq->ways, G = rq->gran;
  uint64_t asked = p->base;
  p->base = skip_committed(w, p->base, rq->size, SZ_256M * (uint64_t)(W > 0 ? W : 1));
  rt_printf("region %s: window %s base 0x%lx size ", rq->name, w->name, p->base);
  print_size(rq->size);
  rt_printf(" ways %d granularity %d\n", W, G);
  if (p->base != asked) rt_printf("  base 0x%lx overlaps committed decoders: moved to the next free aligned place\n", asked);

  /* rules on the region itself */
  if (ways_to_eiw(W) < 0) ISSUE("ways %d is not one of 1, 2, 3, 4, 6, 8, 12, 16", W);
  if (gran_to_eig(G) < 0) ISSUE("granularity %d is not one of 256 .. 16384", G);
  if (w->ways > 0 && (W % w->ways != 0 || ((W / w->ways) & (W / w->ways - 1)) != 0))
    ISSUE("region ways %d must be a power-of-two multiple of the window ways %d", W, w->ways);
  if (w->ways > 1 && G != w->gran) ISSUE("granularity %d must equal the window granularity %d when the window interleaves", G, w->gran);
  if (p->base % SZ_256M) ISSUE("base 0x%lx is not a multiple of 256 MiB", p->base);
  if (rq->size == 0 || rq->size % (SZ_256M * (uint64_t)(W > 0 ? W : 1)))
    ISSUE("size 0x%lx is not a positive multiple of 256 MiB x %d ways", rq->size, W);
  if (p->base < w->base || p->base + rq->size > w->base + w->size || p->base + rq->size < p->base)
    ISSUE("range 0x%lx+0x%lx is outside window %s 0x%lx+0x%lx", p->base, rq->size, w->name, w->base, w->size);

  /* endpoints */
  int eps[CXL_MAX_WAYS + 8], n = 0;
  if (rq->nmem > 0) {
    for (int i = 0; i < rq->nmem && n < CXL_MAX_WAYS; i++) eps[n++] = rq->mem[i];
  } else {
    for (int i = 0; i < cxl_nports && n < CXL_MAX_WAYS + 8; i++)
      if (cxl_ports[i].kind == PORT_EP && window_index_of_hb(w, cxl_ports[i].hb) >= 0) eps[n++] = i;
  }
  if (n != W) {
    ISSUE("%d endpoints below window %s's host bridges for a %d-way region", n, w->name, W);
    return issues;
  }

  /* target lists: the dports each HB/USP decoder needs, in port-id order */
  for (int e = 0; e < n; e++) {
    int c = eps[e];
    if (window_index_of_hb(w, cxl_ports[c].hb) < 0) ISSUE("%s is not below a host bridge of window %s", cxl_ports[c].name, w->name);
    for (int up = cxl_ports[c].parent; up >= 0; c = up, up = cxl_ports[up].parent) {
      int s = sw_index(p, up);
      if (s < 0) {
        s = p->nsw++;
        p->sw_port[s] = up;
      }
      int d = cxl_ports[c].dport_id;
      if (tl_index(p, s, d) >= 0) continue;
      if (p->sw_ntl[s] >= 8) {
        ISSUE("%s: more than 8 targets", cxl_ports[up].name);
        continue;
      }
      int k = p->sw_ntl[s]++;
      while (k > 0 && p->sw_tl[s][k - 1] > d) {
        p->sw_tl[s][k] = p->sw_tl[s][k - 1];
        k--;
      }
      p->sw_tl[s][k] = (uint8_t)d;
    }
  }
  if (issues) return issues;
  for (int s = 0; s < p->nsw; s++) p->sw_ways[s] = p->sw_ntl[s];

  /* granularity chain, top down (parents were added after their children: walk from the HB) */
  for (int s = 0; s < p->nsw; s++) {
    int port = p->sw_port[s];
    int g = hb_granularity(G, w->ways);
    int chain[8], nc = 0;
    for (int up = cxl_ports[port].parent; up >= 0 && nc < 8; up = cxl_ports[up].parent) chain[nc++] = up;
    for (int k = nc - 1; k >= 0; k--) {
      int ps = sw_index(p, chain[k]);
      g *= p->sw_ways[ps];
    }
    p->sw_gran[s] = g;
    if (gran_to_eig(g) < 0) ISSUE("%s: granularity chain gives %d B, above 16 KiB", cxl_ports[port].name, g);
  }

  /* positions, Linux style; every path's ways must multiply to the region ways */
  for (int e = 0; e < n; e++) {
    int idx[10], wy[10], nh = 0, prod = w->ways;
    int c = eps[e];
    for (int up = cxl_ports[c].parent; up >= 0 && nh < 9; c = up, up = cxl_ports[up].parent) {
      int s = sw_index(p, up);
      idx[nh] = tl_index(p, s, cxl_ports[c].dport_id);
      wy[nh++] = p->sw_ways[s];
      prod *= p->sw_ways[s];
    }
    idx[nh] = window_index_of_hb(w, cxl_ports[eps[e]].hb);
    wy[nh++] = w->ways;
    int pos = calc_interleave_pos(idx, wy, nh);
    if (prod != W) ISSUE("%s: ways along its path multiply to %d, not the region's %d", cxl_ports[eps[e]].name, prod, W);
    if (pos < 0 || pos >= W) {
      ISSUE("%s: position %d out of range", cxl_ports[eps[e]].name, pos);
      continue;
    }
    for (int k = 0; k < p->nmem; k++)
      if (p->pos[k] == pos) ISSUE("%s and %s both get position %d", cxl_ports[p->mem[k]].name, cxl_ports[eps[e]].name, pos);
    /* insert in position order */
    int k = p->nmem++;
    while (k > 0 && p->pos[k - 1] > pos) {
      p->pos[k] = p->pos[k - 1];
      p->mem[k] = p->mem[k - 1];
      k--;
    }
    p->pos[k] = pos;
    p->mem[k] = eps[e];
  }

  /* per-component capabilities */
  for (int s = 0; s < p->nsw; s++) {
    const struct cxl_port *pt = &cxl_ports[p->sw_port[s]];
    if (!pt->hdm.base) {
      if (pt->kind == PORT_HB && p->sw_ways[s] == 1 && pt->ndports == 1) continue; /* passthrough */
      ISSUE("%s: no HDM decoder capability (component registers %s)", pt->name,
            pt->kind == PORT_HB && !cxl_hbs[pt->hb].comp_regs ? "not found" : "lack it");
      continue;
    }
    check_order(pt, p->base);
    if (p->sw_ways[s] > pt->hdm.targets) ISSUE("%s: %d targets exceed its Target Count %d", pt->name, p->sw_ways[s], pt->hdm.targets);
    if (hdm_first_free(&pt->hdm) >= pt->hdm.count) ISSUE("%s: no free decoder", pt->name);
    check_caps(pt, p->sw_ways[s], p->sw_gran[s]);
  }
  for (int k = 0; k < p->nmem; k++) {
    const struct cxl_port *pt = &cxl_ports[p->mem[k]];
    if (!pt->hdm.base) {
      ISSUE("%s: no HDM decoder capability", pt->name);
      continue;
    }
    if (hdm_first_free(&pt->hdm) >= pt->hdm.count) ISSUE("%s: no free decoder", pt->name);
    check_order(pt, p->base);
    if (pt->capacity && pt->dpa_used + rq->size / (uint64_t)W > pt->capacity)
      ISSUE("%s: needs 0x%lx bytes of DPA; 0x%lx of its 0x%lx are in use", pt->name, rq->size / (uint64_t)W, pt->dpa_used,
            pt->capacity);
    check_caps(pt, W, G);
  }

  for (int k = 0; k < p->nmem; k++) {
    const struct cxl_port *pt = &cxl_ports[p->mem[k]];
    const struct cxl_fn *f = &cxl_fns[pt->fn];
    rt_printf("  position %d: %s %02x:%02x.%d serial 0x%lx path", p->pos[k], pt->name, f->bus, f->dev, f->fn, f->serial);
    for (int c = p->mem[k]; cxl_ports[c].parent >= 0; c = cxl_ports[c].parent)
      rt_printf(" %s[%d]", cxl_ports[cxl_ports[c].parent].name, cxl_ports[c].dport_id);
    rt_printf(" window[%d]\n", window_index_of_hb(w, pt->hb));
  }
  /* decoders listed top down: host bridges first */
  for (int pass = PORT_HB; pass <= PORT_USP; pass++)
    for (int s = 0; s < p->nsw; s++) {
      const struct cxl_port *pt = &cxl_ports[p->sw_port[s]];
      if (pt->kind != pass) continue;
      rt_printf("  %s: ways %d granularity %d targets", pt->name, p->sw_ways[s], p->sw_gran[s]);
      for (int i = 0; i < p->sw_ntl[s]; i++) rt_printf("%s%d", i ? "," : " ", p->sw_tl[s][i]);
      rt_printf("%s\n", pt->hdm.base ? "" : " (passthrough: no decoder)");
    }
  if (issues) rt_printf("region %s: %d issue(s)\n", rq->name, issues);
  else rt_printf("region %s: valid\n", rq->name);
  return issues;
}

/* ---- programming ---- */

static void print_ctrl(uint32_t c) {
  rt_printf("ctrl 0x%x", c);
  if (c & HDM_CTRL_COMMITTED) rt_printf(" committed");
  if (c & HDM_CTRL_ENC) rt_printf(" error-not-committed");
}

struct done { int port, dec; };

int region_program(const struct region_plan *p) {
  static struct done done[CXL_MAX_PORTS];
  int ndone = 0, failed = 0;
  uint64_t base = p->base, size = p->req.size;
  for (int k = 0; k < p->nmem && !failed; k++) {
    for (int c = p->mem[k]; c >= 0 && !failed; c = cxl_ports[c].parent) {
      const struct cxl_port *pt = &cxl_ports[c];
      int seen = 0;
      for (int i = 0; i < ndone; i++) seen |= done[i].port == c;
      if (seen) continue;
      int s = pt->kind == PORT_EP ? -1 : sw_index(p, c);
      if (!pt->hdm.base) continue; /* passthrough host bridge */
      int ways = s < 0 ? p->req.ways : p->sw_ways[s];
      int gran = s < 0 ? p->req.gran : p->sw_gran[s];
      uint64_t tl = 0;
      if (s >= 0)
        for (int i = 0; i < p->sw_ntl[s]; i++) tl |= (uint64_t)p->sw_tl[s][i] << (8 * i);
      uint32_t ctrl = (uint32_t)gran_to_eig(gran) | ((uint32_t)ways_to_eiw(ways) << 4) | HDM_CTRL_HOSTONLY;
      hdm_enable(&pt->hdm);
      if (pt->kind == PORT_EP) {
        const struct cxl_fn *f = &cxl_fns[pt->fn];
        int dv = f->dvsec[CXL_DVSEC_DEVICE];
        uint16_t mc = pci_read16(f->bus, f->dev, f->fn, dv + 0x0C);
        if (!(mc & 4)) pci_write16(f->bus, f->dev, f->fn, dv + 0x0C, (uint16_t)(mc | 4)); /* Mem_Enable */
      }
      int n = hdm_first_free(&pt->hdm);
      uint32_t seen_ctrl;
      int r = hdm_commit(&pt->hdm, n, base, size, ctrl, tl, &seen_ctrl);
      rt_printf("commit %s decoder %d: base 0x%lx size 0x%lx ways %d granularity %d ", pt->name, n, base, size, ways, gran);
      if (s >= 0) {
        rt_printf("targets");
        for (int i = 0; i < p->sw_ntl[s]; i++) rt_printf("%s%d", i ? "," : " ", p->sw_tl[s][i]);
      } else {
        rt_printf("skip 0");
      }
      rt_printf(" -> %s (", r == 0 ? "committed" : r == 1 ? "Error-Not-Committed" : "timeout");
      print_ctrl(seen_ctrl);
      rt_printf(")\n");
      if (r != 0) {
        rt_printf("  cleared Commit: ");
        print_ctrl(hdm_read(&pt->hdm, HDM_DECODER(n) + HDM_CTRL));
        rt_printf("\n");
        failed = 1;
        break;
      }
      done[ndone].port = c;
      done[ndone++].dec = n;
    }
  }
  if (failed) {
    /* Undo, highest first (the order decoders must be reset in). */
    for (int i = ndone - 1; i >= 0; i--) {
      const struct cxl_port *pt = &cxl_ports[done[i].port];
      uint32_t c = hdm_uncommit(&pt->hdm, done[i].dec);
      rt_printf("uncommit %s decoder %d: ", pt->name, done[i].dec);
      print_ctrl(c);
      rt_printf("\n");
    }
    return 1;
  }
  /* committed state as the registers show it */
  for (int i = 0; i < ndone; i++) {
    const struct cxl_port *pt = &cxl_ports[done[i].port];
    struct cxl_decoder d;
    hdm_read_decoder(&pt->hdm, done[i].dec, &d);
    int ways = eiw_to_ways((int)((d.ctrl >> 4) & 0xf)), gran = 256 << (d.ctrl & 0xf);
    rt_printf("readback %s decoder %d: base 0x%lx size 0x%lx ways %d granularity %d %s 0x%lx ", pt->name, done[i].dec, d.base,
              d.size, ways, gran, pt->kind == PORT_EP ? "skip" : "targets", d.tl_or_skip);
    print_ctrl(d.ctrl);
    rt_printf("\n");
    if (!(d.ctrl & HDM_CTRL_COMMITTED)) return 1;
  }
  return 0;
}

/* ---- workload ---- */

uint64_t workload_pattern(uint64_t hpa) { return hpa * 0x9E3779B97F4A7C15UL + 0x5851F42D4C957F2DUL; }

static uint64_t run_span(uint64_t a, uint64_t len, int write, uint64_t *ck, uint64_t *bad, uint64_t *first_bad) {
  volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)a;
  uint64_t n = len / 8;
  if (write) {
    for (uint64_t i = 0; i < n; i++) w[i] = workload_pattern(a + 8 * i);
    return 0;
  }
  for (uint64_t i = 0; i < n; i++) {
    uint64_t v = w[i];
    if (v != workload_pattern(a + 8 * i)) {
      if (!*bad) *first_bad = a + 8 * i;
      (*bad)++;
    }
    *ck = (*ck ^ v) * 0x100000001B3UL;
  }
  return n;
}

int region_workload(const struct region_plan *p, uint64_t head, uint64_t tail, uint64_t *checksum) {
  uint64_t size = p->req.size, base = p->base;
  if (head > size) head = size;
  if (tail > size - head) tail = size - head;
  uint64_t ck = 0xcbf29ce484222325UL, bad = 0, first_bad = 0, words = 0;
  run_span(base, head, 1, &ck, &bad, &first_bad);
  run_span(base + size - tail, tail, 1, &ck, &bad, &first_bad);
  words += run_span(base, head, 0, &ck, &bad, &first_bad);
  words += run_span(base + size - tail, tail, 0, &ck, &bad, &first_bad);
  rt_printf("workload: wrote and read back %lu words (0x%lx+0x%lx and 0x%lx+0x%lx): %lu mismatches, checksum 0x%016lx\n",
            words, base, head, base + size - tail, tail, bad, ck);
  if (bad) rt_printf("workload: first mismatch at 0x%lx\n", first_bad);
  *checksum = ck;
  return bad ? 1 : 0;
}
