/* Exercises: data in a named section ("weldreg") kept alive by used/retain
 * although nothing references it, entries from several files concatenated in
 * input order, and the linker-synthesized __start_weldreg/__stop_weldreg. */
#include <stdio.h>
#include "reg.h"

static int run_alpha(int x) { return x + 1; }
REGISTER(alpha, 10, run_alpha);

/* used on an otherwise-unreferenced function and data */
__attribute__((used)) static int unreferenced_used_fn(void) { return 5; }
__attribute__((used)) static const char unreferenced_used_data[] = "kept by used";
__attribute__((retain, used)) int retained_global = 99;

extern struct reg_entry __start_weldreg[], __stop_weldreg[];

int main(void) {
    int n = (int)(__stop_weldreg - __start_weldreg);
    printf("%d registered entries\n", n);
    int total = 0;
    for (struct reg_entry *e = __start_weldreg; e < __stop_weldreg; e++) {
        int r = e->fn(e->prio);
        printf("  %-6s prio %3d -> %d\n", e->name, e->prio, r);
        total += r;
    }
    printf("total %d, retained_global %d\n", total, retained_global);
    return n == 5 && total == 11 + 40 + 3 + 100 + 0 ? 0 : 1;
}
