/* Exercises: type-section merging — many distinct function signatures (i32,
 * i64, f32, f64, structs by pointer, many params, void) used by direct and
 * indirect calls across files; call_indirect type indices must be remapped to
 * the output's deduplicated types. */
#include <stdint.h>
#include <stdio.h>

struct pair { int a; double b; };
struct sig_table {
    int (*i_ii)(int, int);
    int64_t (*l_ll)(int64_t, int64_t);
    float (*f_ff)(float, float);
    double (*d_did)(double, int, double);
    void (*v_p)(struct pair *);
    struct pair (*s_i)(int);                 /* struct return via sret pointer */
    int64_t (*l_many)(int, int64_t, float, double, int, int64_t, float, double, int);
    double (*d_v)(void);
};
extern const struct sig_table table_a, table_b;

static void run(const char *name, const struct sig_table *t) {
    struct pair p = { 3, 0.5 };
    t->v_p(&p);
    struct pair r = t->s_i(9);
    printf("%s: i_ii=%d l_ll=%lld f_ff=%.3f d_did=%.3f v_p={%d,%.2f} s_i={%d,%.2f} many=%lld d_v=%.4f\n", name,
           t->i_ii(20, 3), (long long)t->l_ll(1LL << 40, 12345), (double)t->f_ff(1.5f, 2.25f),
           t->d_did(1.25, 4, -0.5), p.a, p.b, r.a, r.b,
           (long long)t->l_many(1, 2, 3.0f, 4.0, 5, 6, 7.0f, 8.0, 9), t->d_v());
}

int main(void) {
    run("table_a", &table_a);
    run("table_b", &table_b);
    /* direct calls through the same functions */
    printf("direct: %d %lld\n", table_a.i_ii(7, 7), (long long)table_b.l_ll(-5, 5));
    return 0;
}
