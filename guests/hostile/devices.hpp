// The hostile partition's own devices, as its DT describes them: the
// emulated PLIC (QEMU virt layout) and the passthrough goldfish RTC, and
// plain MMIO accessors.
#pragma once

#include <cstdint>

namespace hostile {

inline std::uint32_t mmio_read32(std::uint64_t address) {
    std::uint32_t value;
    asm volatile("lw %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
inline void mmio_write32(std::uint64_t address, std::uint32_t value) {
    asm volatile("sw %0, 0(%1)" : : "r"(value), "r"(address) : "memory");
}

namespace plic {
inline constexpr std::uint64_t priority(std::uint32_t source) { return 4ULL * source; }
inline constexpr std::uint64_t enable(std::uint32_t context, std::uint32_t word = 0) {
    return 0x2000 + 0x80ULL * context + 4ULL * word;
}
inline constexpr std::uint64_t threshold(std::uint32_t context) {
    return 0x200000 + 0x1000ULL * context;
}
inline constexpr std::uint64_t claim(std::uint32_t context) { return threshold(context) + 4; }
inline constexpr std::uint32_t s_context(std::uint64_t vhart) {
    return static_cast<std::uint32_t>(2 * vhart + 1);
}
}  // namespace plic

// Goldfish RTC registers (QEMU hw/rtc/goldfish_rtc.c), times in ns.
namespace rtc {
inline constexpr std::uint64_t kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08,
                               kAlarmHigh = 0x0c, kIrqEnabled = 0x10, kClearAlarm = 0x14,
                               kClearInterrupt = 0x1c;
}

struct OwnDevices {
    std::uint64_t plic = 0, plic_size = 0;
    std::uint32_t plic_sources = 0;  // riscv,ndev
    std::uint64_t rtc = 0;
    std::uint32_t rtc_irq = 0;
};

// The first PLIC and goldfish RTC nodes of the DTB (0 where absent).
OwnDevices read_own_devices(const void* dtb);

}  // namespace hostile
