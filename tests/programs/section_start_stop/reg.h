/* Registry entries placed in a custom data section. */
struct reg_entry { const char *name; int prio; int (*fn)(int); };
#define REGISTER(nm, prio, fn)                                                 \
    __attribute__((used, retain, section("weldreg"), aligned(4)))              \
    static const struct reg_entry reg_##nm = { #nm, prio, fn }
