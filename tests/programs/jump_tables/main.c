/* Exercises: many small functions (function index space, relocations in call
 * instructions), dense switches lowered to br_table, and a 32-entry function
 * pointer table in another file (element segment with many entries). */
#include <stdio.h>

#define F(n) int f##n(int x);
#define F8(a) F(a##0) F(a##1) F(a##2) F(a##3) F(a##4) F(a##5) F(a##6) F(a##7)
F8(0) F8(1) F8(2) F8(3)
extern int (*const dispatch[32])(int);

static int classify(int c) {
    switch (c) {
    case 0: return 11;  case 1: return 7;   case 2: return 19;  case 3: return 2;
    case 4: return 31;  case 5: return 5;   case 6: return 13;  case 7: return 29;
    case 8: return 17;  case 9: return 3;   case 10: return 23; case 11: return 37;
    case 12: return 41; case 13: return 43; case 14: return 47; case 15: return 53;
    default: return -1;
    }
}

static const char *word(int c) {
    switch (c & 7) {
    case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
    case 4: return "four"; case 5: return "five"; case 6: return "six"; default: return "seven";
    }
}

int main(void) {
    long acc = 0;
    for (int i = -2; i < 18; i++) acc = acc * 3 + classify(i);
    printf("classify acc = %ld\n", acc);
    int direct = f00(1) + f07(2) + f15(3) + f26(4) + f37(5);
    printf("direct = %d\n", direct);
    long h = 0;
    for (int i = 0; i < 32; i++) {
        int r = dispatch[i](i);
        h = h * 31 + r;
        if (i % 6 == 0) printf("dispatch[%d](%d) = %d (%s)\n", i, i, r, word(r));
    }
    printf("hash = %ld\n", h);
    return 0;
}
