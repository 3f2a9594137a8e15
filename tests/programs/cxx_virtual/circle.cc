#include <cstdio>
#include "shape.h"
int Shape::live = 0;
Shape::~Shape() { --live; }
Named::~Named() {}
Circle::Circle(double r) : r(r) { ++live; }
Circle::~Circle() { std::printf("~Circle(%.1f)\n", r); }
double Circle::area() const { return 3.14159265358979 * r * r; }
const char *Circle::name() const { return "circle"; }
