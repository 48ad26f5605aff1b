// NS16550-compatible UART (QEMU virt's console): polled output; input polled
// or, once enable_receive_interrupt(), on its interrupt.
#pragma once

#include <cstdint>

namespace tessera::drivers {

class Ns16550 {
public:
    constexpr Ns16550(std::uint64_t base, std::uint32_t reg_shift)
        : base_(base), shift_(reg_shift) {}

    // 8N1, FIFOs on, interrupts off. The divisor stays as firmware set it.
    void init() const {
        write(kIer, 0);
        write(kLcr, kLcr8N1);
        write(kFcr, kFcrEnableAndClear);
    }

    void put(char c) const {
        while ((read(kLsr) & kLsrTxEmpty) == 0) {
        }
        write(kThr, static_cast<std::uint8_t>(c));
    }

    int get() const {
        if ((read(kLsr) & kLsrDataReady) == 0) return -1;
        return read(kRbr);
    }

    // The line is raised while received data waits (IER.ERBFI).
    void enable_receive_interrupt() const { write(kIer, kIerReceivedData); }

private:
    static constexpr unsigned kRbr = 0, kThr = 0, kIer = 1, kFcr = 2, kLcr = 3, kLsr = 5;
    static constexpr std::uint8_t kLcr8N1 = 0x03, kFcrEnableAndClear = 0x07;
    static constexpr std::uint8_t kLsrDataReady = 0x01, kLsrTxEmpty = 0x20;
    static constexpr std::uint8_t kIerReceivedData = 0x01;

    volatile std::uint8_t* reg(unsigned index) const {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): MMIO at the host DT's UART address
        return reinterpret_cast<volatile std::uint8_t*>(base_ + (std::uint64_t{index} << shift_));
    }
    std::uint8_t read(unsigned index) const { return *reg(index); }
    void write(unsigned index, std::uint8_t value) const { *reg(index) = value; }

    std::uint64_t base_;
    std::uint32_t shift_;
};

}  // namespace tessera::drivers
