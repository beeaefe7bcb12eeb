/* cxlemu guest runtime: reset entry and trap entries.
 * _start: hart 0 only (others park in wfi), sp = __stack_top, mscratch/sscratch = trap stacks,
 * mtvec = rt_mtrap_entry (direct), bss cleared, main(hartid, dtb) called, rt_exit(return value).
 * Trap entries save every register into a struct rt_frame (runtime.h) on the trap stack, call
 * rt_handle_mtrap / rt_handle_strap (C), then restore (epc and status from the frame) and return. */
#include "frame.h"
  .file "crt0.S"

  .section .text.init, "ax"
  .globl _start
_start:
  .option push
  .option norvc
  csrr  t0, mhartid
  bnez  t0, rt_park
  la    sp, __stack_top
  la    t0, __mtrap_stack_top
  csrw  mscratch, t0
  la    t0, __strap_stack_top
  csrw  sscratch, t0
  la    t0, rt_mtrap_entry
  csrw  mtvec, t0
  /* PMP entry 0: NAPOT over the whole address space, RWX, so S and U may run (QEMU enforces
   * PMP: with no entry, S/U accesses fail). Programs that test PMP reprogram it. */
  li    t0, -1
  srli  t0, t0, 10
  csrw  pmpaddr0, t0
  li    t0, 0x1f
  csrw  pmpcfg0, t0
#ifdef __riscv_flen
  /* Built with F/D (lp64d guests): mstatus.FS = Initial, so FP instructions do not trap. */
  li    t0, 1 << 13
  csrs  mstatus, t0
  fscsr zero
#endif
  la    t0, __bss_start
  la    t1, __bss_end
1:
  bgeu  t0, t1, 2f
  sd    zero, 0(t0)
  addi  t0, t0, 8
  j     1b
2:
  la    t0, rt_boot_hartid
  sd    a0, 0(t0)
  la    t0, rt_boot_dtb
  sd    a1, 0(t0)
  call  main
  call  rt_exit
  .option pop
  .globl rt_park
rt_park:
  wfi
  j     rt_park

/* SAVE_FRAME: sp already points at the trap stack top; x2 (old sp) is in xSCRATCH. */
.macro SAVE_FRAME scratch, epc, cause, tval, status
  addi  sp, sp, -FRAME_SIZE
  sd    x1, 1*8(sp)
  sd    x3, 3*8(sp)
  sd    x4, 4*8(sp)
  sd    x5, 5*8(sp)
  sd    x6, 6*8(sp)
  sd    x7, 7*8(sp)
  sd    x8, 8*8(sp)
  sd    x9, 9*8(sp)
  sd    x10, 10*8(sp)
  sd    x11, 11*8(sp)
  sd    x12, 12*8(sp)
  sd    x13, 13*8(sp)
  sd    x14, 14*8(sp)
  sd    x15, 15*8(sp)
  sd    x16, 16*8(sp)
  sd    x17, 17*8(sp)
  sd    x18, 18*8(sp)
  sd    x19, 19*8(sp)
  sd    x20, 20*8(sp)
  sd    x21, 21*8(sp)
  sd    x22, 22*8(sp)
  sd    x23, 23*8(sp)
  sd    x24, 24*8(sp)
  sd    x25, 25*8(sp)
  sd    x26, 26*8(sp)
  sd    x27, 27*8(sp)
  sd    x28, 28*8(sp)
  sd    x29, 29*8(sp)
  sd    x30, 30*8(sp)
  sd    x31, 31*8(sp)
  csrr  t0, \scratch
  sd    t0, 2*8(sp)
  sd    zero, 0(sp)
  csrr  t0, \epc
  sd    t0, FRAME_EPC(sp)
  csrr  t0, \cause
  sd    t0, FRAME_CAUSE(sp)
  csrr  t0, \tval
  sd    t0, FRAME_TVAL(sp)
  csrr  t0, \status
  sd    t0, FRAME_STATUS(sp)
.endm

.macro RESTORE_FRAME scratch, epc, status
  ld    t0, FRAME_EPC(sp)
  csrw  \epc, t0
  ld    t0, FRAME_STATUS(sp)
  csrw  \status, t0
  addi  t0, sp, FRAME_SIZE
  csrw  \scratch, t0
  ld    x1, 1*8(sp)
  ld    x3, 3*8(sp)
  ld    x4, 4*8(sp)
  ld    x5, 5*8(sp)
  ld    x6, 6*8(sp)
  ld    x7, 7*8(sp)
  ld    x8, 8*8(sp)
  ld    x9, 9*8(sp)
  ld    x10, 10*8(sp)
  ld    x11, 11*8(sp)
  ld    x12, 12*8(sp)
  ld    x13, 13*8(sp)
  ld    x14, 14*8(sp)
  ld    x15, 15*8(sp)
  ld    x16, 16*8(sp)
  ld    x17, 17*8(sp)
  ld    x18, 18*8(sp)
  ld    x19, 19*8(sp)
  ld    x20, 20*8(sp)
  ld    x21, 21*8(sp)
  ld    x22, 22*8(sp)
  ld    x23, 23*8(sp)
  ld    x24, 24*8(sp)
  ld    x25, 25*8(sp)
  ld    x26, 26*8(sp)
  ld    x27, 27*8(sp)
  ld    x28, 28*8(sp)
  ld    x29, 29*8(sp)
  ld    x30, 30*8(sp)
  ld    x31, 31*8(sp)
  ld    sp, 2*8(sp)
.endm

  .text
  .balign 4
  .globl rt_mtrap_entry
rt_mtrap_entry:
  csrrw sp, mscratch, sp
  SAVE_FRAME mscratch, mepc, mcause, mtval, mstatus
  mv    a0, sp
  call  rt_handle_mtrap
  RESTORE_FRAME mscratch, mepc, mstatus
  mret

  .balign 4
  .globl rt_strap_entry
rt_strap_entry:
  csrrw sp, sscratch, sp
  SAVE_FRAME sscratch, sepc, scause, stval, sstatus
  mv    a0, sp
  call  rt_handle_strap
  RESTORE_FRAME sscratch, sepc, sstatus
  sret
