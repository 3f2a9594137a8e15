// Exercises: user replacement of operator new/delete (strong symbols in an
// object beat weak definitions inside libc++/libc++abi archive members), with
// array new/delete still coming from libc++ and forwarding to the replacement.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

extern int g_allocs, g_frees;
extern long g_bytes;

struct Node { int v; Node *next; };

int main() {
    {
        Node *head = nullptr;
        for (int i = 0; i < 5; i++) head = new Node{ i, head };
        int sum = 0;
        while (head) { Node *n = head->next; sum += head->v; delete head; head = n; }
        std::printf("list sum %d: allocs %d frees %d bytes %ld\n", sum, g_allocs, g_frees, g_bytes);
    }
    {
        int *arr = new int[100];                   // operator new[] from libc++ -> our operator new
        for (int i = 0; i < 100; i++) arr[i] = i;
        long s = 0;
        for (int i = 0; i < 100; i++) s += arr[i];
        delete[] arr;
        std::printf("array sum %ld: allocs %d frees %d bytes %ld\n", s, g_allocs, g_frees, g_bytes);
    }
    {
        std::vector<std::unique_ptr<std::string>> v;
        for (int i = 0; i < 4; i++) v.push_back(std::make_unique<std::string>(40, char('a' + i)));
        std::printf("strings: %s...%s\n", v.front()->substr(0, 3).c_str(), v.back()->substr(37).c_str());
    }
    std::printf("balanced: %s\n", g_allocs == g_frees ? "yes" : "no");
    return g_allocs == g_frees ? 0 : 1;
}
