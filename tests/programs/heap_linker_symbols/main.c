/* Exercises: linker-synthesized symbols (__heap_base, __data_end,
 * __stack_low/__stack_high, __dso_handle) and their invariants, the stack size
 * (deep recursion within 64 KiB), and malloc growing memory past the initial
 * size (memory.grow; memory must have no maximum). Prints only relations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern unsigned char __heap_base[], __data_end[], __stack_low[], __stack_high[];
extern void *__dso_handle;
extern char last_data[];          /* in other.c */
long recurse(int depth, volatile char *prev);

static int sane(void) {
    uintptr_t hb = (uintptr_t)__heap_base, de = (uintptr_t)__data_end;
    int ok = 1;
#define REL(c) do { int v_ = (c); printf("%-44s %s\n", #c, v_ ? "yes" : "NO"); ok &= v_; } while (0)
    REL(hb >= de);
    REL(hb % 16 == 0);
    REL(hb >= (uintptr_t)__stack_high);
    REL((uintptr_t)__stack_high <= (uintptr_t)last_data || (uintptr_t)__stack_low >= de); /* stack/data disjoint */
    REL((uintptr_t)last_data + 1 <= de);
    REL((uintptr_t)__stack_high - (uintptr_t)__stack_low == 65536);
    REL((uintptr_t)__stack_high % 16 == 0);
    REL((uintptr_t)&__dso_handle != 0);
    REL(__builtin_wasm_memory_size(0) * 65536 >= hb);
    return ok;
}

int main(void) {
    int ok = sane();
    volatile char here = 0;
    printf("recursion result %ld\n", recurse(200, &here));   /* ~200 frames x ~100 bytes */
    size_t before = __builtin_wasm_memory_size(0);
    enum { N = 64, SZ = 256 * 1024 };                          /* 16 MiB total */
    unsigned char *blocks[N];
    unsigned long sum = 0;
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(SZ);
        if (!blocks[i]) { printf("malloc failed at %d\n", i); return 1; }
        memset(blocks[i], i + 1, SZ);
    }
    for (int i = 0; i < N; i++) sum += blocks[i][SZ / 2] + blocks[i][SZ - 1];
    size_t after = __builtin_wasm_memory_size(0);
    printf("sum %lu, memory grew: %s (by at least 256 pages: %s)\n", sum, after > before ? "yes" : "NO",
           after - before >= 256 ? "yes" : "NO");
    for (int i = 0; i < N; i++) free(blocks[i]);
    char *s = calloc(1000, 1);
    printf("calloc zeroed: %s\n", s && s[999] == 0 && s[0] == 0 ? "yes" : "NO");
    free(s);
    return ok ? 0 : 1;
}
