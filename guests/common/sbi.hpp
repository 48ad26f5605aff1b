// SBI calls from a bare-metal guest.
#pragma once

#include <cstdint>

namespace guest::sbi {

struct Ret {
    std::int64_t error;
    std::uint64_t value;
};

inline Ret call(std::uint64_t eid, std::uint64_t fid, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                std::uint64_t a2 = 0, std::uint64_t a3 = 0, std::uint64_t a4 = 0,
                std::uint64_t a5 = 0) {
    register std::uint64_t r_a0 asm("a0") = a0;
    register std::uint64_t r_a1 asm("a1") = a1;
    register std::uint64_t r_a2 asm("a2") = a2;
    register std::uint64_t r_a3 asm("a3") = a3;
    register std::uint64_t r_a4 asm("a4") = a4;
    register std::uint64_t r_a5 asm("a5") = a5;
    register std::uint64_t r_a6 asm("a6") = fid;
    register std::uint64_t r_a7 asm("a7") = eid;
    asm volatile("ecall"
                 : "+r"(r_a0), "+r"(r_a1)
                 : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a6), "r"(r_a7)
                 : "memory");
    return {static_cast<std::int64_t>(r_a0), r_a1};
}

inline constexpr std::uint64_t kBase = 0x10, kDbcn = 0x4442434E, kSrst = 0x53525354,
                               kTime = 0x54494D45, kIpi = 0x735049, kRfence = 0x52464E43,
                               kHsm = 0x48534D;
// Tessera's own extension (firmware-specific EID space, "TSR").
inline constexpr std::uint64_t kTessera = 0x0A545352;
inline constexpr std::uint64_t kWatchdogKick = 0;  // its FID 0

inline constexpr std::int64_t kSuccess = 0, kFailed = -1, kNotSupported = -2, kInvalidParam = -3,
                              kDenied = -4, kInvalidAddress = -5, kAlreadyAvailable = -6;

// The SBI error's name ("INVALID_PARAM"), nullptr for a code without one.
inline const char* error_name(std::int64_t error) {
    switch (error) {
        case 0: return "SUCCESS";
        case -1: return "FAILED";
        case -2: return "NOT_SUPPORTED";
        case -3: return "INVALID_PARAM";
        case -4: return "DENIED";
        case -5: return "INVALID_ADDRESS";
        case -6: return "ALREADY_AVAILABLE";
        case -7: return "ALREADY_STARTED";
        case -8: return "ALREADY_STOPPED";
        case -9: return "NO_SHMEM";
        default: return nullptr;
    }
}

inline Ret set_timer(std::uint64_t when) { return call(kTime, 0, when); }

// DBCN write may write less than it was given (the SBI spec allows partial
// writes): the rest goes in further calls, until an error.
inline void console_write(const char* text, std::uint64_t length) {
    while (length != 0) {
        const Ret ret = call(kDbcn, 0, length, reinterpret_cast<std::uintptr_t>(text), 0);
        if (ret.error != kSuccess || ret.value == 0 || ret.value > length) return;
        text += ret.value;
        length -= ret.value;
    }
}

[[noreturn]] inline void shutdown(bool success) {
    call(kSrst, 0, 0, success ? 0 : 1);
    for (;;) asm volatile("wfi");
}

// SRST warm reboot; returns the error if the call comes back.
inline std::int64_t warm_reboot() { return call(kSrst, 0, 2, 0).error; }

}  // namespace guest::sbi
