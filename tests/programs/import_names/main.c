/* Exercises: import_module/import_name attributes — WASI functions imported
 * under custom C names (two C symbols for the same import, plus libc's own
 * import of it), an import_name on a function that is defined elsewhere in the
 * link (the definition wins, no import), and on a weak undefined function. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__attribute__((import_module("wasi_snapshot_preview1"), import_name("sched_yield")))
int my_yield(void);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("args_sizes_get")))
int my_args_sizes(uint32_t *argc, uint32_t *buf_size);
/* defined in impl.c, so no import is generated for env.never_imported */
__attribute__((import_module("env"), import_name("never_imported")))
int provided_elsewhere(int);
/* weak and undefined: resolves to null, no import either */
__attribute__((weak, import_module("env"), import_name("optional_host_fn")))
int optional_host_fn(void);

int yield_from_other_file(void);
int argc_from_other_file(void);

int main(int argc, char **argv) {
    int fails = 0;
    uint32_t n = 0, size = 0;
    int e1 = my_yield();
    int e2 = yield_from_other_file();
    int e3 = my_args_sizes(&n, &size);
    printf("sched_yield errno %d/%d, args_sizes_get errno %d\n", e1, e2, e3);
    printf("argc main=%d import=%u other=%d, argv bytes=%u\n", argc, n, argc_from_other_file(), size);
    uint32_t expect = 0;
    for (int i = 0; i < argc; i++) expect += strlen(argv[i]) + 1;
    for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    if (e1 || e2 || e3 || (int)n != argc || size != expect) fails++;
    printf("provided_elsewhere(20) = %d\n", provided_elsewhere(20));
    printf("optional_host_fn is %s\n", optional_host_fn ? "present" : "absent");
    if (provided_elsewhere(20) != 62 || optional_host_fn) fails++;
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
