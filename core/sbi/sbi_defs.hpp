// SBI constants (RISC-V Supervisor Binary Interface, v2.0).
#pragma once

#include <cstdint>

namespace tessera::sbi {

namespace ext {
inline constexpr std::uint64_t LEGACY_CONSOLE_PUTCHAR = 0x01;
inline constexpr std::uint64_t LEGACY_CONSOLE_GETCHAR = 0x02;
inline constexpr std::uint64_t BASE = 0x10;
inline constexpr std::uint64_t TIME = 0x54494D45;
inline constexpr std::uint64_t IPI = 0x735049;
inline constexpr std::uint64_t RFENCE = 0x52464E43;
inline constexpr std::uint64_t HSM = 0x48534D;
inline constexpr std::uint64_t SRST = 0x53525354;
inline constexpr std::uint64_t DBCN = 0x4442434E;
// Tessera's own services, in the firmware-specific space (0x0A000000 to
// 0x0AFFFFFF): "TSR". Documented in docs/architecture.md.
inline constexpr std::uint64_t TESSERA = 0x0A545352;
}  // namespace ext

namespace tessera_fn {
// The partition's watchdog (tessera,watchdog-ms) starts over. SBI_SUCCESS,
// or SBI_ERR_NOT_SUPPORTED when the partition has no watchdog.
inline constexpr std::uint64_t WATCHDOG_KICK = 0;
}

namespace base_fn {
inline constexpr std::uint64_t GET_SPEC_VERSION = 0, GET_IMPL_ID = 1, GET_IMPL_VERSION = 2,
                               PROBE_EXTENSION = 3, GET_MVENDORID = 4, GET_MARCHID = 5,
                               GET_MIMPID = 6;
}

namespace time_fn {
inline constexpr std::uint64_t SET_TIMER = 0;
}

namespace ipi_fn {
inline constexpr std::uint64_t SEND_IPI = 0;
}

namespace rfence_fn {
inline constexpr std::uint64_t REMOTE_FENCE_I = 0, REMOTE_SFENCE_VMA = 1,
                               REMOTE_SFENCE_VMA_ASID = 2, REMOTE_HFENCE_GVMA_VMID = 3,
                               REMOTE_HFENCE_GVMA = 4, REMOTE_HFENCE_VVMA_ASID = 5,
                               REMOTE_HFENCE_VVMA = 6;
}

namespace hsm_fn {
inline constexpr std::uint64_t HART_START = 0, HART_STOP = 1, HART_GET_STATUS = 2,
                               HART_SUSPEND = 3;
}

// HSM hart states (SBI v2.0, table "HSM Hart States").
namespace hsm_state {
inline constexpr std::uint32_t STARTED = 0, STOPPED = 1, START_PENDING = 2, STOP_PENDING = 3,
                               SUSPENDED = 4, SUSPEND_PENDING = 5, RESUME_PENDING = 6;
}

namespace hsm_suspend {
inline constexpr std::uint64_t RETENTIVE = 0x00000000, NON_RETENTIVE = 0x80000000;
}

// Hart masks: hart_mask_base == kAllHarts means "every hart", mask ignored.
inline constexpr std::uint64_t kAllHarts = ~0ULL;

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

// The SBI specification version as get_spec_version returns it: the major
// number in bits 30:24, the minor in 23:0.
constexpr std::uint64_t spec_version(std::uint64_t major, std::uint64_t minor) {
    return (major << 24) | minor;
}
inline constexpr std::uint64_t kSpecVersion = spec_version(2, 0);
// Implementation ID: not in the SBI registry; "TESS" in ASCII.
inline constexpr std::uint64_t kImplId = 0x54455353;
// Tessera's version as get_impl_version returns it (the encoding is the
// implementation's choice): major, minor and patch in bits 23:16, 15:8, 7:0.
constexpr std::uint64_t impl_version(std::uint64_t major, std::uint64_t minor,
                                     std::uint64_t patch) {
    return (major << 16) | (minor << 8) | patch;
}
inline constexpr std::uint64_t kImplVersion = impl_version(0, 1, 0);
static_assert(kSpecVersion == 0x02000000 && kImplVersion == 0x000100);

}  // namespace tessera::sbi
