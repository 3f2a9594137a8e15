// Class hierarchy shared by all files; vtables are emitted in the file that
// defines each class's first non-inline virtual function (key function).
#pragma once
struct Named {
    virtual ~Named();
    virtual const char *name() const = 0;
};
struct Shape {
    virtual ~Shape();
    virtual double area() const = 0;
    virtual int sides() const { return 0; }   // inline virtual: vtable users share it
    static int live;
};
struct Circle : Shape, Named {                // multiple inheritance: this-adjusting thunks
    explicit Circle(double r);
    ~Circle() override;
    double area() const override;
    const char *name() const override;
    double r;
};
struct Square : Shape, Named {
    explicit Square(double s);
    double area() const override;
    int sides() const override;
    const char *name() const override;
    double s;
};
Shape *make_shape(int kind, double size);
