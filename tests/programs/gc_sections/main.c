/* Exercises: --gc-sections (wasm-ld's default) with per-symbol sections:
 * things reachable only through data (function pointers, pointers between
 * data objects) survive; unreachable functions/data are dropped without
 * changing behaviour. */
#include <stdio.h>

struct node { int value; const struct node *next; int (*fn)(int); };
extern const struct node list_head;     /* in live.c, chained through data */
int reached_directly(int x);

int main(void) {
    int total = 0;
    for (const struct node *n = &list_head; n; n = n->next) {
        int r = n->fn(n->value);
        printf("node %d -> %d\n", n->value, r);
        total += r;
    }
    total += reached_directly(5);
    printf("total %d\n", total);
    return total == 2 + 30 + 301 + 25 ? 0 : 1;
}
