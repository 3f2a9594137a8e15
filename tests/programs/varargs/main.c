/* Exercises: variadic functions defined in another file (va_list lowered to
 * a stack buffer), forwarding va_list to vsnprintf in libc, mixed arg types. */
#include <stdio.h>
#include <string.h>

int sum(int n, ...);
double avg(int n, ...);
int fmt(char *buf, int size, const char *f, ...);
long long mixed(const char *spec, ...);
void log_msg(const char *prefix, const char *f, ...);

int main(void) {
    int fails = 0;
    char buf[128];
    printf("sum() = %d %d %d\n", sum(0), sum(3, 1, 2, 3), sum(8, 1, -2, 3, -4, 5, -6, 7, 100));
    if (sum(3, 1, 2, 3) != 6) fails++;
    printf("avg = %.4f\n", avg(4, 1.5, 2.5, 3.25, -1.0));
    int n = fmt(buf, sizeof buf, "%s|%5d|%-4x|%c|%.3f|%lld", "abc", 42, 255, 'Q', 3.14159, -1234567890123LL);
    printf("fmt (%d) = %s\n", n, buf);
    if (strcmp(buf, "abc|   42|ff  |Q|3.142|-1234567890123") != 0) fails++;
    n = fmt(buf, 8, "%s", "truncated string");
    printf("truncated (%d) = %s\n", n, buf);
    printf("mixed = %lld\n", mixed("ilcds", 5, 1LL << 33, 'A', 0.5, "xyz"));
    log_msg("info", "%d apples and %s", 3, "pears");
    log_msg("warn", "no args");
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
