typedef int (*fn)(int);
extern int ext_fn(int);
extern int ext_data;
extern int lib_fn(int);
extern int lib_data;
extern int lib_read(void);
extern int lib_call(fn f, int x);
