/* Holds the shared trace buffer; its own constructors at several priorities. */
#include <stdio.h>
char trace[256];
int trace_len;
void note(char c) { trace[trace_len++] = c; }

__attribute__((constructor(500))) static void a_500(void) { note('a'); puts("ctor a.c 500"); }
__attribute__((constructor(101))) static void a_101(void) { note('A'); puts("ctor a.c 101"); }
__attribute__((constructor)) static void a_default(void) { note('x'); puts("ctor a.c default"); }
__attribute__((destructor(500))) static void a_dtor_500(void) { puts("dtor a.c 500"); }
__attribute__((destructor)) static void a_dtor(void) { puts("dtor a.c default"); }
