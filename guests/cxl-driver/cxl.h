/* cxlemu guest CXL driver library: what an OS CXL driver does, written against the CXL and PCIe
 * specifications (SPEC-NOTES 1 and 2), not against the emulator's code.
 *
 *   fdt.c       the device tree: CXL fixed memory windows (/cxl-windows) and host bridges
 *   cedt.c      the ACPI CEDT (CHBS, CFMWS, CXIMS): fills or cross-checks the same tables
 *   pci.c       ECAM config access, enumeration, capabilities, DVSECs, Register Locator, BARs
 *   hdm.c       component registers: CXL.cachemem capability array, HDM decoder capability,
 *               decoder programming and the commit protocol (bounded poll, Error-Not-Committed)
 *   topo.c      the CXL port tree: host bridge -> root port -> [switch USP -> DSP]* -> endpoint
 *   region.c    region planning (Linux positions, granularity chain, capability checks),
 *               programming endpoint -> switch -> host bridge, and the workload
 *   selftest.c  pure checks (position calculation, encodings, granularity chain)
 *
 *   doe.c       the DOE mailbox (extended capability 0x2E): exchange, Discovery
 *   cdat.c      CDAT Table Access over DOE, checksum, DSMAS/DSLBIS/DSEMTS/SSLBIS printing
 *   mailbox.c   the memory-device register block (cxl_fn.memdev_regs): capabilities array,
 *               primary mailbox protocol, Identify / Partition / Health / LSA
 * Everything is static arrays: no allocator. Addresses are uint64_t. */
#ifndef CXL_DRIVER_H
#define CXL_DRIVER_H
#include "runtime.h"

#define CXL_MAX_FN       64
#define CXL_MAX_PORTS    48
#define CXL_MAX_HB       8
#define CXL_MAX_WINDOWS  8
#define CXL_MAX_WAYS     16
#define SZ_256M          0x10000000UL

/* ---- device tree (fdt.c) ---- */
struct cxl_window {
  char name[16];
  uint64_t base, size;
  int ways, gran;
  int xor_arith;              /* 1: XOR (CXIMS), 0: modulo */
  int ntargets;
  uint32_t targets[16];       /* host bridge UIDs in position order */
};
struct cxl_hb {
  uint32_t uid;
  int bus_lo, bus_hi;         /* bus range the host bridge owns */
  uint64_t comp_regs;         /* component register block (0: unknown) */
  int from_dt;                /* 1 when described by the device tree */
};
extern struct cxl_window cxl_windows[CXL_MAX_WINDOWS];
extern int cxl_nwindows;
extern struct cxl_hb cxl_hbs[CXL_MAX_HB];
extern int cxl_nhbs;
extern uint64_t cxl_ecam_base;
/* Parse the DTB at `dtb` (a1 at entry). Returns 0 if it is not a valid DTB. */
int fdt_scan(uint64_t dtb);
/* ACPI RSDP address from /chosen/cxlemu,acpi-rsdp (0: none). */
extern uint64_t cxl_acpi_rsdp;
/* cedt.c: read the CEDT; fill windows/host bridges the device tree did not describe, else
 * cross-check them (prints MISMATCH lines). Returns 0 when there is no valid CEDT. */
int cedt_scan(void);

/* ---- PCI (pci.c) ---- */
#define PCI_EXP_TYPE_ENDPOINT   0x0
#define PCI_EXP_TYPE_ROOT_PORT  0x4
#define PCI_EXP_TYPE_UPSTREAM   0x5
#define PCI_EXP_TYPE_DOWNSTREAM 0x6
#define CXL_VENDOR_ID           0x1E98
#define PCI_EXT_CAP_DSN         0x0003
#define PCI_EXT_CAP_DVSEC       0x0023
#define PCI_EXT_CAP_DOE         0x002E
#define CXL_DVSEC_DEVICE        0
#define CXL_DVSEC_PORT_EXT      3
#define CXL_DVSEC_FLEXBUS       7
#define CXL_DVSEC_REGLOC        8
#define CXL_REGLOC_COMPONENT    1
#define CXL_REGLOC_MEMDEV       3

struct cxl_fn {
  int bus, dev, fn;
  uint16_t vendor, device;
  uint32_t class_code;        /* class << 16 | subclass << 8 | prog-if */
  int header_type;            /* 0 or 1 (bit 7, multi-function, masked off) */
  int sec, sub;               /* type 1: secondary / subordinate bus */
  int port_type;              /* PCIe Capabilities [7:4], -1 without a PCIe capability */
  int port_num;               /* Link Capabilities [31:24] */
  int has_serial;
  uint64_t serial;            /* Device Serial Number extended capability */
  int dvsec[16];              /* config offset of CXL DVSEC id i (0: absent) */
  int doe;                    /* config offset of the DOE extended capability (0: absent) */
  uint64_t comp_regs;         /* component registers (Register Locator block 1), 0: none */
  uint64_t memdev_regs;       /* memory-device registers (block 3), 0: none */
  int parent;                 /* index of the bridge above (-1: on a host bridge's root bus) */
};
extern struct cxl_fn cxl_fns[CXL_MAX_FN];
extern int cxl_nfns;

uint32_t pci_read32(int bus, int dev, int fn, int off);
uint16_t pci_read16(int bus, int dev, int fn, int off);
uint8_t pci_read8(int bus, int dev, int fn, int off);
void pci_write32(int bus, int dev, int fn, int off, uint32_t v);
void pci_write16(int bus, int dev, int fn, int off, uint16_t v);
/* Walk the buses below every host bridge (bus ranges from the device tree) or, without one,
 * scan every bus and infer host bridges from the root buses. Fills cxl_fns. Returns the count. */
int pci_enumerate(void);
/* Config offset of extended capability `id` at or after `start` (0x100 to begin), 0 if none. */
int pci_find_ext_cap(const struct cxl_fn *f, int id, int start);
/* Config offset of the CXL DVSEC with this id (vendor 0x1E98), 0 if none. */
int pci_find_cxl_dvsec(const struct cxl_fn *f, int dvsec_id);
/* Address a BAR holds (64-bit BARs read both halves). */
uint64_t pci_bar_address(const struct cxl_fn *f, int bir);
const char *pci_port_type_name(int t);

/* ---- component registers and HDM decoders (hdm.c) ---- */
#define CXL_CM_OFFSET       0x1000
#define CXL_CM_CAP_HDM      5
#define HDM_CAP             0x00
#define HDM_GLOBAL_CTRL     0x04
#define HDM_DECODER(n)      (0x10 + 0x20 * (n))
#define HDM_BASE_LO         0x00
#define HDM_BASE_HI         0x04
#define HDM_SIZE_LO         0x08
#define HDM_SIZE_HI         0x0C
#define HDM_CTRL            0x10
#define HDM_TL_LO           0x14      /* endpoint: DPA skip low */
#define HDM_TL_HI           0x18      /* endpoint: DPA skip high */
#define HDM_CAP_A11TO8      (1u << 8)
#define HDM_CAP_A14TO12     (1u << 9)
#define HDM_CAP_3_6_12      (1u << 11)
#define HDM_CAP_16          (1u << 12)
#define HDM_GCTRL_ENABLE    (1u << 1)
#define HDM_CTRL_LOCK       (1u << 8)
#define HDM_CTRL_COMMIT     (1u << 9)
#define HDM_CTRL_COMMITTED  (1u << 10)
#define HDM_CTRL_ENC        (1u << 11)
#define HDM_CTRL_HOSTONLY   (1u << 12)
/* Poll bounds for the commit protocol: the spec gives hardware 10 ms; Linux waits 20 ms. */
#define HDM_COMMIT_TIMEOUT_TICKS 200000u   /* 20 ms of the 10 MHz CLINT timebase */
#define HDM_COMMIT_MAX_POLLS     100000u

struct cxl_hdm {
  uint64_t base;              /* MMIO address of the HDM decoder capability (0: none) */
  uint32_t cap;
  int count;                  /* decoders (decoded from Capability [3:0]) */
  int targets;                /* Target Count (Capability [7:4]) */
};
struct cxl_decoder {
  uint64_t base, size;
  uint32_t ctrl;
  uint64_t tl_or_skip;
};
/* Find the HDM decoder capability in the CXL.cachemem array of a component register block. */
int hdm_probe(uint64_t comp_regs, struct cxl_hdm *h);
int hdm_count_from_encoding(int enc);
void hdm_read_decoder(const struct cxl_hdm *h, int n, struct cxl_decoder *d);
/* The index Linux would use next: the number of committed decoders (they commit in order). */
int hdm_first_free(const struct cxl_hdm *h);
void hdm_enable(const struct cxl_hdm *h);
/* Write base/size/target list or skip, then Control with Commit; poll (bounded) for Committed or
 * Error-Not-Committed. On ENC or timeout, clear Commit. Returns 0 committed, 1 ENC, 2 timeout.
 * *ctrl_seen gets the Control value that ended the poll. */
int hdm_commit(const struct cxl_hdm *h, int n, uint64_t base, uint64_t size, uint32_t ctrl,
               uint64_t tl_or_skip, uint32_t *ctrl_seen);
/* Clear Commit (un-commit); returns the Control value read back. */
uint32_t hdm_uncommit(const struct cxl_hdm *h, int n);
uint32_t hdm_read(const struct cxl_hdm *h, int off);
void hdm_write(const struct cxl_hdm *h, int off, uint32_t v);

/* ---- the CXL port tree (topo.c) ---- */
enum { PORT_HB, PORT_USP, PORT_EP };
struct cxl_port {
  int kind;
  int fn;                     /* cxl_fns index (USP, EP); -1 for a host bridge */
  int hb;                     /* cxl_hbs index of the host bridge above (or itself) */
  int parent;                 /* cxl_ports index of the port above; -1 for a host bridge */
  int dport_id;               /* id of the dport in the parent leading here (root port or DSP port number) */
  int ndports;
  int dport_ids[16];          /* HB: root port numbers; USP: DSP port numbers */
  struct cxl_hdm hdm;
  int committed;              /* decoders already committed at discovery (firmware regions) */
  uint64_t capacity;          /* endpoint: DPA capacity from the CXL device DVSEC ranges */
  uint64_t dpa_used;          /* endpoint: DPA consumed by committed decoders (skip + size/W each) */
  char name[12];              /* hb0, usp0, mem0 (enumeration order) */
};
extern struct cxl_port cxl_ports[CXL_MAX_PORTS];
extern int cxl_nports;
int topo_build(void);
void topo_print(void);
int topo_endpoints(int *out, int max);
/* Re-read committed decoders of a port: count and (endpoints) DPA used. */
void topo_refresh(struct cxl_port *p);

/* ---- region planning and programming (region.c) ---- */
int ways_to_eiw(int ways);            /* -1 if invalid */
int gran_to_eig(int gran);            /* -1 if invalid */
int eiw_to_ways(int eiw);             /* 0 if invalid */
int is_three_family(int ways);
/* Linux cxl_calc_interleave_pos over explicit hops (index in the parent's target list, parent ways),
 * hops[0] nearest the endpoint, the last hop the root window. */
int calc_interleave_pos(const int *index, const int *ways, int nhops);
/* HB decoder granularity: region G times the root's routing ways (W_root, or W_root/3). */
int hb_granularity(int region_gran, int root_ways);
/* Interleave-selector check of Linux check_interleave_cap: 0 ok, else the offending mask. */
uint32_t interleave_mask_needed(int ways, int gran);
uint32_t interleave_mask_of_cap(uint32_t cap);

struct region_request {
  const char *name;
  int window;                 /* cxl_windows index */
  int ways, gran;
  uint64_t offset;            /* region base - window base */
  uint64_t size;
  int nmem;                   /* endpoints to use (0: every endpoint below the window) */
  int mem[CXL_MAX_WAYS];      /* cxl_ports indices of endpoints (when nmem > 0) */
};
struct region_plan {
  struct region_request req;
  uint64_t base;
  int nmem;
  int mem[CXL_MAX_WAYS];      /* endpoints in position order */
  int pos[CXL_MAX_WAYS];
  /* one decoder per participating HB/USP port */
  int nsw;
  int sw_port[CXL_MAX_PORTS];
  int sw_ways[CXL_MAX_PORTS], sw_gran[CXL_MAX_PORTS];
  int sw_ntl[CXL_MAX_PORTS];
  uint8_t sw_tl[CXL_MAX_PORTS][8];
};
/* Choose and validate a region (prints each issue). Returns the number of issues (0 = valid). */
int region_plan(const struct region_request *rq, struct region_plan *p);
/* Program and commit every decoder, endpoint -> switch -> host bridge per endpoint in position
 * order (as Linux's cxl_region_decode_commit). Returns the number of decoders not committed. */
int region_program(const struct region_plan *p);
/* Write a pattern over [base, base+len) and [end-tail, end), read it back; prints the result. */
int region_workload(const struct region_plan *p, uint64_t head, uint64_t tail, uint64_t *checksum);
uint64_t workload_pattern(uint64_t hpa);

void print_size(uint64_t n);

/* ---- discovery (discover.c): prints windows, PCI functions and ports; 0 if no CXL DVSEC ---- */
int cxl_discover(uint64_t dtb);
/* ---- DOE mailbox (doe.c), CDAT (cdat.c), memory-device mailbox (mailbox.c) ---- */
#define DOE_VENDOR_PCISIG   0x0001
#define DOE_TYPE_DISCOVERY  0
#define DOE_TYPE_CDAT       2
enum { DOE_OK, DOE_ERR_NODOE, DOE_ERR_BUSY, DOE_ERR_ERROR, DOE_ERR_TIMEOUT, DOE_ERR_LENGTH, DOE_ERR_HEADER };
/* One request/response exchange (request includes its two header DWs; the response returned
 * excludes them). Returns DOE_OK or a DOE_ERR_* code. */
int doe_exchange(const struct cxl_fn *f, const uint32_t *req, int nreq, uint32_t *rsp, int max, int *nrsp);
const char *doe_error_name(int e);
uint32_t doe_status(const struct cxl_fn *f);
/* DOE Discovery: prints the protocol list; protos[i] = vendor | type << 16. Returns the count. */
int doe_discover(const struct cxl_fn *f, const char *name, uint32_t *protos, int max);
#define CDAT_MAX_BYTES 4096
/* Read the whole CDAT by entry handle (0 .. 0xFFFF) into buf. Returns its length, -1 on error. */
int cdat_read(const struct cxl_fn *f, const char *name, uint8_t *buf, int max);
/* Print header (length, checksum) and DSMAS/DSLBIS/DSEMTS/SSLBIS. Returns 0 ok, -1 bad table. */
int cdat_print(const char *name, const uint8_t *t, int len);

struct cxl_mbox {
  uint64_t devstatus, memstatus, mbox;   /* register addresses from the capabilities array (0: absent) */
  uint32_t mbox_len, payload;            /* payload bytes (2^n) */
};
#define MBOX_TIMEOUT  (-1)
#define MBOX_TOO_LONG (-2)
/* Parse the capabilities array of f->memdev_regs and print it; 1 when the mailbox is ready. */
int mbox_probe(const struct cxl_fn *f, const char *name, struct cxl_mbox *m);
/* One command; returns the return code (Status [47:32]) or MBOX_TIMEOUT / MBOX_TOO_LONG. */
int mbox_cmd(const struct cxl_mbox *m, uint16_t opcode, const void *in, uint32_t inlen, void *out, uint32_t outmax, uint32_t *outlen);
const char *mbox_rc_name(int rc);
/* Identify, Get Partition Info, Get Health Info, Get LSA: prints them; returns the failures. */
int mbox_report(const struct cxl_mbox *m, const char *name);
#endif
