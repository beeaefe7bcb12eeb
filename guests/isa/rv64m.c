/* RV64M: every multiply/divide instruction against vectors from a BigInt reference model
 * (gen-alu-vectors.mjs), including division by zero and signed overflow. */
#include "isa.h"
#include "alu-vectors.h"

RR_M_OPS(DEF_RR)

int main(void) {
  RR_M_OPS(RUN_RR)
  return test_done("isa-rv64m");
}
