/* Entry of the multi-hart test (smp.c): every hart starts here (QEMU virt and cxlemu start all
 * harts at the entry with a0 = hart id). Each hart gets its own 8 KiB stack below __stack_top
 * (hart 0 the top one) and calls smp_main(hartid); no trap handler: a trap is a failure, and
 * mtvec points at smp_trap, which reports it through the finisher. .bss is not cleared (RAM is
 * zero at reset on both emulators; clearing it would race with the other harts). */
  .file "start.S"
  .section .text.init, "ax"
  .globl _start
_start:
  .option push
  .option norvc
  csrr  t0, mhartid
  la    sp, __stack_top
  slli  t1, t0, 13
  sub   sp, sp, t1
  la    t1, smp_trap
  csrw  mtvec, t1
  mv    a0, t0
  call  smp_main
1:
  wfi
  j     1b
  .option pop

  .align 2
  .globl smp_trap
smp_trap:
  csrr  a0, mcause
  csrr  a1, mepc
  call  smp_trap_report
2:
  j     2b
