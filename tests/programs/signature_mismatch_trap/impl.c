double scale(double x) { return x * 4.0; }
double call_scale_correctly(double x) { return scale(x) + 0.5; }
