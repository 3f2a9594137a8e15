/* Exercises: mergeable string sections (.rodata.str1.1) — identical and
 * suffix-overlapping literals in several files must all stay intact. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

const char *other_hello(void);
const char *other_suffix(void);
const char *other_table(int i);
extern const char *const other_ptrs[];
extern const char other_array[];

static const char *const mine[] = { "hello, world", "world", "shared literal", "", "x" };

int main(void) {
    int fails = 0;
    const char *h = "hello, world";
    printf("[%s] [%s] [%s] [%s]\n", h, other_hello(), other_suffix(), other_array);
    if (strcmp(h, other_hello()) != 0) fails++;
    if (strcmp("world", other_suffix()) != 0) fails++;
    if (strcmp(other_array, "array, not pointer") != 0) fails++;
    for (int i = 0; i < 5; i++) {
        const char *o = other_table(i);
        printf("%d: [%s] vs [%s] len %d/%d %s\n", i, mine[i], o, (int)strlen(mine[i]),
               (int)strlen(o), strcmp(mine[i], o) == 0 ? "same" : "DIFFERENT");
        if (strcmp(mine[i], o) != 0) fails++;
        if (strcmp(other_ptrs[i], o) != 0) fails++;
    }
    /* literal contents reached via an offset into another file's literal */
    const char *tail = other_hello() + 7;
    printf("tail [%s] first char of suffix %c\n", tail, other_suffix()[0]);
    if (strcmp(tail, "world") != 0) fails++;
    wchar_t const *w = L"wide";
    printf("wide length %d, last %c\n", (int)wcslen(w), (char)w[3]);
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
