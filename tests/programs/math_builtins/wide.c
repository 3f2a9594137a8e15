/* Out-of-line wide arithmetic so the builtin calls are not folded away. */
__int128 i128_div(__int128 a, __int128 b) { return a / b; }
unsigned __int128 u128_div(unsigned __int128 a, unsigned __int128 b) { return a / b; }
long double ld_mul(long double a, long double b) { return a * b + 0.25L; }
