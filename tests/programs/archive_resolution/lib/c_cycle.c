int cycle_next(int n);
int cycle_start(int n) { return n <= 0 ? 0 : n + cycle_next(n - 1); }
