/* Exercises: archive symbol resolution order — the first member defining a
 * symbol wins (later duplicate definitions are never extracted), members may
 * reference earlier members and each other cyclically, and a member pulled in
 * for one symbol brings strong definitions that override weak ones in main.c. */
#include <stdio.h>

const char *pick(void);          /* defined in lib/a_first.c AND lib/b_second.c */
int cycle_start(int n);          /* lib/c_cycle.c <-> lib/d_cycle.c */
int z_last(int);                 /* lib/z_last.c, which calls back into lib/a_first.c */
int feature_entry(void);         /* lib/feature.c: also defines hook() strongly */
__attribute__((weak)) const char *hook(void) { return "weak hook in main.c"; }
__attribute__((weak)) int lonely(void);   /* only in lib/lonely.c: weak ref, stays null */

int main(void) {
    printf("pick() = %s\n", pick());
    printf("cycle_start(10) = %d\n", cycle_start(10));
    printf("z_last(4) = %d\n", z_last(4));
    printf("feature_entry() = %d\n", feature_entry());
    printf("hook() = %s\n", hook());
    printf("lonely is %s\n", lonely ? "present" : "absent");
    return 0;
}
