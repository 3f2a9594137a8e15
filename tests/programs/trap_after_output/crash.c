#include <stdio.h>
static void crash(int v) {
    printf("crash(%d): trapping now\n", v);
    fflush(stdout);
    if (v == 42) __builtin_trap();
}
void (*get_crasher(void))(int) { return crash; }
