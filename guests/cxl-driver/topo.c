/* The CXL port tree as Linux's cxl_port objects see it: host bridge (dports = root ports) ->
 * [switch USP (dports = DSPs)]* -> endpoint. A dport's id is its PCIe Link Capabilities port number,
 * which is what HB and USP target lists name. */
#include "cxl.h"

struct cxl_port cxl_ports[CXL_MAX_PORTS];
int cxl_nports;
static int nusp, nmem;

static int new_port(int kind, int fn, int hb, int parent, int dport_id) {
  if (cxl_nports >= CXL_MAX_PORTS) return -1;
  struct cxl_port *p = &cxl_ports[cxl_nports];
  memset(p, 0, sizeof *p);
  p->kind = kind, p->fn = fn, p->hb = hb, p->parent = parent, p->dport_id = dport_id;
  const char *pre = kind == PORT_HB ? "hb" : kind == PORT_USP ? "usp" : "mem";
  int num = kind == PORT_HB ? hb : kind == PORT_USP ? nusp++ : nmem++;
  int k = 0;
  while (pre[k]) p->name[k] = pre[k], k++;
  if (num >= 10) p->name[k++] = (char)('0' + num / 10);
  p->name[k++] = (char)('0' + num % 10);
  p->name[k] = 0;
  if (fn >= 0) hdm_probe(cxl_fns[fn].comp_regs, &p->hdm);
  else hdm_probe(cxl_hbs[hb].comp_regs, &p->hdm);
  if (kind == PORT_EP) {
    /* DVSEC id 0 Range 1/2 Size High (+0x18/+0x28) and Low (+0x1C/+0x2C: [31:28], bit 0 valid) */
    const struct cxl_fn *f = &cxl_fns[fn];
    int dv = f->dvsec[CXL_DVSEC_DEVICE];
    for (int r = 0; r < 2 && dv; r++) {
      uint32_t lo = pci_read32(f->bus, f->dev, f->fn, dv + 0x1C + 0x10 * r);
      uint32_t hi = pci_read32(f->bus, f->dev, f->fn, dv + 0x18 + 0x10 * r);
      if (lo & 1) p->capacity += ((uint64_t)hi << 32) | (lo & 0xf0000000u);
    }
  }
  topo_refresh(p);
  return cxl_nports++;
}

void topo_refresh(struct cxl_port *p) {
  p->committed = 0;
  p->dpa_used = 0;
  if (!p->hdm.base) return;
  p->committed = hdm_first_free(&p->hdm);
  for (int n = 0; n < p->committed && p->kind == PORT_EP; n++) {
    struct cxl_decoder d;
    hdm_read_decoder(&p->hdm, n, &d);
    int w = eiw_to_ways((int)((d.ctrl >> 4) & 0xf));
    p->dpa_used += (d.tl_or_skip & ~0xfffffffUL) + (w ? d.size / (uint64_t)w : 0);
  }
}

static int is_cxl_endpoint(const struct cxl_fn *f) {
  return f->header_type == 0 && f->dvsec[CXL_DVSEC_DEVICE] != 0;
}

/* Attach what sits below the bridge function `br` (a root port or DSP) to port `up`. */
static void attach_below(int br, int up, int hb, int depth) {
  if (depth > 8) return;
  for (int i = 0; i < cxl_nfns; i++) {
    struct cxl_fn *f = &cxl_fns[i];
    if (f->parent != br) continue;
    if (f->port_type == PCI_EXP_TYPE_UPSTREAM && f->header_type == 1) {
      int usp = new_port(PORT_USP, i, hb, up, cxl_fns[br].port_num);
      if (usp < 0) return;
      for (int j = 0; j < cxl_nfns; j++) {
        struct cxl_fn *d = &cxl_fns[j];
        if (d->parent != i || d->port_type != PCI_EXP_TYPE_DOWNSTREAM) continue;
        struct cxl_port *u = &cxl_ports[usp];
        if (u->ndports < 16) u->dport_ids[u->ndports++] = d->port_num;
        attach_below(j, usp, hb, depth + 1);
      }
    } else if (is_cxl_endpoint(f)) {
      new_port(PORT_EP, i, hb, up, cxl_fns[br].port_num);
    }
  }
}

int topo_build(void) {
  cxl_nports = nusp = nmem = 0;
  for (int h = 0; h < cxl_nhbs; h++) {
    int hp = new_port(PORT_HB, -1, h, -1, -1);
    if (hp < 0) break;
    for (int i = 0; i < cxl_nfns; i++) {
      struct cxl_fn *f = &cxl_fns[i];
      if (f->parent != -1 || f->bus != cxl_hbs[h].bus_lo || f->port_type != PCI_EXP_TYPE_ROOT_PORT) continue;
      struct cxl_port *p = &cxl_ports[hp];
      if (p->ndports < 16) p->dport_ids[p->ndports++] = f->port_num;
      attach_below(i, hp, h, 0);
    }
  }
  return cxl_nports;
}

int topo_endpoints(int *out, int max) {
  int n = 0;
  for (int i = 0; i < cxl_nports && n < max; i++)
    if (cxl_ports[i].kind == PORT_EP) out[n++] = i;
  return n;
}

static void print_hdm(const struct cxl_hdm *h) {
  if (!h->base) {
    rt_printf(" hdm none");
    return;
  }
  rt_printf(" hdm decoders %d targets %d caps", h->count, h->targets);
  if (h->cap & HDM_CAP_A11TO8) rt_printf(" a11to8");
  if (h->cap & HDM_CAP_A14TO12) rt_printf(" a14to12");
  if (h->cap & HDM_CAP_3_6_12) rt_printf(" 3/6/12-way");
  if (h->cap & HDM_CAP_16) rt_printf(" 16-way");
}

void topo_print(void) {
  for (int i = 0; i < cxl_nports; i++) {
    struct cxl_port *p = &cxl_ports[i];
    if (p->kind == PORT_HB) {
      struct cxl_hb *h = &cxl_hbs[p->hb];
      rt_printf("port %s: host bridge uid %u bus 0x%02x", p->name, h->uid, h->bus_lo);
      if (h->comp_regs) rt_printf(" component 0x%lx", h->comp_regs);
      else rt_printf(" component unknown");
    } else {
      struct cxl_fn *f = &cxl_fns[p->fn];
      rt_printf("port %s: %s %02x:%02x.%d below %s dport %d", p->name, p->kind == PORT_USP ? "switch" : "endpoint",
                f->bus, f->dev, f->fn, cxl_ports[p->parent].name, p->dport_id);
      if (f->has_serial) rt_printf(" serial 0x%lx", f->serial);
      rt_printf(" component 0x%lx", f->comp_regs);
    }
    if (p->kind != PORT_EP) {
      rt_printf(" dports");
      for (int k = 0; k < p->ndports; k++) rt_printf("%s%d", k ? "," : " ", p->dport_ids[k]);
    }
    print_hdm(&p->hdm);
    if (p->kind == PORT_EP) {
      rt_printf(" capacity ");
      print_size(p->capacity);
    }
    rt_printf("\n");
    /* decoders firmware (or an earlier program) committed, as Linux reads them at enumeration */
    for (int n = 0; n < p->committed; n++) {
      struct cxl_decoder d;
      hdm_read_decoder(&p->hdm, n, &d);
      rt_printf("  committed %s decoder %d: base 0x%lx size 0x%lx ways %d granularity %d %s 0x%lx%s\n", p->name, n, d.base, d.size,
                eiw_to_ways((int)((d.ctrl >> 4) & 0xf)), 256 << (d.ctrl & 0xf), p->kind == PORT_EP ? "skip" : "targets",
                d.tl_or_skip, d.ctrl & HDM_CTRL_LOCK ? " locked" : "");
    }
  }
}
