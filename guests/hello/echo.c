/*
 * Echo: prints a prompt, then copies every byte the UART receives back to it, until it receives
 * 'q' (then exits 0). Polls the line status register, so it needs no interrupts. Used by the
 * dashboard's browser test (typing into the console) and handy for trying a console by hand.
 */
#include "runtime.h"

#define UART_RBR 0
#define UART_LSR 5
#define LSR_DR 0x01

int main(void) {
  volatile uint8_t *u = (volatile uint8_t *)UART0_BASE;
  rt_puts("echo: type, q quits\n");
  for (;;) {
    if ((u[UART_LSR] & LSR_DR) == 0) continue;
    int c = u[UART_RBR];
    if (c == 'q') break;
    rt_putc(c == '\r' ? '\n' : c);
  }
  rt_puts("\necho: bye\n");
  return 0;
}
