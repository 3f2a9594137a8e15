#include <map>
#include <sstream>
#include <string>
#include <vector>

std::vector<std::string> split(const std::string &text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == sep) { if (!cur.empty()) out.push_back(cur); cur.clear(); }
        else cur += c;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}
std::map<std::string, int> word_counts(const std::vector<std::string> &words) {
    std::map<std::string, int> m;
    for (const auto &w : words) ++m[w];
    return m;
}
std::string join(const std::vector<std::string> &parts, const std::string &sep) {
    std::ostringstream os;
    for (size_t i = 0; i < parts.size(); i++) os << (i ? sep : "") << parts[i];
    return os.str();
}
