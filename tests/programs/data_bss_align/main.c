/* Exercises: .bss (large zero-initialised arrays, not stored in the file but
 * zero at startup), .data, .rodata, and over-aligned objects (_Alignas 64..4096)
 * placed across files. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char big_zero[200000];          /* ~195 KiB of .bss */
int zero_ints[1000];
_Alignas(64) static char aligned64[3] = { 'a', 'b', 'c' };
_Alignas(4096) int page_aligned[4] = { 4, 0, 9, 6 };
static const double rodata_table[5] = { 0.5, 1.25, 2.75, 4.0, -7.5 };
int data_counter = 17;
char after_odd = 'z';                           /* odd-sized neighbours */
short halfs[3] = { -1, 2, -3 };

extern _Alignas(256) long long other_aligned[2];
extern char other_bss[70000];
extern const char other_ro[];
long long sum_other_bss(void);

int main(void) {
    int fails = 0;
    unsigned long nz = 0;
    for (unsigned i = 0; i < sizeof big_zero; i++) nz += big_zero[i] != 0;
    for (int i = 0; i < 1000; i++) nz += zero_ints[i] != 0;
    printf("nonzero in bss: %lu, other_bss sum %lld\n", nz, sum_other_bss());
    if (nz || sum_other_bss()) fails++;
    for (unsigned i = 0; i < sizeof big_zero; i++) big_zero[i] = (unsigned char)(i * 7);
    memset(other_bss, 1, sizeof other_bss);
    unsigned long sum = 0;
    for (unsigned i = 0; i < sizeof big_zero; i++) sum += big_zero[i];
    printf("after write: sum %lu, other_bss sum %lld\n", sum, sum_other_bss());
    printf("align64 %d align4096 %d align256 %d\n", (int)((uintptr_t)aligned64 % 64 == 0),
           (int)((uintptr_t)page_aligned % 4096 == 0), (int)((uintptr_t)other_aligned % 256 == 0));
    if ((uintptr_t)aligned64 % 64 || (uintptr_t)page_aligned % 4096 || (uintptr_t)other_aligned % 256) fails++;
    printf("aligned64 %.3s page %d%d%d%d other %lld %lld\n", aligned64, page_aligned[0], page_aligned[1],
           page_aligned[2], page_aligned[3], other_aligned[0], other_aligned[1]);
    double t = 0;
    for (int i = 0; i < 5; i++) t += rodata_table[i];
    printf("rodata sum %.2f, other_ro %s\n", t, other_ro);
    printf("data %d %c %d %d %d\n", data_counter, after_odd, halfs[0], halfs[1], halfs[2]);
    data_counter += 1;
    page_aligned[1] = 5;
    printf("modified %d %d\n", data_counter, page_aligned[1]);
    printf("%s\n", fails ? "SOME FAILED" : "all ok");
    return fails;
}
