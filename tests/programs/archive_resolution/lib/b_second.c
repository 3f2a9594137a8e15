#include <stdio.h>
/* Never extracted: pick() is already satisfied by a_first.o. */
__attribute__((constructor)) static void b_ctor(void) { puts("BAD: b_second.o extracted"); }
const char *pick(void) { return "b_second.o (WRONG)"; }
