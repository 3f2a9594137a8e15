/* Arithmetic helpers; `helper` is static here and in strutil.c. */
int mutual_odd(unsigned n);

static int helper(void) { return 100; }
int helper_from_ops(void) { return helper(); }

int mul_add(int a, int b, int c) { return a * b + c; }

int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

long long collatz_steps(long long n) {
    long long steps = 0;
    while (n != 1) { n = (n & 1) ? 3 * n + 1 : n / 2; steps++; }
    return steps;
}

int mutual_even(unsigned n) { return n == 0 ? 1 : mutual_odd(n - 1); }
