#define EXPORT __attribute__((visibility("default")))
extern int main_value;                 // data in the main module
extern int main_twice(int);            // function in the main module
__attribute__((visibility("default"))) int side_data = 5;
int *side_ptr_to_main = &main_value;   // data pointer into the main module
int *side_ptr_to_own = &side_data;     // data pointer to its own data
static int add_one(int x) { return x + 1; }
int (*side_fptr)(int) = add_one;       // function pointer to its own function
int (*side_main_fptr)(int) = main_twice; // function pointer into the main module
static int ctor_ran;
__attribute__((constructor)) static void side_init(void) { ctor_ran = main_twice(side_data) * 10; }
EXPORT int side_sum(int x) {
  return side_fptr(x) + side_main_fptr(x) + *side_ptr_to_main + *side_ptr_to_own + ctor_ran;
}
EXPORT int (*side_get_fn(void))(int) { return add_one; }
