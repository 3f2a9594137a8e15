// Exercises: C++ vtables and typeinfo defined in different objects, key
// functions, this-adjusting thunks (multiple inheritance), dynamic_cast and
// typeid (libc++abi RTTI), virtual destructors through base pointers.
#include <cstdio>
#include <typeinfo>
#include "shape.h"

int main() {
    Shape *shapes[4] = { make_shape(0, 1.0), make_shape(1, 2.0), make_shape(0, 0.5), make_shape(1, 3.0) };
    double total = 0;
    for (Shape *s : shapes) {
        Named *n = dynamic_cast<Named *>(s);
        std::printf("%-6s sides=%d area=%.4f circle?%d square?%d\n", n ? n->name() : "?", s->sides(), s->area(),
                    dynamic_cast<Circle *>(s) != nullptr, dynamic_cast<Square *>(s) != nullptr);
        total += s->area();
    }
    std::printf("typeid: %s %s\n", typeid(*shapes[0]).name(), typeid(*shapes[1]).name());
    std::printf("same type: %d %d\n", typeid(*shapes[0]) == typeid(*shapes[2]), typeid(*shapes[0]) == typeid(*shapes[1]));
    std::printf("live=%d total=%.4f\n", Shape::live, total);
    Named *via_named = dynamic_cast<Named *>(shapes[3]);
    std::printf("via Named*: %s\n", via_named->name());
    delete via_named;                           // deleting destructor through the second base
    shapes[3] = nullptr;
    for (Shape *s : shapes) delete s;
    std::printf("live after delete=%d\n", Shape::live);
    return Shape::live;
}
