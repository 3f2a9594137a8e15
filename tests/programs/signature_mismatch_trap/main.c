/* Exercises: a function signature mismatch between files. wasm-ld warns
 * ("function signature mismatch: scale") and redirects the mismatched call
 * to a `signature_mismatch:scale` stub that traps; calls with the right type
 * (from impl.c) still reach the real function. */
#include <stdio.h>

int scale(int a, int b);            /* WRONG: impl.c defines double scale(double) */
double call_scale_correctly(double x);

int main(void) {
    printf("correct call: %.2f\n", call_scale_correctly(1.25));
    printf("calling with the wrong signature...\n");
    fflush(stdout);
    int r = scale(2, 3);            /* traps in the signature_mismatch stub */
    printf("UNREACHABLE %d\n", r);
    return 0;
}
