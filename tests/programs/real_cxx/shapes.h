// A small class hierarchy whose virtual functions live in shapes.cc, used
// from main.cc and ledger.cc.
#pragma once
#include <memory>
#include <string>
#include <vector>

class Shape {
public:
    explicit Shape(std::string name) : name_(std::move(name)) {}
    virtual ~Shape();
    virtual double area() const = 0;
    virtual double perimeter() const = 0;
    virtual std::string kind() const { return "shape"; }
    virtual void scale(double k) = 0;
    const std::string &name() const { return name_; }
    std::string describe() const;  // calls the virtuals

private:
    std::string name_;
};

class Circle : public Shape {
public:
    Circle(std::string name, double r) : Shape(std::move(name)), r_(r) {}
    double area() const override;
    double perimeter() const override;
    std::string kind() const override { return "circle"; }
    void scale(double k) override { r_ *= k; }

private:
    double r_;
};

class Rect : public Shape {
public:
    Rect(std::string name, double w, double h) : Shape(std::move(name)), w_(w), h_(h) {}
    double area() const override;
    double perimeter() const override;
    std::string kind() const override { return "rect"; }
    void scale(double k) override { w_ *= k; h_ *= k; }

protected:
    double w_, h_;
};

class Square final : public Rect {
public:
    Square(std::string name, double s) : Rect(std::move(name), s, s) {}
    std::string kind() const override { return "square"; }
};

class Polygon : public Shape {
public:
    Polygon(std::string name, std::vector<std::pair<double, double>> pts)
        : Shape(std::move(name)), pts_(std::move(pts)) {}
    double area() const override;
    double perimeter() const override;
    std::string kind() const override;
    void scale(double k) override;

private:
    std::vector<std::pair<double, double>> pts_;
};

std::vector<std::unique_ptr<Shape>> make_shapes(int n);

// ledger.cc
struct Entry {
    std::string account;
    long cents;
};
void ledger_report(const std::vector<Entry> &entries);
