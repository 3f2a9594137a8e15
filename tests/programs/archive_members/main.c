/* Exercises: archive member extraction. Only members that resolve a strong
 * undefined symbol are pulled (directly or transitively); members that would
 * only satisfy a weak undefined or an already-(weakly)-defined symbol are not,
 * so their constructors must not run. */
#include <stdio.h>

int lib_entry(int x);                            /* lib/entry.c */
extern const int lib_data[4];                    /* lib/data.c */
__attribute__((weak)) int weak_hook(void);       /* only in lib/weakhook.c: not pulled */
__attribute__((weak)) int bonus(void);           /* lib/data.c: pulled via lib_data */
__attribute__((weak)) const char *shadowed(void) { return "main.c weak"; } /* lib/shadow.c not pulled */

int main(void) {
    printf("main start\n");
    printf("lib_entry(5) = %d\n", lib_entry(5));
    printf("lib_data = %d %d %d %d\n", lib_data[0], lib_data[1], lib_data[2], lib_data[3]);
    printf("weak_hook: %s\n", weak_hook ? "pulled" : "absent");
    if (bonus) printf("bonus() = %d\n", bonus());
    else printf("bonus: absent\n");
    printf("shadowed() = %s\n", shadowed());
    return 0;
}
