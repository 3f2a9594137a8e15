/* Exercises: exit(7) called from a function in another file after writing to
 * stderr; atexit handlers and destructors still run, code after exit doesn't. */
#include <stdio.h>
#include <stdlib.h>
void finish(int code);
__attribute__((destructor)) static void dtor(void) { puts("destructor runs during exit"); }
static void handler(void) { fprintf(stderr, "atexit handler runs\n"); }
int main(void) {
    atexit(handler);
    puts("main: calling finish(7)");
    finish(7);
    puts("UNREACHABLE");
    return 0;
}
