/* Variadic implementations. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sum(int n, ...) {
    va_list ap; va_start(ap, n);
    int s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int);
    va_end(ap);
    return s;
}
double avg(int n, ...) {
    va_list ap; va_start(ap, n);
    double s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, double);
    va_end(ap);
    return n ? s / n : 0;
}
static int vfmt(char *buf, int size, const char *f, va_list ap) { return vsnprintf(buf, size, f, ap); }
int fmt(char *buf, int size, const char *f, ...) {
    va_list ap; va_start(ap, f);
    int r = vfmt(buf, size, f, ap);
    va_end(ap);
    return r;
}
long long mixed(const char *spec, ...) {
    va_list ap, copy; va_start(ap, spec);
    va_copy(copy, ap);
    long long acc = 0;
    for (const char *p = spec; *p; p++) {
        switch (*p) {
        case 'i': acc += va_arg(ap, int); break;
        case 'l': acc += va_arg(ap, long long); break;
        case 'c': acc += (char)va_arg(ap, int); break;
        case 'd': acc += (long long)(va_arg(ap, double) * 1000); break;
        case 's': acc += (long long)strlen(va_arg(ap, const char *)); break;
        }
    }
    acc += va_arg(copy, int) * 1000000LL;   /* re-read the first argument */
    va_end(copy); va_end(ap);
    return acc;
}
void log_msg(const char *prefix, const char *f, ...) {
    char line[100];
    va_list ap; va_start(ap, f);
    vsnprintf(line, sizeof line, f, ap);
    va_end(ap);
    fprintf(stderr, "[%s] %s\n", prefix, line);
}
