#include <stdio.h>
/* Nothing references this member: it must not be linked in. */
__attribute__((constructor)) static void unused_ctor(void) { puts("BAD: unused.o pulled"); }
int lib_unused(void) { return -1; }
