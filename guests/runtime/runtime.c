/* cxlemu guest runtime: NS16550A UART output, a small printf, exit through the test finisher
 * (QEMU virt's sifive_test device), default trap handlers and privilege switching. */
#include "runtime.h"

uint64_t rt_boot_hartid, rt_boot_dtb;
rt_trap_hook rt_mtrap_hook, rt_strap_hook;
void rt_mode_resume(uint64_t value) __attribute__((noreturn));

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void rt_putc(int c) {
  volatile uint8_t *u = (volatile uint8_t *)UART0_BASE;
  while ((u[UART_LSR] & UART_LSR_THRE) == 0) {
  }
  u[UART_THR] = (uint8_t)c;
}

void rt_puts(const char *s) {
  while (*s) rt_putc(*s++);
}

void rt_exit(int code) {
  uint32_t v = code == 0 ? 0x5555u : (((uint32_t)code << 16) | 0x3333u);
  mmio_write32(FINISHER_BASE, v);
  for (;;) __asm__ volatile("wfi");
}

static void put_num(uint64_t v, unsigned base, int neg, int width, char pad, int upper) {
  char buf[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    buf[n++] = digits[v % base];
    v /= base;
  } while (v);
  if (neg) {
    if (pad == '0') {
      rt_putc('-');
      width--;
    } else {
      buf[n++] = '-';
    }
  }
  while (width-- > n) rt_putc(pad);
  while (n) rt_putc(buf[--n]);
}

/* Supports %%, %c, %s, %d, %i, %u, %x, %X, %p with optional '0' flag, width and l/ll/z. */
int rt_vprintf(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      rt_putc(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, lng = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z') {
      lng = 1;
      fmt++;
    }
    switch (*fmt) {
      case '%': rt_putc('%'); break;
      case 'c': rt_putc(va_arg(ap, int)); break;
      case 's': {
        const char *s = va_arg(ap, const char *);
        if (!s) s = "(null)";
        int len = (int)strlen(s);
        while (width-- > len) rt_putc(' ');
        rt_puts(s);
        break;
      }
      case 'd':
      case 'i': {
        int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
        put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad, 0);
        break;
      }
      case 'u': put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad, 0); break;
      case 'x':
      case 'X':
        put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad, *fmt == 'X');
        break;
      case 'p':
        rt_puts("0x");
        put_num((uintptr_t)va_arg(ap, void *), 16, 0, 16, '0', 0);
        break;
      case 0: return 0;
      default: rt_putc('%'); rt_putc(*fmt); break;
    }
  }
  return 0;
}

int rt_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  rt_vprintf(fmt, ap);
  va_end(ap);
  return 0;
}

static void unexpected(const char *who, struct rt_frame *f) {
  rt_printf("FAIL unexpected %s trap: cause=0x%lx epc=0x%lx tval=0x%lx status=0x%lx\n", who, f->cause,
            f->epc, f->tval, f->status);
  rt_exit(99);
}

void rt_handle_mtrap(struct rt_frame *f) {
  int is_ecall = f->cause == 8 || f->cause == 9;
  if (is_ecall && f->x[17] == RT_ECALL_RETURN) rt_mode_resume(f->x[10]);
  if (rt_mtrap_hook && rt_mtrap_hook(f)) return;
  unexpected("M-mode", f);
}

void rt_handle_strap(struct rt_frame *f) {
  if (f->cause == 8 && f->x[17] == RT_ECALL_RETURN) {
    /* A U-mode return delegated to S: forward to M (ecall from S is never delegated). */
    register uint64_t a0 __asm__("a0") = f->x[10];
    register uint64_t a7 __asm__("a7") = RT_ECALL_RETURN;
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
  }
  if (rt_strap_hook && rt_strap_hook(f)) return;
  unexpected("S-mode", f);
}

void *memset(void *d, int c, size_t n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  if (p < q) {
    while (n--) *p++ = *q++;
  } else {
    while (n--) p[n] = q[n];
  }
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}
size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
