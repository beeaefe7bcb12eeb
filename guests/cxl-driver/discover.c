/* Discovery as a driver's probe order does it: firmware tables (device tree now, CEDT later), the
 * PCIe hierarchy below each host bridge, CXL DVSECs and Register Locator blocks, then the port tree
 * with each component's HDM decoder capability. Prints the transcript's discovery part. */
#include "cxl.h"

static void print_fn(const struct cxl_fn *f) {
  rt_printf("pci %02x:%02x.%d %04x:%04x class %06x %s", f->bus, f->dev, f->fn, f->vendor, f->device, f->class_code,
            pci_port_type_name(f->port_type));
  if (f->port_num >= 0 && f->port_type != PCI_EXP_TYPE_ENDPOINT) rt_printf(" port %d", f->port_num);
  if (f->header_type == 1) rt_printf(" bus %02x-%02x", f->sec, f->sub);
  if (f->has_serial) rt_printf(" serial 0x%lx", f->serial);
  int any = 0;
  for (int i = 0; i < 16; i++)
    if (f->dvsec[i]) rt_printf("%s%d@0x%x", any++ ? "," : " dvsec ", i, f->dvsec[i]);
  if (f->doe) rt_printf(" doe@0x%x", f->doe);
  if (f->comp_regs) rt_printf(" component 0x%lx", f->comp_regs);
  if (f->memdev_regs) rt_printf(" memdev 0x%lx", f->memdev_regs);
  rt_printf("\n");
}

int cxl_discover(uint64_t dtb) {
  cxl_nwindows = cxl_nhbs = 0;
  int dt = fdt_scan(dtb);
  rt_printf("firmware: %s, ecam 0x%lx, %d windows, %d host bridges described\n", dt ? "device tree" : "no device tree",
            cxl_ecam_base, cxl_nwindows, cxl_nhbs);
  for (int i = 0; i < cxl_nwindows; i++) {
    struct cxl_window *w = &cxl_windows[i];
    rt_printf("window %s: base 0x%lx size ", w->name, w->base);
    print_size(w->size);
    rt_printf(" ways %d granularity %d %s targets", w->ways, w->gran, w->xor_arith ? "xor" : "modulo");
    for (int k = 0; k < w->ntargets; k++) rt_printf("%s%u", k ? "," : " ", w->targets[k]);
    rt_printf("\n");
  }
  cedt_scan();
  /* host bridges in bus order (the device tree lists them by component register address) */
  for (int i = 1; i < cxl_nhbs; i++)
    for (int j = i; j > 0 && cxl_hbs[j - 1].bus_lo > cxl_hbs[j].bus_lo; j--) {
      struct cxl_hb t = cxl_hbs[j];
      cxl_hbs[j] = cxl_hbs[j - 1];
      cxl_hbs[j - 1] = t;
    }
  int dt_hbs = cxl_nhbs;
  pci_enumerate();
  if (!dt_hbs && cxl_nhbs) rt_printf("host bridges: none described; %d inferred from root buses\n", cxl_nhbs);
  for (int i = 0; i < cxl_nhbs; i++) {
    rt_printf("host bridge uid %u: buses 0x%02x", cxl_hbs[i].uid, cxl_hbs[i].bus_lo);
    if (cxl_hbs[i].bus_hi >= 0) rt_printf("-0x%02x", cxl_hbs[i].bus_hi);
    if (cxl_hbs[i].comp_regs) rt_printf(" component 0x%lx\n", cxl_hbs[i].comp_regs);
    else rt_printf(" component unknown\n");
  }
  int cxl = 0;
  for (int i = 0; i < cxl_nfns; i++) {
    print_fn(&cxl_fns[i]);
    for (int k = 0; k < 16; k++) cxl |= cxl_fns[i].dvsec[k] != 0;
  }
  if (!cxl) {
    rt_printf("no CXL DVSEC found (%d PCI functions)\n", cxl_nfns);
    return 0;
  }
  topo_build();
  topo_print();
  return 1;
}
