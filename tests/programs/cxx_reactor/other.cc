#include <string>
static std::string make_suffix() { return std::string(3, '!') + "-x"; }
std::string suffix = make_suffix();
