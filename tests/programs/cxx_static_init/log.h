#pragma once
void log_event(const char *what);
struct Tracer {
    const char *name;
    explicit Tracer(const char *n);
    ~Tracer();
};
