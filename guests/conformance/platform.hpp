// What the conformance guest knows about its machine (from the DTB it was
// handed), and the small hardware helpers every check uses: CSRs, SBI calls
// with all six arguments, MMIO, time.
#pragma once

#include <cstdint>
#include <string_view>

#include "arch/riscv/csr.hpp"  // CSR numbers and accessors, shared with the hypervisor

namespace conformance {

using tessera::arch::csr_clear;
using tessera::arch::csr_read;
using tessera::arch::csr_set;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;

// sstatus, sie/sip bits as the guest (VS-mode) sees them.
inline constexpr std::uint64_t kSstatusSie = 1ULL << 1;
inline constexpr std::uint64_t kSstatusSpp = 1ULL << 8;
inline constexpr std::uint64_t kSstatusFs = 3ULL << 13;
inline constexpr std::uint64_t kSstatusFsInitial = 1ULL << 13;
inline constexpr std::uint64_t kSstatusFsDirty = 3ULL << 13;
inline constexpr std::uint64_t kSstatusSum = 1ULL << 18;
inline constexpr std::uint64_t kSstatusSd = 1ULL << 63;

inline constexpr unsigned kIrqSoftware = 1;
inline constexpr unsigned kIrqTimer = 5;
inline constexpr unsigned kIrqExternal = 9;
inline constexpr std::uint64_t bit(unsigned n) { return 1ULL << n; }

// Exception causes.
inline constexpr std::uint64_t kInterrupt = 1ULL << 63;
inline constexpr std::uint64_t kInsnAccess = 1, kIllegal = 2, kLoadAccess = 5, kStoreAccess = 7,
                               kEcallU = 8, kInsnPageFault = 12, kLoadPageFault = 13,
                               kStorePageFault = 15;

struct Platform {
    std::uint64_t hart_id = 0;  // the boot hart (virtual hart 0 under Tessera)
    const std::uint8_t* dtb = nullptr;
    std::uint32_t dtb_size = 0;
    std::uint64_t ram_base = 0, ram_size = 0;
    std::uint32_t harts = 0;
    bool sstc = false;
    std::uint64_t timebase = 10000000;  // Hz
    std::uint64_t plic_base = 0, plic_size = 0;
    std::uint32_t plic_sources = 0;
    std::uint64_t uart_base = 0;
    std::uint32_t uart_irq = 0;
    std::uint64_t rtc_base = 0;
    std::uint32_t rtc_irq = 0;
    const char* model = nullptr;  // /model inside the DTB (the pristine-DTB check changes it)
    std::uint32_t model_length = 0;
};

extern Platform g_platform;

// Fills g_platform from the DTB; false if the DTB is unusable.
bool read_platform(std::uint64_t hart_id, const void* dtb);

// ---- SBI -------------------------------------------------------------------

namespace sbi {
inline constexpr std::uint64_t kLegacyPutchar = 0x01, kLegacyGetchar = 0x02, kLegacySetTimer = 0x00;
inline constexpr std::uint64_t kBase = 0x10, kTime = 0x54494D45, kIpi = 0x735049,
                               kRfence = 0x52464E43, kHsm = 0x48534D, kSrst = 0x53525354,
                               kDbcn = 0x4442434E, kPmu = 0x504D55;
inline constexpr std::int64_t kSuccess = 0, kNotSupported = -2, kInvalidParam = -3,
                              kInvalidAddress = -5, kAlreadyAvailable = -6;
inline constexpr std::uint64_t kAllHarts = ~0ULL;
inline constexpr std::uint64_t kStarted = 0, kStopped = 1;

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

// Legacy extensions return only a0.
inline std::int64_t legacy(std::uint64_t eid, std::uint64_t a0 = 0) {
    register std::uint64_t r_a0 asm("a0") = a0;
    register std::uint64_t r_a7 asm("a7") = eid;
    asm volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory", "a1");
    return static_cast<std::int64_t>(r_a0);
}

inline Ret set_timer(std::uint64_t when) { return call(kTime, 0, when); }
inline Ret send_ipi(std::uint64_t mask, std::uint64_t base) { return call(kIpi, 0, mask, base); }
inline Ret hart_start(std::uint64_t hart, std::uint64_t addr, std::uint64_t opaque) {
    return call(kHsm, 0, hart, addr, opaque);
}
inline Ret hart_stop() { return call(kHsm, 1); }
inline Ret hart_status(std::uint64_t hart) { return call(kHsm, 2, hart); }
inline Ret hart_suspend(std::uint64_t type, std::uint64_t resume = 0, std::uint64_t opaque = 0) {
    return call(kHsm, 3, type, resume, opaque);
}
inline Ret system_reset(std::uint64_t type, std::uint64_t reason) {
    return call(kSrst, 0, type, reason);
}
}  // namespace sbi

// ---- time ------------------------------------------------------------------

inline std::uint64_t now() {
    std::uint64_t value;
    asm volatile("rdtime %0" : "=r"(value));
    return value;
}
inline std::uint64_t ticks_ms(std::uint64_t ms) { return g_platform.timebase * ms / 1000; }
inline std::uint64_t ticks_us(std::uint64_t us) { return g_platform.timebase * us / 1000000; }
// How long interrupt_pending() waits for a pending interrupt to be taken.
inline std::uint64_t pending_window() { return ticks_us(200); }
inline void delay_ticks(std::uint64_t ticks) {
    const std::uint64_t end = now() + ticks;
    while (now() < end) {
    }
}

// Spins until ready() or `ticks` have passed; returns ready().
template <class Ready>
bool wait_until(Ready ready, std::uint64_t ticks) {
    const std::uint64_t end = now() + ticks;
    while (!ready()) {
        if (now() >= end) return ready();
    }
    return true;
}

// ---- MMIO ------------------------------------------------------------------

inline std::uint32_t mmio_read32(std::uint64_t address) {
    std::uint32_t value;
    asm volatile(".option push\n.option norvc\nlw %0, 0(%1)\n.option pop"
                 : "=r"(value) : "r"(address) : "memory");
    return value;
}
inline void mmio_write32(std::uint64_t address, std::uint32_t value) {
    asm volatile(".option push\n.option norvc\nsw %0, 0(%1)\n.option pop"
                 : : "r"(value), "r"(address) : "memory");
}
inline std::uint8_t mmio_read8(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("lbu %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return static_cast<std::uint8_t>(value);
}
inline void mmio_write8(std::uint64_t address, std::uint8_t value) {
    asm volatile("sb %0, 0(%1)" : : "r"(value), "r"(address) : "memory");
}

// The virtual PLIC (QEMU virt layout); context of vhart i's S-mode = 2i + 1.
namespace plic {
inline std::uint32_t s_context(std::uint32_t hart) { return 2 * hart + 1; }
inline std::uint64_t priority(std::uint32_t source) { return g_platform.plic_base + 4ULL * source; }
inline std::uint64_t pending(std::uint32_t word) { return g_platform.plic_base + 0x1000 + 4ULL * word; }
inline std::uint64_t enable(std::uint32_t context, std::uint32_t word = 0) {
    return g_platform.plic_base + 0x2000 + 0x80ULL * context + 4ULL * word;
}
inline std::uint64_t threshold(std::uint32_t context) {
    return g_platform.plic_base + 0x200000 + 0x1000ULL * context;
}
inline std::uint64_t claim(std::uint32_t context) { return threshold(context) + 4; }
inline bool is_pending(std::uint32_t source) {
    return (mmio_read32(pending(source / 32)) >> (source % 32) & 1) != 0;
}
}  // namespace plic

// The emulated 16550 (reg-shift 0).
namespace uart {
inline constexpr std::uint64_t kThr = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5,
                               kScr = 7;
inline constexpr std::uint8_t kIerThri = 0x02;
}  // namespace uart

}  // namespace conformance
