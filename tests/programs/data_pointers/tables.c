/* Data objects whose initializers point into each other with addends. */
int table[10] = { 0, 10, 20, 30, 40, 50, 60, 70, 80, 90 };
const char greeting[] = "hello, linker";
struct window { int *start; int len; const char *label; };
struct window windows[3] = {
    { &table[0], 3, &"head"[0] },
    { &table[4], 2, &"xmid"[1] },
    { table + 8, 2, greeting + 7 },
};
int *const table_end = table + 10;
