/* Exercises: weak definitions overridden by strong ones (functions and data),
 * weak-vs-weak (first in link order wins), and weak undefined functions/data
 * that resolve to null when absent and to the definition when present. */
#include <stdio.h>

__attribute__((weak)) int config_value(void) { return 1; }     /* strong in override.c */
__attribute__((weak)) const char *name(void) { return "default"; } /* never overridden */
__attribute__((weak)) const char *both_weak(void) { return "from main.c"; }
extern int threshold;                 /* weak in defs.c, strong in override.c */
extern int weak_only;                 /* weak in defs.c only */

__attribute__((weak)) void maybe(void);            /* defined nowhere */
__attribute__((weak)) int present_fn(int);         /* defined in defs.c */
extern int missing_var __attribute__((weak));      /* defined nowhere */
extern int present_var __attribute__((weak));      /* defined in defs.c */
int call_via_defs(void);
const char *both_weak_from_defs(void);

int main(void) {
    int fails = 0;
    printf("config_value() = %d\n", config_value());
    printf("name() = %s\n", name());
    printf("threshold = %d, weak_only = %d\n", threshold, weak_only);
    printf("call_via_defs() = %d\n", call_via_defs());
    printf("maybe is %s\n", maybe ? "present" : "absent");
    if (maybe) maybe();
    printf("present_fn is %s\n", present_fn ? "present" : "absent");
    if (present_fn) printf("present_fn(4) = %d\n", present_fn(4));
    printf("&missing_var is %s\n", &missing_var ? "non-null" : "null");
    printf("present_var = %d\n", &present_var ? present_var : -1);
    /* both files see the same winner */
    printf("both_weak: %s / %s\n", both_weak(), both_weak_from_defs());
    if (config_value() != 42 || threshold != 9 || weak_only != 3) fails++;
    if (maybe || !present_fn || &missing_var || !&present_var) fails++;
    if (both_weak() != both_weak_from_defs()) fails++;
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
