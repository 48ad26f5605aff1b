#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "console/virtual_uart.hpp"

using tessera::console::VirtualUart;
namespace reg = tessera::console::uart_reg;
using namespace tessera::console::uart_bits;

namespace {

// The console behind the UART: what went out, what is waiting to come in.
struct FakeBackend {
    std::string sent;
    std::string_view input;
    int polls = 0;

    void transmit(std::uint8_t byte) { sent += static_cast<char>(byte); }
    int poll_receive() {
        ++polls;
        if (input.empty()) return -1;
        const int byte = static_cast<unsigned char>(input.front());
        input.remove_prefix(1);
        return byte;
    }
};

// A guest driving the UART with byte accesses.
struct Guest {
    VirtualUart uart;
    FakeBackend backend;

    Guest() { uart.reset(); }

    std::uint8_t read(std::uint64_t offset) {
        std::uint8_t value = 0xee;
        REQUIRE(uart.read(offset, 1, value, backend));
        return value;
    }
    void write(std::uint64_t offset, std::uint8_t value) {
        REQUIRE(uart.write(offset, 1, value, backend));
    }
};

constexpr std::uint8_t kLsrIdle = kLsrThrEmpty | kLsrTransmitterEmpty;  // 0x60

}  // namespace

TEST_CASE("reset state of an ns16550A with an always-empty transmitter") {
    Guest guest;
    CHECK(guest.read(reg::kIer) == 0);
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
    CHECK(guest.read(reg::kLcr) == 0);
    CHECK(guest.read(reg::kMcr) == 0);
    CHECK(guest.read(reg::kLsr) == 0x60);
    CHECK(guest.read(reg::kMsr) == 0xb0);  // DCD | DSR | CTS
    CHECK(guest.read(reg::kScr) == 0);
    CHECK(guest.read(reg::kRbrThr) == 0);  // nothing received
    CHECK_FALSE(guest.uart.interrupt_line());
}

TEST_CASE("bytes written to THR go to the backend at once") {
    Guest guest;
    for (char c : std::string_view("hello\n")) {
        CHECK((guest.read(reg::kLsr) & kLsrThrEmpty) != 0);
        guest.write(reg::kRbrThr, static_cast<std::uint8_t>(c));
        CHECK(guest.read(reg::kLsr) == kLsrIdle);  // THRE and TEMT again right away
    }
    CHECK(guest.backend.sent == "hello\n");
    CHECK_FALSE(guest.uart.interrupt_line());  // THRI is off
}

TEST_CASE("DLAB turns offsets 0 and 1 into the divisor latch") {
    Guest guest;
    guest.write(reg::kIer, kIerRdi);
    guest.write(reg::kLcr, 0x83);  // DLAB | 8N1
    guest.write(reg::kRbrThr, 0x36);
    guest.write(reg::kIer, 0x01);
    CHECK(guest.read(reg::kRbrThr) == 0x36);
    CHECK(guest.read(reg::kIer) == 0x01);
    CHECK(guest.backend.sent.empty());     // the DLL write sent nothing
    CHECK(guest.read(reg::kLcr) == 0x83);
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);  // offset 2 is unaffected by DLAB
    guest.uart.receive('x');
    CHECK(guest.read(reg::kRbrThr) == 0x36);  // the DLL, not the received byte
    guest.write(reg::kLcr, 0x03);
    CHECK(guest.read(reg::kIer) == kIerRdi);  // IER kept its value
    CHECK(guest.read(reg::kRbrThr) == 'x');
    guest.write(reg::kLcr, 0x80);
    CHECK(guest.read(reg::kRbrThr) == 0x36);  // divisor kept too
    CHECK(guest.read(reg::kIer) == 0x01);
}

TEST_CASE("LCR, MCR, SCR and IER read back what the hardware keeps") {
    Guest guest;
    guest.write(reg::kLcr, 0x5b);
    guest.write(reg::kMcr, 0xff);
    guest.write(reg::kScr, 0xa5);
    guest.write(reg::kIer, 0xff);
    CHECK(guest.read(reg::kLcr) == 0x5b);
    CHECK(guest.read(reg::kMcr) == 0x1f);
    CHECK(guest.read(reg::kScr) == 0xa5);
    CHECK(guest.read(reg::kIer) == 0x0f);
    // LSR and MSR ignore writes.
    guest.write(reg::kMcr, 0);
    guest.write(reg::kLsr, 0x1f);
    guest.write(reg::kMsr, 0x0f);
    CHECK(guest.read(reg::kLsr) == kLsrIdle);
    CHECK(guest.read(reg::kMsr) == 0xb0);
}

TEST_CASE("loopback reflects MCR in MSR and loops transmitted bytes back") {
    Guest guest;
    guest.write(reg::kMcr, kMcrLoopback | kMcrOut2 | kMcrRts);  // the classic 8250 probe
    CHECK((guest.read(reg::kMsr) & 0xf0) == 0x90);              // DCD | CTS
    guest.write(reg::kMcr, kMcrLoopback | kMcrDtr | kMcrOut1);
    CHECK(guest.read(reg::kMsr) == (kMsrDsr | kMsrRi));
    guest.write(reg::kMcr, kMcrLoopback);
    CHECK(guest.read(reg::kMsr) == 0);
    guest.backend.input = "z";
    guest.write(reg::kRbrThr, 'q');
    CHECK(guest.backend.sent.empty());
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady));
    CHECK(guest.read(reg::kRbrThr) == 'q');
    CHECK(guest.read(reg::kLsr) == kLsrIdle);  // the backend is not polled in loopback
    CHECK(guest.backend.polls == 0);
    guest.write(reg::kMcr, 0);
    CHECK(guest.read(reg::kMsr) == 0xb0);
    CHECK(guest.read(reg::kRbrThr) == 'z');
}

TEST_CASE("received bytes: DR, RBR and the RX interrupt") {
    Guest guest;
    guest.uart.receive('a');
    guest.uart.receive('b');
    CHECK_FALSE(guest.uart.interrupt_line());  // RDI is off
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
    guest.write(reg::kIer, kIerRdi);
    CHECK(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kIirFcr) == kIirRxData);
    CHECK(guest.read(reg::kIirFcr) == kIirRxData);  // reading IIR does not acknowledge it
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady));
    CHECK(guest.read(reg::kRbrThr) == 'a');
    CHECK(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kRbrThr) == 'b');
    CHECK_FALSE(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kLsr) == kLsrIdle);
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
}

TEST_CASE("reading LSR or RBR polls the backend when the FIFO is empty") {
    Guest guest;
    guest.backend.input = "xyz";
    // U-Boot's getc: wait for DR, then read RBR.
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady));
    CHECK(guest.backend.polls == 1);
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady));
    CHECK(guest.backend.polls == 1);  // a byte is waiting: no poll
    CHECK(guest.read(reg::kRbrThr) == 'x');
    // Reading RBR with an empty FIFO pulls the next byte itself.
    CHECK(guest.read(reg::kRbrThr) == 'y');
    CHECK(guest.backend.polls == 2);
    // Bytes from receive() come first; the backend is asked only when they are gone.
    guest.uart.receive('r');
    CHECK(guest.read(reg::kRbrThr) == 'r');
    CHECK(guest.backend.polls == 2);
    CHECK(guest.read(reg::kRbrThr) == 'z');
    CHECK(guest.read(reg::kLsr) == kLsrIdle);
    CHECK(guest.read(reg::kRbrThr) == 0);
    CHECK(guest.backend.polls == 5);
    // Other registers never poll.
    for (std::uint64_t offset :
         {reg::kIer, reg::kIirFcr, reg::kLcr, reg::kMcr, reg::kMsr, reg::kScr})
        guest.read(offset);
    guest.write(reg::kLcr, kLcrDlab);
    guest.read(reg::kRbrThr);  // DLL
    CHECK(guest.backend.polls == 5);
}

TEST_CASE("a full RX FIFO drops bytes and reports an overrun once") {
    Guest guest;
    for (int i = 0; i < 16; ++i) guest.uart.receive(static_cast<std::uint8_t>('A' + i));
    guest.uart.receive('!');
    guest.uart.receive('?');
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady | kLsrOverrun));
    CHECK(guest.read(reg::kLsr) == (kLsrIdle | kLsrDataReady));  // OE clears on read
    std::string received;
    while (guest.read(reg::kLsr) & kLsrDataReady)
        received += static_cast<char>(guest.read(reg::kRbrThr));
    CHECK(received == "ABCDEFGHIJKLMNOP");
}

TEST_CASE("FCR: FIFO enable shows in IIR, reset bits empty the RX FIFO") {
    Guest guest;
    guest.write(reg::kIirFcr, kFcrEnableFifos);
    CHECK(guest.read(reg::kIirFcr) == (kIirFifosEnabled | kIirNoInterrupt));
    guest.uart.receive('1');
    guest.write(reg::kIirFcr, kFcrEnableFifos | kFcrClearTx);  // TX only: RX kept
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) != 0);
    guest.write(reg::kIirFcr, kFcrEnableFifos | kFcrClearRx);
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) == 0);
    guest.uart.receive('2');
    // Without the enable bit: the FIFOs are disabled (and emptied by that).
    guest.write(reg::kIirFcr, kFcrClearRx);
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) == 0);
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
    guest.uart.receive('3');
    guest.write(reg::kIirFcr, 0);  // no change, no reset
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) != 0);
    guest.write(reg::kIirFcr, 0x81);  // Linux: enable, RX trigger at 8 bytes; enabling empties
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) == 0);
    guest.write(reg::kIer, kIerRdi);
    guest.uart.receive('4');
    CHECK(guest.read(reg::kIirFcr) == (kIirFifosEnabled | kIirRxData));
}

TEST_CASE("the THR-empty interrupt") {
    Guest guest;
    SUBCASE("raised when THRI goes 0 -> 1, acknowledged by reading IIR") {
        guest.write(reg::kIer, kIerThri);
        CHECK(guest.uart.interrupt_line());
        CHECK(guest.read(reg::kIirFcr) == kIirThrEmpty);
        CHECK_FALSE(guest.uart.interrupt_line());
        CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
        guest.write(reg::kIer, kIerThri | kIerRdi);  // THRI stays 1: no new interrupt
        CHECK_FALSE(guest.uart.interrupt_line());
    }
    SUBCASE("raised again after every THR write") {
        guest.write(reg::kIer, kIerThri);
        CHECK(guest.read(reg::kIirFcr) == kIirThrEmpty);
        guest.write(reg::kRbrThr, 'a');
        CHECK(guest.uart.interrupt_line());
        guest.write(reg::kRbrThr, 'b');  // clears and sets it again
        CHECK(guest.read(reg::kIirFcr) == kIirThrEmpty);
        CHECK_FALSE(guest.uart.interrupt_line());
        CHECK(guest.backend.sent == "ab");
    }
    SUBCASE("dropped when THRI is cleared") {
        guest.write(reg::kIer, kIerThri);
        guest.write(reg::kIer, 0);
        CHECK_FALSE(guest.uart.interrupt_line());
        CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
        guest.write(reg::kRbrThr, 'c');  // THR writes with THRI off raise nothing
        CHECK_FALSE(guest.uart.interrupt_line());
        CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
    }
    SUBCASE("RX data has priority; IIR acknowledges THRE only when it reports it") {
        guest.write(reg::kIer, kIerRdi | kIerThri);
        guest.uart.receive('x');
        CHECK(guest.read(reg::kIirFcr) == kIirRxData);
        CHECK(guest.read(reg::kRbrThr) == 'x');
        CHECK(guest.uart.interrupt_line());  // THRE still pending
        CHECK(guest.read(reg::kIirFcr) == kIirThrEmpty);
        CHECK_FALSE(guest.uart.interrupt_line());
    }
    SUBCASE("with FIFOs enabled, IIR has bits 7:6 set") {
        guest.write(reg::kIirFcr, kFcrEnableFifos);
        guest.write(reg::kIer, kIerThri);
        CHECK(guest.read(reg::kIirFcr) == 0xc2);
        guest.write(reg::kIer, kIerThri | kIerRdi);
        guest.uart.receive('y');
        CHECK(guest.read(reg::kIirFcr) == 0xc4);
        CHECK(guest.read(reg::kRbrThr) == 'y');
        CHECK(guest.read(reg::kIirFcr) == 0xc1);
    }
}

TEST_CASE("Linux 8250 startup and interrupt-driven I/O see a real 16550A") {
    Guest guest;
    guest.backend.input = "";
    // serial8250_clear_fifos
    guest.write(reg::kIirFcr, kFcrEnableFifos);
    guest.write(reg::kIirFcr, kFcrEnableFifos | kFcrClearRx | kFcrClearTx);
    guest.write(reg::kIirFcr, 0);
    // Clear the interrupt registers
    guest.read(reg::kLsr);
    guest.read(reg::kRbrThr);
    guest.read(reg::kIirFcr);
    guest.read(reg::kMsr);
    CHECK(guest.read(reg::kLsr) != 0xff);  // "LSR safety check"
    guest.write(reg::kLcr, 0x03);          // 8N1
    guest.write(reg::kMcr, kMcrOut2);

    // THRE test: an interrupt when THRI is enabled, and again after re-enabling it.
    CHECK((guest.read(reg::kLsr) & kLsrThrEmpty) != 0);  // wait_for_xmitr
    guest.write(reg::kIer, kIerThri);
    const std::uint8_t iir1 = guest.read(reg::kIirFcr);
    guest.write(reg::kIer, 0);
    guest.write(reg::kIer, kIerThri);
    const std::uint8_t iir = guest.read(reg::kIirFcr);
    guest.write(reg::kIer, 0);
    CHECK(iir1 == kIirThrEmpty);
    CHECK(iir == kIirThrEmpty);  // re-asserted: no UART_BUG_THRE

    // TXEN test: LSR.TEMT with an interrupt reported, so no UART_BUG_TXEN.
    guest.write(reg::kIer, kIerThri);
    const std::uint8_t lsr = guest.read(reg::kLsr);
    const std::uint8_t iir2 = guest.read(reg::kIirFcr);
    guest.write(reg::kIer, 0);
    CHECK((lsr & kLsrTransmitterEmpty) != 0);
    CHECK((iir2 & kIirNoInterrupt) == 0);

    // Clear the interrupt registers again, enable RX interrupts.
    guest.read(reg::kLsr);
    guest.read(reg::kRbrThr);
    guest.read(reg::kIirFcr);
    guest.read(reg::kMsr);
    guest.write(reg::kIer, kIerRlsi | kIerRdi);
    CHECK_FALSE(guest.uart.interrupt_line());

    // set_termios: divisor, line control, FIFOs.
    guest.write(reg::kLcr, 0x83);
    guest.write(reg::kRbrThr, 0x01);
    guest.write(reg::kIer, 0x00);
    guest.write(reg::kLcr, 0x03);
    guest.write(reg::kIirFcr, 0x81);
    guest.write(reg::kIer, kIerRlsi | kIerRdi);
    CHECK(guest.read(reg::kIer) == (kIerRlsi | kIerRdi));

    // start_tx: THRI on -> interrupt; the handler fills THR until done, then stops TX.
    const std::string_view message = "Welcome to the partition\r\n";
    std::size_t next = 0;
    guest.write(reg::kIer, kIerRlsi | kIerRdi | kIerThri);
    int interrupts = 0;
    while (guest.uart.interrupt_line()) {
        ++interrupts;
        REQUIRE(interrupts < 10);
        const std::uint8_t id = guest.read(reg::kIirFcr);
        REQUIRE((id & kIirNoInterrupt) == 0);
        const std::uint8_t status = guest.read(reg::kLsr);
        if ((status & kLsrThrEmpty) && (guest.read(reg::kIer) & kIerThri)) {
            for (int count = 0; count < 16 && next < message.size(); ++count)
                guest.write(reg::kRbrThr, static_cast<std::uint8_t>(message[next++]));
            if (next == message.size()) guest.write(reg::kIer, kIerRlsi | kIerRdi);  // __stop_tx
        }
    }
    CHECK(guest.backend.sent == message);
    CHECK(interrupts == 2);  // 16 bytes per interrupt

    // Input: an RX interrupt, the handler drains the FIFO while LSR says DR.
    for (char c : std::string_view("ls\r")) guest.uart.receive(static_cast<std::uint8_t>(c));
    REQUIRE(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kIirFcr) == (kIirFifosEnabled | kIirRxData));
    std::string received;
    for (std::uint8_t status = guest.read(reg::kLsr); status & kLsrDataReady;
         status = guest.read(reg::kLsr))
        received += static_cast<char>(guest.read(reg::kRbrThr));
    CHECK(received == "ls\r");
    CHECK_FALSE(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kIirFcr) == (kIirFifosEnabled | kIirNoInterrupt));
}

TEST_CASE("U-Boot's ns16550 init and polled I/O") {
    Guest guest;
    guest.backend.input = "y";
    while (!(guest.read(reg::kLsr) & kLsrTransmitterEmpty)) {
    }
    guest.write(reg::kIer, 0);
    guest.write(reg::kMcr, kMcrDtr | kMcrRts);
    guest.write(reg::kIirFcr, kFcrEnableFifos | kFcrClearRx | kFcrClearTx);
    guest.write(reg::kLcr, 0x83);
    guest.write(reg::kRbrThr, 0x1b);
    guest.write(reg::kIer, 0x00);
    guest.write(reg::kLcr, 0x03);
    for (char c : std::string_view("U-Boot\n")) {
        while (!(guest.read(reg::kLsr) & kLsrThrEmpty)) {
        }
        guest.write(reg::kRbrThr, static_cast<std::uint8_t>(c));
    }
    CHECK(guest.backend.sent == "U-Boot\n");
    // The LSR read of the TEMT loop took 'y' into the FIFO and FCR emptied it,
    // as on hardware; what the user types afterwards is seen by polling.
    CHECK((guest.read(reg::kLsr) & kLsrDataReady) == 0);
    guest.backend.input = "n";
    REQUIRE((guest.read(reg::kLsr) & kLsrDataReady) != 0);
    CHECK(guest.read(reg::kRbrThr) == 'n');
    CHECK_FALSE(guest.uart.interrupt_line());
}

TEST_CASE("accesses other than single bytes inside the window are rejected") {
    Guest guest;
    std::uint8_t value = 0;
    for (unsigned width : {0U, 2U, 4U, 8U}) {
        CAPTURE(width);
        CHECK_FALSE(guest.uart.read(reg::kLsr, width, value, guest.backend));
        CHECK_FALSE(guest.uart.write(reg::kRbrThr, width, 'x', guest.backend));
        CHECK_FALSE(guest.uart.write(reg::kScr, width, 0x55, guest.backend));
    }
    CHECK(guest.backend.sent.empty());
    CHECK(guest.read(reg::kScr) == 0);
    for (std::uint64_t offset : {std::uint64_t{VirtualUart::kWindowSize}, std::uint64_t{0x1005},
                                 ~std::uint64_t{0}}) {
        CAPTURE(offset);
        CHECK_FALSE(guest.uart.read(offset, 1, value, guest.backend));
        CHECK_FALSE(guest.uart.write(offset, 1, 0x55, guest.backend));
    }
    // Past the registers but inside the window: reads 0, writes ignored.
    for (std::uint64_t offset : {std::uint64_t{8}, std::uint64_t{0x10}, std::uint64_t{0xfff}}) {
        CAPTURE(offset);
        guest.write(offset, 0xff);
        CHECK(guest.read(offset) == 0);
    }
    CHECK(guest.backend.sent.empty());
    CHECK(guest.backend.polls == 0);
}

TEST_CASE("interrupt_line follows IER and the pending conditions") {
    Guest guest;
    guest.write(reg::kIer, kIerRlsi | kIerMsi);  // stored, never raise anything
    guest.uart.receive('a');
    for (int i = 0; i < 20; ++i) guest.uart.receive('b');  // overrun
    CHECK_FALSE(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kIirFcr) == kIirNoInterrupt);
    guest.write(reg::kIer, kIerRdi);
    CHECK(guest.uart.interrupt_line());
    guest.write(reg::kIer, 0);
    CHECK_FALSE(guest.uart.interrupt_line());
    guest.write(reg::kIer, kIerThri);
    CHECK(guest.uart.interrupt_line());
    guest.uart.reset();
    CHECK_FALSE(guest.uart.interrupt_line());
    CHECK(guest.read(reg::kIer) == 0);
    CHECK(guest.read(reg::kLsr) == kLsrIdle);
}
