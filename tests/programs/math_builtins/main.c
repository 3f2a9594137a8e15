/* Exercises: libm members pulled from libc.a (sqrt, sin, pow, ...), and
 * compiler-rt builtins from libclang_rt.builtins (__int128 division and
 * multiplication: __divti3, __udivti3, __multi3; f128 via long double).
 * No 128-bit %: Debian's __modti3/__umodti3 need __stack_chk_guard (absent). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

__int128 i128_div(__int128 a, __int128 b);
unsigned __int128 u128_div(unsigned __int128 a, unsigned __int128 b);
static unsigned __int128 u128_rem(unsigned __int128 a, unsigned __int128 b) { return a - u128_div(a, b) * b; }
long double ld_mul(long double a, long double b);

static void print_u128(const char *label, unsigned __int128 v) {
    char buf[48]; int i = 47; buf[i] = 0;
    do { unsigned __int128 q = v / 10; buf[--i] = '0' + (int)(v - q * 10); v = q; } while (v);
    printf("%s%s\n", label, buf + i);
}

int main(int argc, char **argv) {
    volatile double x = 2.0 + (argc - 1);      /* defeat constant folding */
    printf("sqrt(2)=%.6f sin(1)=%.6f cos(2)=%.6f\n", sqrt(x), sin(x / 2), cos(x));
    printf("pow(2,0.5)=%.6f exp(1)=%.6f log(10)=%.6f atan2=%.6f\n", pow(x, 0.5), exp(x - 1), log(x * 5),
           atan2(x, 3.0));
    printf("fmod=%.3f floor=%.1f ceil=%.1f round=%.1f hypot=%.4f\n", fmod(10.5, x), floor(-x - 0.5),
           ceil(x + 0.1), round(x + 0.5), hypot(x + 1, x + 2));
    printf("floats: %f %e %g %.3g %a\n", 1.0 / 3, 12345.678, 0.0001234, 2.0 / 3, 1.0);
    volatile float f = 1.1f;
    printf("float %.9f, (float)sqrtf %.6f\n", (double)f, (double)sqrtf(f));

    volatile int64_t a = -9000000000000000007LL, b = 1000003;
    printf("i64 div %lld mod %lld\n", (long long)(a / b), (long long)(a % b));
    volatile uint64_t ua = 18000000000000000009ULL, ub = 7;
    printf("u64 div %llu mod %llu\n", (unsigned long long)(ua / ub), (unsigned long long)(ua % ub));

    __int128 big = (__int128)a * 1000000007;       /* __multi3 */
    __int128 q = i128_div(big, -(__int128)b * 3);  /* __divti3 */
    print_u128("i128 |q| = ", (unsigned __int128)(q < 0 ? -q : q));
    unsigned __int128 ubig = ((unsigned __int128)ua << 40) | 12345;
    print_u128("u128 = ", ubig);
    print_u128("u128 % 1e18+9 = ", u128_rem(ubig, 1000000000000000009ULL));
    long double ld = ld_mul(1.5L, (long double)x);  /* __multf3 */
    printf("long double as double %.4f\n", (double)ld);
    return 0;
}
