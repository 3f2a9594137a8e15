/* Nothing here is referenced: all of it may be garbage-collected. */
#include <stdio.h>
__attribute__((weak)) void never_defined(void);
static char big_unused[100000] = { 1 };
int dead_counter = 5;
static int dead_helper(int x) { return big_unused[x] + dead_counter; }
int dead_entry(int x) { never_defined(); return dead_helper(x); }
int (*const dead_table[])(int) = { dead_entry, dead_helper };
const char dead_string[] = "this string should not be needed";
