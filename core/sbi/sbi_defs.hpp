// SBI constants (RISC-V Supervisor Binary Interface, v2.0).
#pragma once

#include <cstdint>

namespace tessera::sbi {

namespace ext {
inline constexpr std::uint64_t LEGACY_CONSOLE_PUTCHAR = 0x01;
inline constexpr std::uint64_t LEGACY_CONSOLE_GETCHAR = 0x02;
inline constexpr std::uint64_t BASE = 0x10;
inline constexpr std::uint64_t HSM = 0x48534D;
inline constexpr std::uint64_t SRST = 0x53525354;
inline constexpr std::uint64_t DBCN = 0x4442434E;
}  // namespace ext

namespace base_fn {
inline constexpr std::uint64_t GET_SPEC_VERSION = 0, GET_IMPL_ID = 1, GET_IMPL_VERSION = 2,
                               PROBE_EXTENSION = 3, GET_MVENDORID = 4, GET_MARCHID = 5,
                               GET_MIMPID = 6;
}

namespace hsm_fn {
inline constexpr std::uint64_t HART_START = 0, HART_STOP = 1, HART_GET_STATUS = 2;
}

namespace dbcn_fn {
inline constexpr std::uint64_t WRITE = 0, READ = 1, WRITE_BYTE = 2;
}

namespace srst {
inline constexpr std::uint64_t FN_SYSTEM_RESET = 0;
inline constexpr std::uint64_t TYPE_SHUTDOWN = 0, TYPE_COLD_REBOOT = 1, TYPE_WARM_REBOOT = 2;
inline constexpr std::uint64_t REASON_NONE = 0, REASON_SYSTEM_FAILURE = 1;
}  // namespace srst

namespace error {
inline constexpr std::int64_t SUCCESS = 0;
inline constexpr std::int64_t FAILED = -1;
inline constexpr std::int64_t NOT_SUPPORTED = -2;
inline constexpr std::int64_t INVALID_PARAM = -3;
inline constexpr std::int64_t DENIED = -4;
inline constexpr std::int64_t INVALID_ADDRESS = -5;
inline constexpr std::int64_t ALREADY_AVAILABLE = -6;
}  // namespace error

inline constexpr std::uint64_t kSpecVersion = (2ULL << 24) | 0;  // v2.0
// Implementation ID: not in the SBI registry; "TESS" in ASCII.
inline constexpr std::uint64_t kImplId = 0x54455353;
inline constexpr std::uint64_t kImplVersion = (0ULL << 16) | (1ULL << 8) | 0;  // 0.1.0

}  // namespace tessera::sbi
