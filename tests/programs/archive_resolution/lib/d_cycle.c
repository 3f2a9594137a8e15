int cycle_start(int n);
int cycle_next(int n) { return n <= 0 ? 0 : 2 * n + cycle_start(n - 1); }
