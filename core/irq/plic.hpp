// Driver for the physical SiFive PLIC (QEMU virt and Rocket layout: context
// 2h is hart h's M-mode, 2h+1 its S-mode; the hypervisor uses S contexts).
#pragma once

#include <cstdint>

namespace tessera::irq {

class PhysicalPlic {
public:
    constexpr explicit PhysicalPlic(std::uint64_t base) : base_(base) {}

    static constexpr std::uint32_t s_context(std::uint32_t hart) { return 2 * hart + 1; }

    void set_priority(std::uint32_t source, std::uint32_t priority) const {
        reg(4ULL * source) = priority;
    }
    void set_enabled(std::uint32_t context, std::uint32_t source, bool on) const {
        volatile std::uint32_t& word = reg(0x2000 + 0x80ULL * context + 4ULL * (source / 32));
        const std::uint32_t bit = 1U << (source % 32);
        word = on ? (word | bit) : (word & ~bit);
    }
    void set_threshold(std::uint32_t context, std::uint32_t threshold) const {
        reg(0x200000 + 0x1000ULL * context) = threshold;
    }
    std::uint32_t claim(std::uint32_t context) const { return reg(claim_offset(context)); }
    void complete(std::uint32_t context, std::uint32_t source) const {
        reg(claim_offset(context)) = source;
    }

private:
    static constexpr std::uint64_t claim_offset(std::uint32_t context) {
        return 0x200004 + 0x1000ULL * context;
    }
    volatile std::uint32_t& reg(std::uint64_t offset) const {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): MMIO at the host DT's PLIC address (satp bare)
        return *reinterpret_cast<volatile std::uint32_t*>(base_ + offset);
    }

    std::uint64_t base_;
};

}  // namespace tessera::irq
