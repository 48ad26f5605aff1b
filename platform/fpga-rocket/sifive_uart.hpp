// SiFive UART (`sifive,uart0`, the Rocket FPGA design's console), polled.
//
// Register map (SiFive FU540-C000 manual, chapter "Universal Asynchronous
// Receiver/Transmitter"); every register is 32 bits wide:
//   0x00 txdata  bits 7:0 data to send; bit 31 `full` (read): the TX FIFO is
//                full and a write would be dropped
//   0x04 rxdata  bits 7:0 received byte; bit 31 `empty`: nothing received.
//                Reading pops the RX FIFO, so it is read once per byte
//   0x08 txctrl  bit 0 txen, bit 1 nstop (0: one stop bit), bits 18:16 txcnt
//                (the txwm watermark)
//   0x0c rxctrl  bit 0 rxen, bits 18:16 rxcnt
//   0x10 ie      interrupt enables (txwm bit 0, rxwm bit 1)
//   0x14 ip      pending conditions (read-only; reflects them whatever ie
//                says): txwm = fewer than txcnt bytes in the TX FIFO
//   0x18 div     baud rate = bus clock / (div + 1)
// Frames are always 8 data bits, no parity; with nstop = 0 that is 8N1.
//
// The register accesses go through `Access` so that the driver runs on x86
// against a fake register file (tests/unit/sifive_uart_test.cpp); the
// hypervisor uses Mmio32, plain volatile 32-bit loads and stores.
#pragma once

#include <cstdint>

namespace tessera::drivers {

// Volatile 32-bit MMIO at physical (= HS-mode virtual: no MMU) addresses.
struct Mmio32 {
    std::uint32_t read(std::uint64_t address) const {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): MMIO at the host DT's UART address
        return *reinterpret_cast<const volatile std::uint32_t*>(address);
    }
    void write(std::uint64_t address, std::uint32_t value) const {
        // NOLINTNEXTLINE(performance-no-int-to-ptr): MMIO at the host DT's UART address
        *reinterpret_cast<volatile std::uint32_t*>(address) = value;
    }
};

namespace sifive_uart {

inline constexpr std::uint64_t kTxData = 0x00, kRxData = 0x04, kTxCtrl = 0x08, kRxCtrl = 0x0c,
                               kIe = 0x10, kIp = 0x14, kDiv = 0x18;
inline constexpr std::uint32_t kTxFull = 1u << 31;   // txdata
inline constexpr std::uint32_t kRxEmpty = 1u << 31;  // rxdata
inline constexpr std::uint32_t kTxEnable = 1u << 0;  // txctrl
inline constexpr std::uint32_t kRxEnable = 1u << 0;  // rxctrl
inline constexpr std::uint32_t kTxWatermark = 1u << 0;  // ip, ie
inline constexpr std::uint32_t kRxWatermark = 1u << 1;  // ip, ie
inline constexpr unsigned kCountShift = 16;          // txcnt/rxcnt in txctrl/rxctrl

inline constexpr std::uint32_t kBaud = 115200;

// The divisor for `baud` from the UART's input clock: clock / baud - 1, the
// rate rounded to the nearest divisor (50 MHz: 433, 115207 baud, +0.006%).
// 0 when the clock is unknown or too slow for the rate.
constexpr std::uint32_t divisor(std::uint64_t clock_hz, std::uint32_t baud = kBaud) {
    if (baud == 0) return 0;
    const std::uint64_t ratio = (clock_hz + baud / 2) / baud;
    if (ratio < 2 || ratio - 1 > 0xffffffffu) return 0;
    return static_cast<std::uint32_t>(ratio - 1);
}

static_assert(divisor(50'000'000) == 433);

}  // namespace sifive_uart

template <class Access = Mmio32>
class SifiveUart {
public:
    // clock_hz: the UART's input clock (host DT clock-frequency); 0 leaves
    // the divisor as the firmware (OpenSBI) programmed it.
    constexpr SifiveUart(std::uint64_t base, std::uint64_t clock_hz, Access access = {})
        : base_(base), div_(sifive_uart::divisor(clock_hz)), access_(access) {}

    // 115200 8N1, transmitter and receiver on, interrupts off (polled). A
    // different divisor is written only once the TX FIFO has drained, so
    // the firmware's last bytes are not sent at the new rate.
    void init() const {
        using namespace sifive_uart;
        write(kIe, 0);
        // txcnt = 1: ip.txwm is set exactly when the TX FIFO is empty.
        write(kTxCtrl, kTxEnable | (1u << kCountShift));
        write(kRxCtrl, kRxEnable);
        if (div_ != 0 && read(kDiv) != div_) {
            while ((read(kIp) & kTxWatermark) == 0) {
            }
            write(kDiv, div_);
        }
    }

    // Waits while the TX FIFO is full (a write then would be dropped).
    void put(char c) const {
        using namespace sifive_uart;
        while ((read(kTxData) & kTxFull) != 0) {
        }
        write(kTxData, static_cast<std::uint8_t>(c));
    }

    // The next received byte, or -1 when none is waiting.
    int get() const {
        using namespace sifive_uart;
        const std::uint32_t value = read(kRxData);  // pops: read once
        if ((value & kRxEmpty) != 0) return -1;
        return static_cast<int>(value & 0xff);
    }

    // ip.rxwm is raised while the RX FIFO holds more than rxcnt (0) bytes.
    void enable_receive_interrupt() const { write(sifive_uart::kIe, sifive_uart::kRxWatermark); }

    constexpr std::uint32_t div() const { return div_; }

private:
    std::uint32_t read(std::uint64_t offset) const { return access_.read(base_ + offset); }
    void write(std::uint64_t offset, std::uint32_t value) const {
        access_.write(base_ + offset, value);
    }

    std::uint64_t base_;
    std::uint32_t div_;
    [[no_unique_address]] Access access_;
};

}  // namespace tessera::drivers
