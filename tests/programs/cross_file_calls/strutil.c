/* String helpers; another static `helper` with a different body. */
#include <string.h>
int mutual_even(unsigned n);

static int helper(void) { return 200; }
int helper_from_str(void) { return helper(); }

const char *reverse_copy(const char *s, char *buf, int len) {
    int n = (int)strlen(s);
    if (n >= len) n = len - 1;
    for (int i = 0; i < n; i++) buf[i] = s[n - 1 - i];
    buf[n] = 0;
    return buf;
}

int mutual_odd(unsigned n) { return n == 0 ? 0 : mutual_even(n - 1); }
