/* 32 tiny functions, some calling each other, and a table of all of them. */
#define F(n, expr) int f##n(int x) { return expr; }
int f00(int); int f10(int); int f20(int);
F(00, x + 1) F(01, x * 2) F(02, x - 3) F(03, x ^ 5) F(04, f00(x) * 3) F(05, x % 7) F(06, x << 2) F(07, x * x)
F(10, x + 10) F(11, x * 11) F(12, f10(x) - 12) F(13, x | 13) F(14, x & 14) F(15, x / 2 + 15) F(16, -x) F(17, 17)
F(20, x + 20) F(21, f20(x) + f00(x)) F(22, x * 22) F(23, x - 23) F(24, x ^ 24) F(25, x + 25) F(26, x * 26) F(27, 27 - x)
F(30, x + 30) F(31, x * 31) F(32, x - 32) F(33, x ^ 33) F(34, x | 34) F(35, x & 35) F(36, x >> 1) F(37, f07(x) + 1)
int (*const dispatch[32])(int) = {
    f00, f01, f02, f03, f04, f05, f06, f07, f10, f11, f12, f13, f14, f15, f16, f17,
    f20, f21, f22, f23, f24, f25, f26, f27, f30, f31, f32, f33, f34, f35, f36, f37,
};
