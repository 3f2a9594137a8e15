/* Exercises: direct calls resolved across three object files, and two
 * file-local (static) functions named `helper` that must not be merged. */
#include <stdio.h>
#include <string.h>

int mul_add(int a, int b, int c);
int fib(int n);
long long collatz_steps(long long n);
const char *reverse_copy(const char *s, char *buf, int len);
int helper_from_ops(void);
int helper_from_str(void);
int mutual_even(unsigned n);

static int helper(void) { return 1; } /* third `helper`, also static */

int main(void) {
    int fails = 0;
    char buf[32];
#define CHECK(expr, want)                                                      \
    do {                                                                       \
        long long got_ = (expr);                                               \
        printf("%-28s = %lld\n", #expr, got_);                                \
        if (got_ != (want)) { printf("  FAIL (want %lld)\n", (long long)(want)); fails++; } \
    } while (0)
    CHECK(mul_add(6, 7, 8), 50);
    CHECK(fib(20), 6765);
    CHECK(collatz_steps(27), 111);
    CHECK(helper(), 1);
    CHECK(helper_from_ops(), 100);
    CHECK(helper_from_str(), 200);
    CHECK(mutual_even(10), 1);
    CHECK(mutual_even(7), 0);
    const char *r = reverse_copy("linker", buf, sizeof buf);
    printf("reverse = %s\n", r);
    if (strcmp(r, "reknil") != 0) fails++;
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
