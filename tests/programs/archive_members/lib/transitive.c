#include <stdio.h>
/* Pulled only because entry.o references lib_transitive. */
__attribute__((constructor)) static void transitive_ctor(void) { puts("ctor: transitive.o pulled"); }
int lib_transitive(int x) { return x * 10; }
