/* Functions and a const table of {name, fn} pairs referencing them. */
#include <string.h>
typedef int (*binop)(int, int);
struct op { const char *name; binop fn; };

int op_add(int a, int b) { return a + b; }
int op_sub(int a, int b) { return a - b; }
static int op_mul(int a, int b) { return a * b; }
static int op_mod(int a, int b) { return a % b; }
int op_max(int a, int b) { return a > b ? a : b; }

const struct op ops_table[] = {
    { "add", op_add }, { "sub", op_sub }, { "mul", op_mul }, { "mod", op_mod }, { "max", op_max },
};
const int ops_count = sizeof ops_table / sizeof ops_table[0];

binop lookup_op(const char *name) {
    for (int i = 0; i < ops_count; i++)
        if (strcmp(ops_table[i].name, name) == 0) return ops_table[i].fn;
    return 0;
}
