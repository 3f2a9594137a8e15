#define EXPORT __attribute__((visibility("default")))
extern int side_data;
extern int side_sum(int);
extern int (*side_get_fn(void))(int);
EXPORT int main_value = 1000;
EXPORT int main_twice(int x) { return 2 * x; }
__attribute__((weak)) extern int missing_weak(int);
EXPORT int run(void) { return side_sum(10) + side_get_fn()(1) + side_data + (missing_weak ? 1 : 0); }
EXPORT int weak_absent(void) { return missing_weak == 0; }
EXPORT int side_data_now(void) { return side_data; }
