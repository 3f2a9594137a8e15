#include <iostream>
#include <map>
#include <unordered_map>
#include <algorithm>
#include <iomanip>
#include "shapes.h"

void ledger_report(const std::vector<Entry> &entries) {
    std::unordered_map<std::string, long> balance;
    std::unordered_map<std::string, int> count;
    for (const auto &e : entries) {
        balance[e.account] += e.cents;
        ++count[e.account];
    }
    std::vector<std::pair<std::string, long>> rows(balance.begin(), balance.end());
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::cout << "ledger: " << entries.size() << " entries, " << rows.size() << " accounts\n";
    for (const auto &[acct, cents] : rows) {
        std::cout << "  " << std::setw(10) << std::left << acct << std::right << std::setw(4)
                  << count[acct] << std::setw(12) << std::fixed << std::setprecision(2)
                  << cents / 100.0 << '\n';
    }
    // ordered view of the same data, by the first letter
    std::map<char, std::vector<std::string>> by_letter;
    for (const auto &r : rows) by_letter[r.first[0]].push_back(r.first);
    for (auto &[c, names] : by_letter) {
        std::sort(names.begin(), names.end());
        std::cout << "  " << c << ':';
        for (const auto &n : names) std::cout << ' ' << n;
        std::cout << '\n';
    }
}
