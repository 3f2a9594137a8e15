#include <stdio.h>
__attribute__((constructor)) static void lonely_ctor(void) { puts("BAD: lonely.o extracted"); }
int lonely(void) { return 1; }
