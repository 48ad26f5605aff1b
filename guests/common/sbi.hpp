// SBI calls from a bare-metal guest.
#pragma once

#include <cstdint>

namespace guest::sbi {

struct Ret {
    std::int64_t error;
    std::uint64_t value;
};

inline Ret call(std::uint64_t eid, std::uint64_t fid, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                std::uint64_t a2 = 0) {
    register std::uint64_t r_a0 asm("a0") = a0;
    register std::uint64_t r_a1 asm("a1") = a1;
    register std::uint64_t r_a2 asm("a2") = a2;
    register std::uint64_t r_a6 asm("a6") = fid;
    register std::uint64_t r_a7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
    return {static_cast<std::int64_t>(r_a0), r_a1};
}

inline constexpr std::uint64_t kBase = 0x10, kDbcn = 0x4442434E, kSrst = 0x53525354;

inline void console_write(const char* text, std::uint64_t length) {
    call(kDbcn, 0, length, reinterpret_cast<std::uintptr_t>(text), 0);
}

[[noreturn]] inline void shutdown(bool success) {
    call(kSrst, 0, 0, success ? 0 : 1);
    for (;;) asm volatile("wfi");
}

}  // namespace guest::sbi
