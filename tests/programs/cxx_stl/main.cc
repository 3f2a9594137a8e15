// Exercises: linking libc++/libc++abi archives (std::string, std::vector,
// std::map, <algorithm>, iostream with its static init of std::cout), with
// template instantiations shared between two objects (COMDAT).
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

std::map<std::string, int> word_counts(const std::vector<std::string> &words);
std::vector<std::string> split(const std::string &text, char sep);
std::string join(const std::vector<std::string> &parts, const std::string &sep);

int main() {
    std::string text = "the quick brown fox jumps over the lazy dog the end";
    std::vector<std::string> words = split(text, ' ');
    std::cout << "words: " << words.size() << "\n";
    auto counts = word_counts(words);
    for (const auto &kv : counts) std::cout << "  " << kv.first << " = " << kv.second << "\n";
    std::sort(words.begin(), words.end(), [](const std::string &a, const std::string &b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    words.erase(std::unique(words.begin(), words.end()), words.end());
    std::cout << "by length: " << join(words, ",") << "\n";
    std::vector<int> nums;
    for (int i = 0; i < 20; i++) nums.push_back((i * 37) % 23);
    std::cout << "max " << *std::max_element(nums.begin(), nums.end()) << " sum "
              << [&] { long s = 0; for (int n : nums) s += n; return s; }() << "\n";
    std::string big;
    for (int i = 0; i < 100; i++) big += std::to_string(i);
    std::cout << "big.size() = " << big.size() << ", tail " << big.substr(big.size() - 6) << std::endl;
    std::cerr << "done (stderr)" << std::endl;
    return counts["the"] == 3 ? 0 : 1;
}
