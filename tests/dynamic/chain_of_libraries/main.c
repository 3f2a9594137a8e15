// The main module: needs both libraries; overrides libbase's weak function.
#define EXPORT __attribute__((visibility("default")))
extern int base_log[];
extern int base_log_len;
extern void base_record(int);
extern int mid_calc(int);
extern int mid_weak(void);
extern int base_own_weak(void);
EXPORT int main_hook(int x) { return x + 1000; }
EXPORT int base_weak(void) { return 200; }
__attribute__((constructor)) static void main_init(void) { base_record(3); }
EXPORT int ctor_order(void) {
  int v = 0;
  for (int i = 0; i < base_log_len; i++) v = v * 10 + base_log[i];
  return v;
}
EXPORT int calc(void) { return mid_calc(5); }
EXPORT int weak_from_mid(void) { return mid_weak(); }
EXPORT int weak_inside_base(void) { return base_own_weak(); }
