// A C++ program against libc++: virtual dispatch across files, standard
// containers, <algorithm> with lambdas, iostream formatting.
#include <iostream>
#include <iomanip>
#include <map>
#include <numeric>
#include <algorithm>
#include <unordered_map>
#include "shapes.h"

static const char *accounts[] = {"rent", "food", "travel", "books", "tools", "fees", "gifts"};

int main() {
    auto shapes = make_shapes(40);
    std::cout << "shapes: " << shapes.size() << '\n';
    for (size_t i = 0; i < 6; i++) std::cout << "  " << shapes[i]->describe() << '\n';

    std::sort(shapes.begin(), shapes.end(), [](const auto &a, const auto &b) {
        return a->area() != b->area() ? a->area() > b->area() : a->name() < b->name();
    });
    std::cout << "largest:\n";
    for (size_t i = 0; i < 5; i++) std::cout << "  " << shapes[i]->describe() << '\n';

    std::map<std::string, std::pair<int, double>> by_kind;
    for (const auto &s : shapes) {
        auto &slot = by_kind[s->kind()];
        slot.first++;
        slot.second += s->area();
    }
    std::cout << std::fixed << std::setprecision(4);
    for (const auto &[kind, v] : by_kind)
        std::cout << "  " << kind << " x" << v.first << " total area " << v.second << '\n';

    for (auto &s : shapes) s->scale(s->kind() == "circle" ? 2.0 : 0.5);
    double total = std::accumulate(shapes.begin(), shapes.end(), 0.0,
                                   [](double acc, const auto &s) { return acc + s->area(); });
    double perim = 0;
    for (const auto &s : shapes) perim += s->perimeter();
    std::cout << "after scaling: area " << total << " perimeter " << std::setprecision(6) << perim << '\n';
    auto n_big = std::count_if(shapes.begin(), shapes.end(), [](const auto &s) { return s->area() > 10; });
    std::cout << "big shapes: " << n_big << '\n';

    std::vector<Entry> entries;
    unsigned x = 99;
    for (int i = 0; i < 500; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        long cents = static_cast<long>(x % 20000) - 4000;
        entries.push_back({accounts[x % 7], cents});
    }
    ledger_report(entries);

    std::unordered_map<std::string, int> words;
    std::string text = "to be or not to be that is the question whether tis nobler in the mind to suffer";
    std::string w;
    for (char c : text + " ") {
        if (c == ' ') { if (!w.empty()) ++words[w]; w.clear(); } else w += c;
    }
    std::vector<std::pair<std::string, int>> wv(words.begin(), words.end());
    std::stable_sort(wv.begin(), wv.end(), [](auto &a, auto &b) { return a.first < b.first; });
    std::stable_sort(wv.begin(), wv.end(), [](auto &a, auto &b) { return a.second > b.second; });
    std::cout << "words:";
    for (size_t i = 0; i < 6; i++) std::cout << ' ' << wv[i].first << '=' << wv[i].second;
    std::cout << "\n" << std::scientific << std::setprecision(3) << 1234.5678 << ' ' << std::hex
              << 48879 << std::dec << ' ' << std::boolalpha << (total > perim) << std::endl;
    std::cerr << "stderr works" << std::endl;
    return 0;
}
