/* rt_run_in_mode(mode, fn, arg): run fn(arg) in U (0) or S (1) mode; fn's return comes back
 * through ecall with a7 = RT_ECALL_RETURN, which rt_handle_mtrap turns into rt_mode_resume. */
#define RT_ECALL_RETURN 0x7e7
  .file "mode.S"
  .text
  .globl rt_run_in_mode
rt_run_in_mode:
  la    t0, rt_mode_ctx
  sd    ra, 0(t0)
  sd    sp, 8(t0)
  sd    s0, 16(t0)
  sd    s1, 24(t0)
  sd    s2, 32(t0)
  sd    s3, 40(t0)
  sd    s4, 48(t0)
  sd    s5, 56(t0)
  sd    s6, 64(t0)
  sd    s7, 72(t0)
  sd    s8, 80(t0)
  sd    s9, 88(t0)
  sd    s10, 96(t0)
  sd    s11, 104(t0)
  li    t1, 3 << 11
  csrc  mstatus, t1
  andi  a0, a0, 3
  slli  a0, a0, 11
  csrs  mstatus, a0
  la    t1, rt_mode_tramp
  csrw  mepc, t1
  mv    a0, a2
  mret

  .balign 4
rt_mode_tramp:
  jalr  a1
  li    a7, RT_ECALL_RETURN
  ecall
1:
  j     1b

  .globl rt_mode_resume
rt_mode_resume:
  la    t0, __mtrap_stack_top
  csrw  mscratch, t0
  la    t0, __strap_stack_top
  csrw  sscratch, t0
  la    t0, rt_mode_ctx
  ld    ra, 0(t0)
  ld    sp, 8(t0)
  ld    s0, 16(t0)
  ld    s1, 24(t0)
  ld    s2, 32(t0)
  ld    s3, 40(t0)
  ld    s4, 48(t0)
  ld    s5, 56(t0)
  ld    s6, 64(t0)
  ld    s7, 72(t0)
  ld    s8, 80(t0)
  ld    s9, 88(t0)
  ld    s10, 96(t0)
  ld    s11, 104(t0)
  ret

  .bss
  .balign 8
rt_mode_ctx:
  .space 112
