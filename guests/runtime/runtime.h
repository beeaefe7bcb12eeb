/* cxlemu guest runtime: UART output, printf, exit through the test finisher, traps, CSR helpers.
 * Freestanding: no libc. Same ELF runs on QEMU virt and the cxlemu board. */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H
#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#define UART0_BASE    0x10000000UL
#define FINISHER_BASE 0x100000UL
#define CLINT_BASE    0x2000000UL
#define CLINT_MSIP    (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME   (CLINT_BASE + 0xBFF8)

/* Registers saved by the trap entries; x[2] is the interrupted sp, x[0] is 0. Handlers may change
 * any field; epc and status are written back to xEPC/xSTATUS before xRET. */
struct rt_frame {
  uint64_t x[32];
  uint64_t epc, cause, tval, status;
};

/* A trap hook returns nonzero when it handled the trap; otherwise the runtime reports an
 * unexpected trap and exits with code 99. */
typedef int (*rt_trap_hook)(struct rt_frame *f);
extern rt_trap_hook rt_mtrap_hook;
extern rt_trap_hook rt_strap_hook;
extern uint64_t rt_boot_hartid, rt_boot_dtb;
void rt_mtrap_entry(void);
void rt_strap_entry(void);

void rt_putc(int c);
void rt_puts(const char *s);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vprintf(const char *fmt, va_list ap);
/* Exit: 0 -> finisher pass (0x5555); otherwise (code << 16) | 0x3333. Never returns. */
void rt_exit(int code) __attribute__((noreturn));

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_swap(csr, v) ({ uint64_t v_; __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint64_t)(v)) : "memory"); v_; })

static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }

/* mstatus bits */
#define MSTATUS_SIE  (1UL << 1)
#define MSTATUS_MIE  (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP  (1UL << 8)
#define MSTATUS_MPP  (3UL << 11)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM  (1UL << 18)
#define MSTATUS_MXR  (1UL << 19)
#define MSTATUS_TVM  (1UL << 20)
#define MSTATUS_TW   (1UL << 21)
#define MSTATUS_TSR  (1UL << 22)
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* Privilege switching helpers (runtime.c). rt_run_in_mode calls fn(arg) in mode U or S with
 * the current sp; the function's return comes back to M mode via an ecall the runtime handles
 * (a7 = RT_ECALL_RETURN). Returns fn's return value. Traps taken meanwhile go to the hooks. */
#define RT_ECALL_RETURN 0x7e7
uint64_t rt_run_in_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg);

#endif
