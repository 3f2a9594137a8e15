/* Exercises: data-to-data relocations with addends (R_WASM_MEMORY_ADDR_I32
 * with non-zero addend) within a file and across files, incl. into .rodata. */
#include <stdio.h>
#include <string.h>

extern int table[10];                 /* in tables.c: 0,10,20,...,90 */
extern const char greeting[];         /* in tables.c: "hello, linker" */
struct window { int *start; int len; const char *label; };
extern struct window windows[3];      /* in tables.c, pointing into table[] */
extern int *const table_end;

int local_arr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
int *p3 = &local_arr[3];
int *pt7 = &table[7];                 /* cross-file with addend */
const char *s2 = &"literal"[2];
const char *g7 = greeting + 7;        /* cross-file rodata with addend */
int **pp = &p3;
struct { const char *name; int *val; } named[] = {
    { "first", &local_arr[0] }, { "last", &local_arr[7] }, { "ext", &table[9] },
};
char matrix[4][5] = { "abcd", "efgh", "ijkl", "mnop" };
char *row2 = matrix[2] + 1;

int main(void) {
    int fails = 0;
#define EXPECT(c) do { if (!(c)) { printf("FAIL: %s\n", #c); fails++; } } while (0)
    printf("*p3=%d *pt7=%d **pp=%d\n", *p3, *pt7, **pp);
    printf("s2=%s g7=%s row2=%s\n", s2, g7, row2);
    EXPECT(*p3 == 4 && *pt7 == 70 && **pp == 4);
    EXPECT(strcmp(s2, "teral") == 0);
    EXPECT(strcmp(g7, "linker") == 0);
    EXPECT(strcmp(row2, "jkl") == 0);
    EXPECT(p3 - local_arr == 3 && pt7 - table == 7);
    for (int i = 0; i < 3; i++) {
        int sum = 0;
        for (int j = 0; j < windows[i].len; j++) sum += windows[i].start[j];
        printf("window %s: offset %d len %d sum %d\n", windows[i].label,
               (int)(windows[i].start - table), windows[i].len, sum);
    }
    EXPECT(table_end - table == 10);
    for (unsigned i = 0; i < sizeof named / sizeof named[0]; i++)
        printf("named %s = %d\n", named[i].name, *named[i].val);
    *pt7 = 777;   /* write through a relocated pointer */
    EXPECT(table[7] == 777);
    *named[0].val = 111;
    EXPECT(local_arr[0] == 111);
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
