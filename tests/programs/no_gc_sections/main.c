/* Exercises: --no-gc-sections — every function and data segment of every
 * object is kept, including unreferenced code that directly calls an undefined
 * weak function (the linker must synthesize a trapping stub for it). */
#include <stdio.h>
int used_fn(int);
int main(void) {
    int r = used_fn(6);
    printf("used_fn(6) = %d\n", r);
    return r == 42 ? 0 : 1;
}
