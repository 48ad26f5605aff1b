// Calls from the hypervisor (HS-mode) to the SBI firmware below it (OpenSBI).
#pragma once

#include <cstdint>

namespace tessera::arch {

struct SbiRet {
    std::int64_t error;
    std::uint64_t value;
};

inline SbiRet firmware_call(std::uint64_t eid, std::uint64_t fid, std::uint64_t a0 = 0,
                            std::uint64_t a1 = 0, std::uint64_t a2 = 0) {
    register std::uint64_t r_a0 asm("a0") = a0;
    register std::uint64_t r_a1 asm("a1") = a1;
    register std::uint64_t r_a2 asm("a2") = a2;
    register std::uint64_t r_a6 asm("a6") = fid;
    register std::uint64_t r_a7 asm("a7") = eid;
    asm volatile("ecall"
                 : "+r"(r_a0), "+r"(r_a1)
                 : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                 : "memory");
    return {static_cast<std::int64_t>(r_a0), r_a1};
}

}  // namespace tessera::arch
