#include <cstdio>
#include "log.h"
static int events;
void log_event(const char *what) { std::printf("[%02d] %s\n", ++events, what); }
Tracer::Tracer(const char *n) : name(n) { std::printf("ctor "); log_event(n); }
Tracer::~Tracer() { std::printf("dtor "); log_event(name); }

static int compute() { log_event("a.cc computes computed_in_a"); return 6 * 7; }
int computed_in_a = compute();
static Tracer a_obj("a.cc global");
static Tracer a_early __attribute__((init_priority(101))) ("a.cc init_priority(101)");
