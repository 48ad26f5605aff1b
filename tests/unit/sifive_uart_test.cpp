// The SiFive UART console driver (platform/fpga-rocket/sifive_uart.hpp)
// against a fake register file that behaves like the FU540 manual's UART:
// txdata reads say whether the TX FIFO is full, a write while full is
// dropped, rxdata reads pop the RX FIFO.
#include <doctest/doctest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "platform/fpga-rocket/sifive_uart.hpp"

namespace uart = tessera::drivers::sifive_uart;

namespace {

constexpr std::uint64_t kBase = 0x10020000;

struct FakeUart {
    std::uint32_t txctrl = 0, rxctrl = 0, ie = 0x3, div = 0;
    int full_reads = 0;         // txdata reads that still say "full"
    int tx_busy_reads = 0;      // ip reads before the TX FIFO has drained
    std::string sent;           // bytes accepted into the TX FIFO
    int dropped = 0;            // writes to txdata while it was full
    bool full_now = false;      // what the last txdata read said
    std::deque<std::uint8_t> rx;
    int rx_reads = 0;
    std::vector<std::uint64_t> writes;  // offsets written, in order
    std::uint64_t div_written_at_busy = 0;  // tx_busy_reads left when div was written

    std::uint32_t read(std::uint64_t offset) {
        switch (offset) {
            case uart::kTxData:
                full_now = full_reads > 0;
                if (full_reads > 0) --full_reads;
                return full_now ? uart::kTxFull : 0;
            case uart::kRxData: {
                ++rx_reads;
                if (rx.empty()) return uart::kRxEmpty | 0x5a;  // data bits are junk
                const std::uint8_t byte = rx.front();
                rx.pop_front();
                return byte;
            }
            case uart::kTxCtrl: return txctrl;
            case uart::kRxCtrl: return rxctrl;
            case uart::kIe: return ie;
            case uart::kIp:
                if (tx_busy_reads > 0) {
                    --tx_busy_reads;
                    return 0;
                }
                return uart::kTxWatermark;
            case uart::kDiv: return div;
        }
        FAIL("read of an unknown register ", offset);
        return 0;
    }

    void write(std::uint64_t offset, std::uint32_t value) {
        writes.push_back(offset);
        switch (offset) {
            case uart::kTxData:
                if (full_now) {
                    ++dropped;
                } else {
                    sent += static_cast<char>(value & 0xff);
                }
                full_now = true;  // until the driver reads txdata again
                return;
            case uart::kTxCtrl: txctrl = value; return;
            case uart::kRxCtrl: rxctrl = value; return;
            case uart::kIe: ie = value; return;
            case uart::kDiv:
                div = value;
                div_written_at_busy = static_cast<std::uint64_t>(tx_busy_reads);
                return;
        }
        FAIL("write of an unknown or read-only register ", offset);
    }
};

// The accessor the driver is instantiated with: addresses relative to kBase.
struct FakeAccess {
    FakeUart* fake;
    std::uint32_t read(std::uint64_t address) const {
        REQUIRE(address >= kBase);
        return fake->read(address - kBase);
    }
    void write(std::uint64_t address, std::uint32_t value) const {
        REQUIRE(address >= kBase);
        fake->write(address - kBase, value);
    }
};

using Uart = tessera::drivers::SifiveUart<FakeAccess>;

}  // namespace

TEST_CASE("SiFive UART divisor: clock / baud - 1, to the nearest rate") {
    CHECK(uart::divisor(50'000'000) == 433);         // the Rocket design's bus clock
    CHECK(uart::divisor(50'000'000, 9600) == 5207);  // 5208.3 -> 5208 - 1
    CHECK(uart::divisor(33'330'000) == 288);         // 289.3 -> 289 - 1
    CHECK(uart::divisor(0) == 0);                    // unknown clock: keep firmware's
    CHECK(uart::divisor(115200) == 0);               // too slow for the rate
    CHECK(uart::divisor(230400) == 1);
}

TEST_CASE("SiFive UART init: 115200 from 50 MHz, TX and RX on, interrupts off") {
    FakeUart fake;
    fake.div = 434;  // what the firmware set (OpenSBI rounds the divisor up)
    fake.tx_busy_reads = 3;
    const Uart uart{kBase, 50'000'000, FakeAccess{&fake}};
    CHECK(uart.div() == 433);
    uart.init();
    CHECK(fake.div == 433);
    CHECK(fake.div_written_at_busy == 0);  // only after the TX FIFO drained
    CHECK((fake.txctrl & uart::kTxEnable) != 0);
    CHECK((fake.txctrl & 0x2) == 0);                  // nstop = 0: one stop bit
    CHECK(((fake.txctrl >> 16) & 0x7) == 1);          // txcnt 1: txwm = FIFO empty
    CHECK((fake.rxctrl & uart::kRxEnable) != 0);
    CHECK(fake.ie == 0);
    CHECK(fake.sent.empty());
}

TEST_CASE("SiFive UART init leaves a divisor that is already right alone") {
    FakeUart fake;
    fake.div = 433;
    fake.tx_busy_reads = 1000;  // would hang if init waited for the FIFO
    const Uart uart{kBase, 50'000'000, FakeAccess{&fake}};
    uart.init();
    CHECK(fake.div == 433);
    for (std::uint64_t offset : fake.writes) CHECK(offset != uart::kDiv);
    CHECK((fake.txctrl & uart::kTxEnable) != 0);
    CHECK((fake.rxctrl & uart::kRxEnable) != 0);
}

TEST_CASE("SiFive UART without a clock keeps the firmware's divisor") {
    FakeUart fake;
    fake.div = 434;
    const Uart uart{kBase, 0, FakeAccess{&fake}};
    uart.init();
    CHECK(fake.div == 434);
    for (std::uint64_t offset : fake.writes) CHECK(offset != uart::kDiv);
    CHECK((fake.txctrl & uart::kTxEnable) != 0);
}

TEST_CASE("SiFive UART put waits while the TX FIFO is full") {
    FakeUart fake;
    const Uart uart{kBase, 50'000'000, FakeAccess{&fake}};
    uart.put('a');
    fake.full_reads = 5;
    uart.put('b');
    CHECK(fake.full_reads == 0);  // it polled through every "full"
    uart.put('\n');
    CHECK(fake.sent == "ab\n");
    CHECK(fake.dropped == 0);
}

TEST_CASE("SiFive UART get: -1 when empty, the byte otherwise, one rxdata read each") {
    FakeUart fake;
    const Uart uart{kBase, 50'000'000, FakeAccess{&fake}};
    CHECK(uart.get() == -1);
    CHECK(fake.rx_reads == 1);
    fake.rx = {'x', 0x00, 0xff};
    CHECK(uart.get() == 'x');
    CHECK(uart.get() == 0x00);
    CHECK(uart.get() == 0xff);  // not sign-extended into -1
    CHECK(uart.get() == -1);
    CHECK(fake.rx_reads == 5);
}
