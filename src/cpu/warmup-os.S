# The warm-up's OS pass (src/cpu/warmup.ts): what an operating system makes a hart do that the
# first pass (M-mode, physical addresses, one page of code) never does. Each item below was a
# deoptimization of the interpreter, dispatcher or translator in a Linux boot: V8 had compiled
# them before the boot first reached that path.
#
# M-mode sets up PMP, delegation, envcfg (PBMT, Sstc, cbo), Sv39 with kernel-like virtual
# addresses (PA 0x8000_0000 + x at VA 0xffff_ffff_8000_0000 + x) and drops to S-mode, whose loop
# then: loads and stores of every width (aligned, misaligned) through the TLB; a user page with
# and without SUM; PBMT NC and IO pages (the IO page is a device: MMIO); an unmapped load and an
# unmapped fetch (page faults, delegated); ecall to M; a supervisor software interrupt; Sstc's
# stimecmp; pause hints; cbo.clean/flush/inval/zero; FP loads and stores (also compressed); a
# conditional branch to the next page and an instruction straddling two pages; code rewritten
# and run again; sret; sfence.vma by address and whole; MXR. Then ecall with a7 = 93 ends it in
# M-mode (wfi).
#
# Assemble with scripts/gen-warmup-os.mjs, which writes src/cpu/warmup-os-program.ts (the bytes,
# as 16-bit parcels in segments); test/cpu/warmup-os.test.ts checks that file against this one.

        .equ RAM, 0x80000000
        .equ KOFF, 0xffffffff00000000   # VA = PA + KOFF (mod 2^64)
        .equ DEV, 0x10000000            # the warm-up's device (warmup.ts): 4 KiB of registers
        .equ PTE_V, 1
        .equ PTE_R, 2
        .equ PTE_W, 4
        .equ PTE_X, 8
        .equ PTE_U, 16
        .equ PTE_G, 32
        .equ PTE_A, 64
        .equ PTE_D, 128
        .equ KRWX, PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D
        .equ PBMT_NC, 1 << 61
        .equ PBMT_IO, 2 << 61
        # Virtual addresses of the special pages (L0 entries 16..19 of the kernel's 2 MiB).
        .equ VA_USER, 0xffffffff80010000
        .equ VA_NC, 0xffffffff80011000
        .equ VA_IO, 0xffffffff80012000
        .equ VA_NONE, 0xffffffff80013000

        .option norvc
        .text
        .globl _start
# ---- PA 0x8000_0000: M-mode ----
_start:
        j m_setup
        .balign 16
m_handler:
        csrr t6, mcause
        li t5, 9                        # ecall from S
        bne t6, t5, 1f
        li t5, 93
        beq a7, t5, m_done
1:      csrr t5, mepc                   # skip the instruction (every trapping one here is 32-bit)
        addi t5, t5, 4
        csrw mepc, t5
        mret
m_done:
        csrw mie, zero
        csrci mstatus, 8
2:      wfi
        j 2b

m_setup:
        lla t0, m_handler
        csrw mtvec, t0
        li t0, -1                       # PMP: everything, RWX (as OpenSBI leaves it)
        srli t0, t0, 10
        csrw pmpaddr0, t0
        li t0, 0x1f
        csrw pmpcfg0, t0
        li t0, (1 << 2) | (1 << 3) | (1 << 12) | (1 << 13) | (1 << 15)
        csrw medeleg, t0
        li t0, (1 << 1) | (1 << 5) | (1 << 9)
        csrw mideleg, t0
        li t0, 7
        csrw mcounteren, t0
        li t0, (1 << 63) | (1 << 62) | (1 << 7) | (1 << 6) | (3 << 4)   # STCE PBMTE CBZE CBCFE CBIE=inval
        csrw 0x30a, t0                  # menvcfg
        li t0, 3 << 11
        csrc mstatus, t0
        li t0, (1 << 11) | (1 << 13)    # MPP = S, FS = initial
        csrs mstatus, t0
        lla t0, root_pt
        srli t0, t0, 12
        li t1, 8 << 60
        or t0, t0, t1
        csrw satp, t0
        sfence.vma
        lla t0, s_entry
        li t1, KOFF
        add t0, t0, t1
        csrw mepc, t0
        mret

# ---- PA 0x8000_1000 (VA 0xffff_ffff_8000_1000): S-mode ----
        .org 0x1000
s_entry:
        lla t0, s_handler
        csrw stvec, t0
        li t0, (1 << 6) | (3 << 4)      # senvcfg: CBZE, CBIE = inval
        csrw 0x10a, t0
iterations:
        li s1, 4                        # patched by warmup.ts (the count's instruction: `iterations`)
        lla s2, data_page
        li s3, VA_USER
        li s4, VA_NC
        li s5, VA_IO
        li s6, VA_NONE
        li s7, 0
s_loop:
        # Every width, aligned, then misaligned (inside the page and across a chunk).
        sd s1, 0(s2)
        sw s1, 8(s2)
        sh s1, 12(s2)
        sb s1, 14(s2)
        ld a0, 0(s2)
        lw a0, 8(s2)
        lwu a0, 8(s2)
        lh a0, 12(s2)
        lhu a0, 12(s2)
        lb a0, 14(s2)
        lbu a0, 14(s2)
        sd s1, 19(s2)
        sw s1, 254(s2)
        ld a0, 19(s2)
        lw a0, 254(s2)
        # A user page: with SUM, then without (a load page fault, delegated: skipped).
        li t0, 1 << 18
        csrs sstatus, t0
        ld a0, 0(s3)
        sd a0, 8(s3)
        csrc sstatus, t0
        ld a0, 0(s3)
        # MXR on and off (mstatus bits that flush the TLB).
        li t0, 1 << 19
        csrs sstatus, t0
        csrc sstatus, t0
        # PBMT: a non-cacheable RAM page and an IO page (the device: MMIO of every width).
        ld a0, 0(s4)
        sd a0, 8(s4)
        sb s1, 0(s5)
        lbu a0, 0(s5)
        sh s1, 2(s5)
        lhu a0, 2(s5)
        sw s1, 4(s5)
        lw a0, 4(s5)
        sd s1, 8(s5)
        ld a0, 8(s5)
        lb a0, 1(s5)
        # Unmapped: a load and a store page fault (skipped), a fetch page fault (back to ra).
        ld a0, 0(s6)
        sd a0, 0(s6)
        jalr ra, 0(s6)
        # A system call to M, and a supervisor software interrupt taken at once.
        ecall
        csrsi sie, 2
        csrsi sstatus, 2
        csrsi sip, 2
        csrci sstatus, 2
        # Sstc: the supervisor timer armed far ahead.
        rdtime t0
        li t1, 1 << 40
        add t0, t0, t1
        csrw 0x14d, t0                  # stimecmp
        rdcycle t0
        rdinstret t0
        # Pause hints, more than a turn allows (the hart yields when another could run).
        li t0, 70
3:      .word 0x0100000f                # pause
        addi t0, t0, -1
        bnez t0, 3b
        # Cache-block operations.
        .word 0x0010200f | (18 << 15)   # cbo.clean (s2)
        .word 0x0020200f | (18 << 15)   # cbo.flush (s2)
        .word 0x0000200f | (18 << 15)   # cbo.inval (s2)
        addi t0, s2, 64
        .word 0x0040200f | (5 << 15)    # cbo.zero (t0)
        # F/D loads and stores, also compressed.
        fld fa0, 0(s2)
        fsd fa0, 16(s2)
        flw fa1, 8(s2)
        fsw fa1, 24(s2)
        mv s0, s2
        .option rvc
        c.fld fa2, 0(s0)
        c.fsd fa2, 32(s0)
        .option norvc
        fmv.x.d a0, fa0
        fmv.d.x fa0, a0
        # To the next page by a conditional branch, an instruction across the page after that, back;
        # a call through a register to a function on another page.
        jal ra, cross_a
        lla t0, far_fn
        jalr ra, 0(t0)
        # A load and a store across a page boundary.
        lla t0, data_page
        addi t0, t0, -4
        sd s1, 0(t0)
        ld a0, 0(t0)
        # Zbb, translated too (the first pass runs it once, never translated).
        clz a1, a0
        ctz a1, a0
        cpop a1, a0
        clzw a1, a0
        orc.b a1, a0
        rev8 a1, a0
        min a1, a1, a0
        maxu a1, a1, a0
        andn a1, a1, a0
        zext.h a1, a0
        sext.b a1, a0
        sh1add a1, a1, a0
        add.uw a1, a1, a0
        # WFI in S-mode with an interrupt pending in sie (it does not wait), then cleared.
        csrsi sie, 2
        csrsi sip, 2
        wfi
        csrci sip, 2
        # Rewritten code: the other version of smc_slot's first instruction, then run it.
        lla t0, smc_slot
        lw t1, 0(t0)
        li t2, 3 << 20                  # addi a0, zero, 1 <-> addi a0, zero, 2
        xor t1, t1, t2
        sw t1, 0(t0)
        fence.i
        jal ra, smc_slot
        add s7, s7, a0
        # TLB maintenance: one address, everything, the same satp again.
        sfence.vma s2
        sfence.vma
        csrr t0, satp
        csrw satp, t0
        addi s1, s1, -1
        bnez s1, s_loop
        li a7, 93
        ecall
        j .

s_handler:
        csrr t6, scause
        bltz t6, 5f
        li t5, 12                       # instruction page fault: return to ra
        beq t6, t5, 4f
        csrr t5, sepc
        addi t5, t5, 4
        csrw sepc, t5
        sret
4:      csrw sepc, ra
        sret
5:      csrci sip, 2                    # the software interrupt: clear it
        sret

        .org 0x1ff8
cross_a:
        beq zero, zero, cross_b         # to the next page
        j .
cross_b:
        addi a0, a0, 1
        j straddle
        .org 0x2ffc
straddle:
        .option rvc
        c.nop
        .option norvc
        addi a0, a0, 1                  # bytes 0x2ffe..0x3001: across the page boundary
        ret

far_fn:
        addi a0, a0, 1
        ret

        .org 0x4000
smc_slot:
        addi a0, zero, 1
        ret

        .org 0x5000
data_page:
        .fill 512, 8, 0

        # The page tables: root (VA bits 38..30), one L1, one L0 covering the kernel's first 2 MiB.
        .org 0xa000
root_pt:
        .fill 510, 8, 0
        .quad ((RAM + 0xb000) >> 12 << 10) | PTE_V
        .quad 0
l1_pt:
        .quad ((RAM + 0xc000) >> 12 << 10) | PTE_V
        .fill 511, 8, 0
l0_pt:
        .quad ((RAM + 0x0000) >> 12 << 10) | KRWX
        .quad ((RAM + 0x1000) >> 12 << 10) | KRWX
        .quad ((RAM + 0x2000) >> 12 << 10) | KRWX
        .quad ((RAM + 0x3000) >> 12 << 10) | KRWX
        .quad ((RAM + 0x4000) >> 12 << 10) | KRWX
        .quad ((RAM + 0x5000) >> 12 << 10) | KRWX
        .fill 10, 8, 0
        .quad ((RAM + 0x8000) >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D
        .quad ((RAM + 0x9000) >> 12 << 10) | KRWX | PBMT_NC
        .quad (DEV >> 12 << 10) | PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D | PBMT_IO
        .fill 493, 8, 0
