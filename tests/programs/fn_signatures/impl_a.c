#include <stdint.h>
struct pair { int a; double b; };
struct sig_table {
    int (*i_ii)(int, int); int64_t (*l_ll)(int64_t, int64_t); float (*f_ff)(float, float);
    double (*d_did)(double, int, double); void (*v_p)(struct pair *); struct pair (*s_i)(int);
    int64_t (*l_many)(int, int64_t, float, double, int, int64_t, float, double, int); double (*d_v)(void);
};
static int add(int a, int b) { return a + b; }
static int64_t mul64(int64_t a, int64_t b) { return a * b; }
static float fmulf(float a, float b) { return a * b; }
static double dmix(double a, int n, double b) { return a * n + b; }
static void twiddle(struct pair *p) { p->a *= 2; p->b += 1; }
static struct pair mkpair(int x) { struct pair p = { x, x / 4.0 }; return p; }
static int64_t many(int a, int64_t b, float c, double d, int e, int64_t f, float g, double h, int i) {
    return a + b * 10 + (int64_t)(c * 100) + (int64_t)(d * 1000) + e * 10000 + f * 100000 + (int64_t)(g * 1e6) +
           (int64_t)(h * 1e7) + (int64_t)i * 100000000;
}
static double pi_ish(void) { return 3.1416; }
const struct sig_table table_a = { add, mul64, fmulf, dmix, twiddle, mkpair, many, pi_ish };
