/* Another C name for the same WASI import, and the definition of provided_elsewhere. */
#include <stdint.h>
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sched_yield")))
int yield_again(void);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("args_sizes_get")))
int args_sizes_again(uint32_t *argc, uint32_t *buf_size);

int yield_from_other_file(void) { return yield_again(); }
int argc_from_other_file(void) {
    uint32_t n = 0, size = 0;
    return args_sizes_again(&n, &size) ? -1 : (int)n;
}
int provided_elsewhere(int x) { return 3 * x + 2; }
