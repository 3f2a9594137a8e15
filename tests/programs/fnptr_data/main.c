/* Exercises: function pointers in initialized data across files (table
 * elements + R_WASM_TABLE_INDEX_I32 relocs in data), indirect calls, qsort. */
#include <stdio.h>
#include <stdlib.h>

typedef int (*binop)(int, int);
struct op { const char *name; binop fn; };
extern const struct op ops_table[];   /* defined in ops.c, points at ops.c functions */
extern const int ops_count;
extern binop lookup_op(const char *name);
int op_add(int, int);
int op_sub(int, int);

static int local_neg(int a, int b) { return -(a + b); }
/* table in this file pointing at functions in another file and at a static */
binop my_table[] = { op_add, op_sub, local_neg, 0 };
struct { int id; binop fn; } nested[2] = { { 7, op_sub }, { 9, local_neg } };

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_desc(const void *a, const void *b) { return cmp_int(b, a); }

int main(void) {
    int fails = 0;
    for (int i = 0; i < ops_count; i++)
        printf("%s(12, 5) = %d\n", ops_table[i].name, ops_table[i].fn(12, 5));
    for (binop *p = my_table; *p; p++) printf("my_table[%d](3, 4) = %d\n", (int)(p - my_table), (*p)(3, 4));
    for (int i = 0; i < 2; i++) printf("nested %d -> %d\n", nested[i].id, nested[i].fn(10, 1));
    /* function pointer identity across files */
    if (lookup_op("add") != op_add) { puts("FAIL identity add"); fails++; }
    if (lookup_op("sub") != my_table[1]) { puts("FAIL identity sub"); fails++; }
    if (lookup_op("nope") != 0) { puts("FAIL null"); fails++; }
    if (ops_table[0].fn != my_table[0]) { puts("FAIL identity table"); fails++; }

    int v[] = { 42, -3, 17, 8, 99, 0, 23, -50, 8, 61 };
    int n = sizeof v / sizeof v[0];
    int (*cmps[2])(const void *, const void *) = { cmp_int, cmp_desc };
    for (int c = 0; c < 2; c++) {
        qsort(v, n, sizeof v[0], cmps[c]);
        printf("sorted%s:", c ? " desc" : "");
        for (int i = 0; i < n; i++) printf(" %d", v[i]);
        printf("\n");
    }
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
