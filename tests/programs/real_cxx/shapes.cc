#include "shapes.h"

#include <cmath>
#include <sstream>
#include <iomanip>

Shape::~Shape() = default;

std::string Shape::describe() const {
    std::ostringstream os;
    os << std::left << std::setw(8) << kind() << std::right << ' ' << std::setw(6) << name()
       << std::fixed << std::setprecision(3) << " area=" << std::setw(10) << area()
       << " perim=" << std::setw(9) << perimeter();
    return os.str();
}

double Circle::area() const { return M_PI * r_ * r_; }
double Circle::perimeter() const { return 2 * M_PI * r_; }
double Rect::area() const { return w_ * h_; }
double Rect::perimeter() const { return 2 * (w_ + h_); }

double Polygon::area() const {  // shoelace
    double s = 0;
    for (size_t i = 0; i < pts_.size(); i++) {
        const auto &a = pts_[i], &b = pts_[(i + 1) % pts_.size()];
        s += a.first * b.second - b.first * a.second;
    }
    return std::fabs(s) / 2;
}

double Polygon::perimeter() const {
    double s = 0;
    for (size_t i = 0; i < pts_.size(); i++) {
        const auto &a = pts_[i], &b = pts_[(i + 1) % pts_.size()];
        s += std::hypot(b.first - a.first, b.second - a.second);
    }
    return s;
}

std::string Polygon::kind() const { return "poly" + std::to_string(pts_.size()); }

void Polygon::scale(double k) {
    for (auto &p : pts_) { p.first *= k; p.second *= k; }
}

std::vector<std::unique_ptr<Shape>> make_shapes(int n) {
    std::vector<std::unique_ptr<Shape>> v;
    unsigned seed = 17;
    auto next = [&seed] { seed = seed * 1664525u + 1013904223u; return (seed >> 8) % 1000; };
    for (int i = 0; i < n; i++) {
        std::string name = "s" + std::to_string(i);
        switch (next() % 4) {
        case 0: v.push_back(std::make_unique<Circle>(name, 0.5 + next() / 200.0)); break;
        case 1: v.push_back(std::make_unique<Rect>(name, 1 + next() / 100.0, 1 + next() / 250.0)); break;
        case 2: v.push_back(std::make_unique<Square>(name, 0.25 + next() / 150.0)); break;
        default: {
            std::vector<std::pair<double, double>> pts;
            int k = 3 + next() % 4;
            for (int j = 0; j < k; j++) {
                double ang = 2 * M_PI * j / k, r = 1 + next() / 500.0;
                pts.emplace_back(r * std::cos(ang), r * std::sin(ang));
            }
            v.push_back(std::make_unique<Polygon>(name, std::move(pts)));
        }
        }
    }
    return v;
}
