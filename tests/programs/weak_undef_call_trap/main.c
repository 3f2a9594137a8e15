/* Exercises: a *direct* call to an undefined weak function. wasm-ld links it to
 * a synthesized stub `undefined_weak:not_linked` whose body is `unreachable`,
 * so the program traps at the call (after its flushed output). */
#include <stdio.h>

__attribute__((weak)) int not_linked(int);
int guarded(int x);

int main(void) {
    printf("guarded call: %d\n", guarded(5));
    printf("calling not_linked directly...\n");
    fflush(stdout);
    int r = not_linked(1);         /* traps: unreachable in the stub */
    printf("UNREACHABLE %d\n", r);
    return 0;
}
