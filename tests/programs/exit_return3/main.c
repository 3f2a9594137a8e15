/* Exercises: main's return value flowing through _start -> exit(3) ->
 * proc_exit, with buffered stdout flushed by libc at exit. */
#include <stdio.h>
static int compute(int x) { return x % 5; }
int main(void) {
    printf("about to return %d\n", compute(13));
    fprintf(stderr, "stderr line before return\n");
    return compute(13);
}
