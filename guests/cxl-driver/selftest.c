/* cxl-driver-selftest.elf: the driver's pure parts, on any board (no CXL hardware needed):
 * encodings, Linux's position calculation (SPEC-NOTES 1.3 examples), the granularity chain,
 * check_interleave_cap's selector masks, and region_plan on synthetic port trees whose decoder
 * registers live in RAM (all decoders free). Oracle: SPEC-NOTES 1.1, 1.3, 1.5 and 1.6(b). */
#include "cxl.h"
#include "test.h"

static uint32_t fake_regs[CXL_MAX_PORTS][0x100];

static void reset_tree(void) {
  cxl_nports = 0;
  cxl_nhbs = 0;
  cxl_nfns = 0;
  cxl_nwindows = 0;
  memset(fake_regs, 0, sizeof fake_regs);
}
static int add_hb(uint32_t uid) {
  cxl_hbs[cxl_nhbs].uid = uid;
  cxl_hbs[cxl_nhbs].comp_regs = 1;
  struct cxl_port *p = &cxl_ports[cxl_nports];
  memset(p, 0, sizeof *p);
  p->kind = PORT_HB, p->fn = -1, p->hb = cxl_nhbs++, p->parent = -1, p->dport_id = -1;
  p->name[0] = 'h', p->name[1] = 'b', p->name[2] = (char)('0' + p->hb);
  p->hdm.base = (uint64_t)(uintptr_t)fake_regs[cxl_nports];
  p->hdm.count = 4, p->hdm.targets = 8, p->hdm.cap = HDM_CAP_A11TO8 | HDM_CAP_A14TO12 | HDM_CAP_3_6_12 | HDM_CAP_16;
  return cxl_nports++;
}
static int add_port(int kind, int parent, int dport, const char *name) {
  struct cxl_port *p = &cxl_ports[cxl_nports];
  memset(p, 0, sizeof *p);
  p->kind = kind, p->fn = cxl_nfns, p->hb = cxl_ports[parent].hb, p->parent = parent, p->dport_id = dport;
  for (int i = 0; name[i] && i < 11; i++) p->name[i] = name[i];
  memset(&cxl_fns[cxl_nfns], 0, sizeof cxl_fns[0]);
  cxl_fns[cxl_nfns].bus = 0x10 + cxl_nfns;
  cxl_fns[cxl_nfns].serial = (uint64_t)cxl_nfns;
  cxl_nfns++;
  struct cxl_port *up = &cxl_ports[parent];
  up->dport_ids[up->ndports++] = dport;
  p->hdm.base = (uint64_t)(uintptr_t)fake_regs[cxl_nports];
  p->hdm.count = 4, p->hdm.targets = kind == PORT_EP ? 0 : 8, p->hdm.cap = HDM_CAP_A11TO8 | HDM_CAP_A14TO12 | HDM_CAP_3_6_12 | HDM_CAP_16;
  return cxl_nports++;
}
static void add_window(int ways, int gran) {
  struct cxl_window *w = &cxl_windows[cxl_nwindows++];
  memset(w, 0, sizeof *w);
  w->name[0] = 'W', w->name[1] = (char)('0' + cxl_nwindows - 1);
  w->base = 0x100000000UL * 3;
  w->size = 0x300000000UL;
  w->ways = ways, w->gran = gran, w->ntargets = ways;
  for (int i = 0; i < ways; i++) w->targets[i] = (uint32_t)i;
}
static int pos_of(const struct region_plan *p, int port) {
  for (int k = 0; k < p->nmem; k++)
    if (p->mem[k] == port) return p->pos[k];
  return -1;
}
static int gran_of(const struct region_plan *p, int port) {
  for (int s = 0; s < p->nsw; s++)
    if (p->sw_port[s] == port) return p->sw_gran[s];
  return -1;
}
static int plan(int ways, int gran, uint64_t off, struct region_plan *p) {
  struct region_request rq;
  memset(&rq, 0, sizeof rq);
  rq.name = "t", rq.window = 0, rq.ways = ways, rq.gran = gran, rq.offset = off, rq.size = SZ_256M * (uint64_t)ways;
  return region_plan(&rq, p);
}

int main(void) {
  static struct region_plan p;
  GROUP("encodings");
  static const int ways[] = {1, 2, 3, 4, 6, 8, 12, 16}, eiws[] = {0, 1, 8, 2, 9, 3, 10, 4};
  for (int i = 0; i < 8; i++) {
    CHECK("ways_to_eiw", ways_to_eiw(ways[i]), eiws[i]);
    CHECK("eiw_to_ways", eiw_to_ways(eiws[i]), ways[i]);
  }
  CHECKV(ways_to_eiw(9), -1);
  CHECKV(eiw_to_ways(5), 0);
  CHECKV(gran_to_eig(256), 0);
  CHECKV(gran_to_eig(16384), 6);
  CHECKV(gran_to_eig(32768), -1);
  CHECKV(gran_to_eig(384), -1);
  static const int counts[] = {1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32};
  for (int e = 0; e <= 12; e++) CHECK("decoder count", hdm_count_from_encoding(e), counts[e]);

  GROUP("linux position (SPEC-NOTES 1.3)");
  /* root -> HB0{mem0, mem1}, HB1{mem2, mem3}: mem0 0, mem2 1, mem1 2, mem3 3 */
  int idx[2], wy[2] = {2, 2};
  idx[0] = 0, idx[1] = 0; CHECK("mem0", calc_interleave_pos(idx, wy, 2), 0);
  idx[0] = 1, idx[1] = 0; CHECK("mem1", calc_interleave_pos(idx, wy, 2), 2);
  idx[0] = 0, idx[1] = 1; CHECK("mem2", calc_interleave_pos(idx, wy, 2), 1);
  idx[0] = 1, idx[1] = 1; CHECK("mem3", calc_interleave_pos(idx, wy, 2), 3);
  /* 3-family root over 2-way HBs: Linux labels (hb, rp) as 3*rp + hb */
  int wy3[2] = {2, 3};
  for (int hb = 0; hb < 3; hb++)
    for (int rp = 0; rp < 2; rp++) {
      idx[0] = rp, idx[1] = hb;
      CHECK("6-way pos", calc_interleave_pos(idx, wy3, 2), 3 * rp + hb);
    }

  GROUP("granularity chain and selector masks");
  CHECKV(hb_granularity(256, 1), 256);
  CHECKV(hb_granularity(256, 2), 512);
  CHECKV(hb_granularity(256, 3), 256);
  CHECKV(hb_granularity(256, 6), 512);
  CHECKV(hb_granularity(1024, 12), 4096);
  CHECKV(interleave_mask_needed(1, 256), 0);
  CHECKV(interleave_mask_needed(3, 256), 0);
  CHECKV(interleave_mask_needed(4, 256), 0x300);
  CHECKV(interleave_mask_needed(6, 256), 0x100);
  CHECKV(interleave_mask_needed(12, 1024), 0xc00);
  CHECKV(interleave_mask_needed(2, 4096), 0x1000);
  CHECKV(interleave_mask_needed(16, 16384), 0x3c000);
  CHECKV(interleave_mask_needed(4, 256) & ~interleave_mask_of_cap(0), 0x300);
  CHECKV(interleave_mask_needed(4, 256) & ~interleave_mask_of_cap(HDM_CAP_A11TO8), 0);
  CHECKV(interleave_mask_needed(2, 4096) & ~interleave_mask_of_cap(HDM_CAP_A11TO8), 0x1000);

  GROUP("plan: default machine (SPEC-NOTES 1.6b with a switch)");
  reset_tree();
  add_window(2, 256);
  int hb0 = add_hb(0), hb1 = add_hb(1);
  int usp = add_port(PORT_USP, hb0, 0, "usp0");
  int m0 = add_port(PORT_EP, usp, 0, "mem0"), m1 = add_port(PORT_EP, usp, 1, "mem1");
  int m2 = add_port(PORT_EP, hb1, 0, "mem2"), m3 = add_port(PORT_EP, hb1, 1, "mem3");
  CHECK("valid", plan(4, 256, 0, &p), 0);
  CHECK("mem0", pos_of(&p, m0), 0);
  CHECK("mem2", pos_of(&p, m2), 1);
  CHECK("mem1", pos_of(&p, m1), 2);
  CHECK("mem3", pos_of(&p, m3), 3);
  CHECK("hb0 G", gran_of(&p, hb0), 512);
  CHECK("hb1 G", gran_of(&p, hb1), 512);
  CHECK("usp0 G", gran_of(&p, usp), 512);
  CHECK("granularity must equal the window's", plan(4, 512, 0, &p) > 0, 1);
  CHECK("ways must match the endpoints", plan(2, 256, 0, &p) > 0, 1);
  CHECK("base in 256 MiB units", plan(4, 256, 0x1000, &p) > 0, 1);
  CHECK("inside the window", plan(4, 256, 0x300000000UL, &p) > 0, 1);
  cxl_ports[hb1].hdm.cap = HDM_CAP_A14TO12;
  CHECK("hb1 without A11to8", plan(4, 256, 0, &p) > 0, 1);

  GROUP("plan: 6-way over 3 host bridges x 2 root ports");
  reset_tree();
  add_window(3, 256);
  int mm[3][2];
  for (int h = 0; h < 3; h++) {
    int hb = add_hb((uint32_t)h);
    mm[h][0] = add_port(PORT_EP, hb, 0, "m");
    mm[h][1] = add_port(PORT_EP, hb, 1, "m");
  }
  CHECK("valid", plan(6, 256, 0, &p), 0);
  for (int h = 0; h < 3; h++)
    for (int r = 0; r < 2; r++) CHECK("pos 3*rp+hb", pos_of(&p, mm[h][r]), 3 * r + h);
  CHECK("hb G = 256 (W_root/3)", gran_of(&p, 0), 256);
  cxl_ports[mm[1][1]].hdm.cap = HDM_CAP_A11TO8;
  CHECK("endpoint without 3/6/12", plan(6, 256, 0, &p) > 0, 1);

  GROUP("plan: 1-way window, 2-way region at 4 KiB");
  reset_tree();
  add_window(1, 256);
  int h0 = add_hb(0);
  int a = add_port(PORT_EP, h0, 1, "a"), b = add_port(PORT_EP, h0, 0, "b");
  CHECK("valid", plan(2, 4096, SZ_256M * 2, &p), 0);
  CHECK("b (port 0) first", pos_of(&p, b), 0);
  CHECK("a (port 1) second", pos_of(&p, a), 1);
  CHECK("hb G", gran_of(&p, h0), 4096);
  CHECK("16 KiB chain limit", plan(2, 16384, 0, &p), 0);
  return test_done("cxl-driver-selftest");
}
