/* Unreferenced code and data that --no-gc-sections must still link. */
__attribute__((weak)) int weak_missing(int);
static int table_target(int x) { return x + 100; }
int (*const unreferenced_table[])(int) = { table_target };
static unsigned char unreferenced_bss[50000];
int unreferenced_data[3] = { 1, 2, 3 };
int calls_missing(int x) { return weak_missing(x) + unreferenced_bss[x]; } /* never called */
int used_fn(int x) { return x * 7; }
