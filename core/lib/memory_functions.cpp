// The C library functions that freestanding C++ code may still call
// (memcpy and friends from the compiler, strlen from std::string_view): the
// tessera_libc library of core/CMakeLists.txt, linked by the hypervisor and
// the guests, compiled so that these loops don't become calls to themselves.
#include <cstddef>
#include <cstdint>

extern "C" {

void* memcpy(void* destination, const void* source, std::size_t count) {
    auto* d = static_cast<unsigned char*>(destination);
    const auto* s = static_cast<const unsigned char*>(source);
    if (((reinterpret_cast<std::uintptr_t>(d) | reinterpret_cast<std::uintptr_t>(s)) & 7) == 0) {
        for (; count >= 8; count -= 8, d += 8, s += 8)
            *reinterpret_cast<std::uint64_t*>(d) = *reinterpret_cast<const std::uint64_t*>(s);
    }
    while (count-- != 0) *d++ = *s++;
    return destination;
}

void* memmove(void* destination, const void* source, std::size_t count) {
    auto* d = static_cast<unsigned char*>(destination);
    const auto* s = static_cast<const unsigned char*>(source);
    if (d <= s || d >= s + count) return memcpy(destination, source, count);
    while (count-- != 0) d[count] = s[count];
    return destination;
}

void* memset(void* destination, int value, std::size_t count) {
    auto* d = static_cast<unsigned char*>(destination);
    const auto byte = static_cast<unsigned char>(value);
    if ((reinterpret_cast<std::uintptr_t>(d) & 7) == 0) {
        const std::uint64_t word = 0x0101010101010101ULL * byte;
        for (; count >= 8; count -= 8, d += 8) *reinterpret_cast<std::uint64_t*>(d) = word;
    }
    while (count-- != 0) *d++ = byte;
    return destination;
}

int memcmp(const void* left, const void* right, std::size_t count) {
    const auto* l = static_cast<const unsigned char*>(left);
    const auto* r = static_cast<const unsigned char*>(right);
    for (; count != 0; --count, ++l, ++r) {
        if (*l != *r) return *l < *r ? -1 : 1;
    }
    return 0;
}
}

extern "C" std::size_t strlen(const char* text) {
    std::size_t length = 0;
    while (text[length] != 0) ++length;
    return length;
}
