/* The layout benchmark (bench/layouts.ts): one program, its code and data placed differently, to
 * show that no placement is a cliff. A hot loop steps a 64-bit LCG and updates a 16-slot array
 * (two loads and two stores per step); main calls it in passes of PASS steps (about 10^5
 * instructions) and checks the slots after each. Variants, chosen at build time:
 *   (default)   the slots on a page of their own (.bss);
 *   SAMEPAGE    the slots at the start of the loop's own page (.text.hot), as suite samepage;
 *   SMC         as the default, plus one store into the live loop between passes (the word of
 *               its first instruction written back with fence.i: one store into a live block per
 *               10^5 instructions, as a JIT or a patching kernel does);
 *   SMC_TOGGLE  as SMC, but the store really changes the code: a patch site at the loop's entry
 *               flips between two encodings that do the same (addi x0, x0, 0 and addi x0, x0, 1),
 *               as a kernel flips a static key or a tracer its call sites;
 *   SPLIT_DATA  the slots at this address (the base of a CXL region) while the program is linked
 *               into RAM: code in RAM, its hot data in CXL (an absolute address: RAM and the
 *               region are further apart than medany's PC-relative reach);
 * and linked whole into RAM or whole into a 4-way 256 B CXL region. The output (checksum) is the
 * same for all. */
#include "suite/suite.h"

#ifndef PASSES
#define PASSES 2400
#endif
#define PASS 8192

#ifdef SAMEPAGE
__asm__(".pushsection .text.hot,\"ax\",@progbits\n"
        ".p2align 12\n"
        ".globl slots\n"
        "slots:\n"
        ".zero 128\n"
        ".popsection\n");
extern uint64_t slots[16];
#define HOT __attribute__((noinline, section(".text.hot")))
#elif defined(SPLIT_DATA)
#define slots ((uint64_t *)(SPLIT_DATA))
#define HOT __attribute__((noinline, aligned(64)))
#else
static uint64_t slots[16] SUITE_DATA;
#define HOT __attribute__((noinline, aligned(64)))
#endif

#ifdef SMC_TOGGLE
extern uint32_t patch_site[];
#endif

static uint64_t HOT hot_loop(uint64_t *state, unsigned n) {
#ifdef SMC_TOGGLE
  // One 4-byte instruction with a global label, rewritten between passes (norvc: not compressed;
  // aligned, as a kernel aligns its patch sites).
  __asm__ volatile(".balign 4\n.option push\n.option norvc\n.globl patch_site\npatch_site: addi x0, x0, 0\n.option pop");
#endif
  uint64_t x = *state, total = 0;
  for (unsigned i = 0; i < n; i++) {
    x = x * 0x5851f42d4c957f2dULL + 0x14057b7ef767814fULL;
    uint64_t v = x >> 40;
    unsigned k = (unsigned)(x >> 61);
    slots[k] += v;
    slots[8 + ((k + (unsigned)(x >> 37)) & 7)] += 1;
    total += v;
  }
  *state = x;
  return total;
}

int main(void) {
  static const char *const NAME = "layout";
#ifdef SPLIT_DATA
  for (int i = 0; i < 16; i++) slots[i] = 0;
#endif
#ifdef SAMEPAGE
  CHECK(NAME, (uintptr_t)&hot_loop >> 12 == (uintptr_t)slots >> 12, "loop and slots share a page", 0);
#endif
  uint64_t checksum = 0, state = 0x428a2f98d728ae22ULL, values = 0, steps = 0;
  for (unsigned it = 0; it < PASSES; it++) {
    values += hot_loop(&state, PASS);
    steps += PASS;
#ifdef SMC
    volatile uint32_t *insn = (volatile uint32_t *)(uintptr_t)&hot_loop;
    *insn = *insn;
    __asm__ volatile("fence.i" ::: "memory");
#endif
#ifdef SMC_TOGGLE
    volatile uint32_t *site = patch_site;
    *site ^= 1u << 20; // addi x0, x0, 0 <-> addi x0, x0, 1
    __asm__ volatile("fence.i" ::: "memory");
#endif
    uint64_t sum = 0, count = 0, h = 0;
    for (int i = 0; i < 8; i++) {
      sum += slots[i];
      count += slots[8 + i];
      h = h * 31 + slots[i] + slots[8 + i];
    }
    CHECK(NAME, sum == values && count == steps, "slot sums and counts", it);
    checksum = mix64(checksum, h);
  }
  return suite_finish(NAME, checksum);
}
