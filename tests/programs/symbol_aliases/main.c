/* Exercises: symbol aliases — several symbols naming one function or one data
 * object (same function index / address), and a weak alias overridden by a
 * strong definition in another file while the aliased target stays reachable. */
#include <stdio.h>

int real_impl(int x);
int alias_fn(int x);                 /* alias of real_impl (aliases.c) */
int hook(void);                      /* weak alias of default_hook, overridden in override.c */
int default_hook(void);
int other_hook(void);                /* weak alias of default_hook, NOT overridden */
extern int data_real, data_alias;    /* data_alias aliases data_real */
extern int table_alias[4];           /* alias of a static array */
void *real_impl_addr(void);
void *data_real_addr(void);

int main(void) {
    int fails = 0;
    printf("real_impl(1)=%d alias_fn(1)=%d\n", real_impl(1), alias_fn(1));
    /* compare against addresses taken in aliases.c so the compiler cannot fold it */
    printf("same function: %d\n", (void *)alias_fn == real_impl_addr());
    if ((void *)alias_fn != real_impl_addr()) fails++;
    printf("hook()=%d default_hook()=%d other_hook()=%d\n", hook(), default_hook(), other_hook());
    if (hook() != 2 || default_hook() != 1 || other_hook() != 1) fails++;
    int (*fp)(int) = alias_fn;
    printf("via pointer: %d\n", fp(41));
    data_alias = 77;
    printf("data_real=%d (written via alias), same object: %d\n", data_real, (void *)&data_alias == data_real_addr());
    if (data_real != 77) fails++;
    table_alias[2] += 100;
    printf("table_alias = %d %d %d %d\n", table_alias[0], table_alias[1], table_alias[2], table_alias[3]);
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
