#include <stdio.h>
/* main.c already defines shadowed() (weakly): a lazy archive symbol must not replace it. */
__attribute__((constructor)) static void shadow_ctor(void) { puts("BAD: shadow.o pulled"); }
const char *shadowed(void) { return "lib strong"; }
