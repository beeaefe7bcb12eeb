/* Hello world: prints a greeting with the boot hart id and exits with pass. */
#include "runtime.h"

int main(void) {
  rt_printf("Hello from cxlemu guest! hart %lu, running at %p\n", rt_boot_hartid, (void *)&main);
  return 0;
}
