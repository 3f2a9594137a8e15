#include <stdint.h>
struct pair { int a; double b; };
struct sig_table {
    int (*i_ii)(int, int); int64_t (*l_ll)(int64_t, int64_t); float (*f_ff)(float, float);
    double (*d_did)(double, int, double); void (*v_p)(struct pair *); struct pair (*s_i)(int);
    int64_t (*l_many)(int, int64_t, float, double, int, int64_t, float, double, int); double (*d_v)(void);
};
/* Same signatures as impl_a.c, different bodies; declared in the opposite order. */
static double e_ish(void) { return 2.7183; }
static int64_t many_b(int a, int64_t b, float c, double d, int e, int64_t f, float g, double h, int i) {
    return (int64_t)(a - b + c - d + e - f + g - h + i);
}
static struct pair mk_b(int x) { struct pair p = { -x, x * 1.5 }; return p; }
static void neg(struct pair *p) { p->a = -p->a; p->b = -p->b; }
static double dsub(double a, int n, double b) { return a - n * b; }
static float fdiv(float a, float b) { return a / b; }
static int64_t sub64(int64_t a, int64_t b) { return a - b; }
static int sub(int a, int b) { return a - b; }
const struct sig_table table_b = { sub, sub64, fdiv, dsub, neg, mk_b, many_b, e_ish };
