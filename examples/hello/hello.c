/* The `cargo xtask demo` program: libc's printf, an indirect call through a
 * function pointer (needs the table and element segment), and a static
 * constructor (needs __wasm_call_ctors). */
#include <stdio.h>

static int ctor_ran;

__attribute__((constructor)) static void init(void) { ctor_ran = 42; }

static int square(int x) { return x * x; }
static int twice(int x) { return 2 * x; }

int main(int argc, char **argv) {
    int (*ops[])(int) = {square, twice};
    printf("hello from weld: %d args, constructor says %d\n", argc, ctor_ran);
    for (int i = 0; i < 2; i++)
        printf("op %d(7) = %d\n", i, ops[i](7));
    if (argc > 1)
        printf("argv[1] = %s\n", argv[1]);
    return 0;
}
