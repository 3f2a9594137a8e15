__attribute__((weak)) int not_linked(int);
int guarded(int x) { return not_linked ? not_linked(x) : -x; }
