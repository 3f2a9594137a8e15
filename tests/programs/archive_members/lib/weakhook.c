#include <stdio.h>
/* Only referenced weakly from main.c: weak undefined refs don't extract members. */
__attribute__((constructor)) static void weakhook_ctor(void) { puts("BAD: weakhook.o pulled"); }
int weak_hook(void) { return 1; }
