#include "log.h"
static Tracer b_obj("b.cc global");
static Tracer b_arr[2] = { Tracer("b.cc array[0]"), Tracer("b.cc array[1]") };
