/* Exercises: __wasm_call_ctors ordering — constructor priorities (101, 102,
 * 500, default) across three files, ties broken by input order; destructors
 * (lowered to __cxa_atexit) and atexit handlers running in reverse at exit. */
#include <stdio.h>
#include <stdlib.h>

extern char trace[256];
extern int trace_len;
void note(char c);

__attribute__((constructor(102))) static void main_102(void) { note('M'); puts("ctor main.c 102"); }
__attribute__((constructor)) static void main_default(void) { note('m'); puts("ctor main.c default"); }
__attribute__((constructor(101))) static void main_101(void) { note('N'); puts("ctor main.c 101"); }
__attribute__((destructor(101))) static void main_dtor_101(void) { puts("dtor main.c 101"); }
__attribute__((destructor)) static void main_dtor(void) { puts("dtor main.c default"); }

static void at_exit_1(void) { puts("atexit 1 (registered first in main)"); }
static void at_exit_2(void) { printf("atexit 2 (registered second), trace was %s\n", trace); }

int main(void) {
    trace[trace_len] = 0;
    printf("main: trace = %s\n", trace);
    atexit(at_exit_1);
    atexit(at_exit_2);
    puts("main returns");
    return 0;
}
