/* Exercises: reactor modules — _initialize/__wasm_call_ctors, exports created
 * by __attribute__((export_name)) (renamed), by --export=, state kept between
 * calls, and an export defined in a second file. */
#include <stdio.h>
#include <string.h>

static int ctor_flag;
static int counter;
int total;                             /* shared with other.c */

__attribute__((constructor)) static void setup(void) { ctor_flag = 1234; counter = 10; }

__attribute__((export_name("ctor_ran"))) int ctor_ran_impl(void) { return ctor_flag; }

__attribute__((export_name("bump"))) int bump(void) {
    counter += 5;
    total += counter;
    return counter;
}

/* exported under a different name than the C symbol */
__attribute__((export_name("bump_by_name"))) int internal_name_xyz(void) { return bump() * 2; }

/* not annotated: exported only because of --export=plain_total in ldflags */
int plain_total(void) { return total; }

__attribute__((export_name("greet"))) int greet(void) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "hello from reactor, total=%d", total);
    puts(buf);
    fflush(stdout);                    /* a reactor never calls exit(): flush ourselves */
    return n;
}

int unexported_helper(void) { return -1; }   /* not exported, may be GC'd */
