/* A second file contributing .bss, .data with alignment 256, and .rodata. */
_Alignas(256) long long other_aligned[2] = { 1LL << 40, -7 };
char other_bss[70000];
const char other_ro[] = "read-only text";
long long sum_other_bss(void) {
    long long s = 0;
    for (unsigned i = 0; i < sizeof other_bss; i++) s += other_bss[i];
    return s;
}
