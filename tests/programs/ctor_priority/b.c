/* More constructors, one registering an atexit handler before main runs. */
#include <stdio.h>
#include <stdlib.h>
void note(char c);
static void b_atexit(void) { puts("atexit from b.c ctor (runs last)"); }
__attribute__((constructor(102))) static void b_102(void) { note('B'); puts("ctor b.c 102"); atexit(b_atexit); }
__attribute__((constructor)) static void b_default(void) { note('y'); puts("ctor b.c default"); }
__attribute__((constructor(101))) static void b_101(void) { note('C'); puts("ctor b.c 101"); }
__attribute__((destructor(102))) static void b_dtor_102(void) { puts("dtor b.c 102"); }
