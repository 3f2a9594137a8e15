/* The same literals as main.c, plus an array that must not be merged away. */
#include <stddef.h>
const char *other_hello(void) { return "hello, world"; }
const char *other_suffix(void) { return "world"; }
const char *const other_ptrs[] = { "hello, world", "world", "shared literal", "", "x" };
const char other_array[] = "array, not pointer";
const char *other_table(int i) {
    static const char *const t[] = { "hello, world", "world", "shared literal", "", "x" };
    return t[i];
}
