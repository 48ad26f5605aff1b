// An emulated ns16550A for one partition: byte registers at offsets 0..7
// (reg-shift 0), a 16-byte receive FIFO and a transmitter that is always
// empty, because every byte written to THR goes to the backend at once.
//
// What the guest sees:
//  - LSR always has THRE and TEMT (0x60); DR while the RX FIFO holds data; OE
//    after receive() dropped a byte on a full FIFO, until LSR is read.
//  - Reading LSR or RBR first pulls one byte from backend.poll_receive() into
//    the RX FIFO if it is empty, so that polling drivers (U-Boot, earlycon)
//    see input without interrupts.
//  - Interrupts: RX data available (IER.RDI) and THR empty (IER.THRI). The
//    THR-empty interrupt is pending from the moment THRI goes 0 -> 1 and after
//    every THR write while THRI is set; reading IIR when it reports it,
//    clearing THRI, or a THR write (which sets it again at once, the byte
//    being sent) clears it. IER.RLSI and IER.MSI are stored but never raise
//    an interrupt: line status and modem lines never change on their own.
//  - IIR: 0x04 (RX data) if RDI and data, else 0x02 (THR empty) if pending,
//    else 0x01, with bits 7:6 set while FIFOs are enabled (FCR bit 0).
//  - FCR: bit 0 enables the FIFOs (toggling it empties them), bit 1 (with
//    bit 0) empties the RX FIFO, bit 2 the TX FIFO, which is always empty.
//    The 16-byte RX FIFO is used whether FIFOs are enabled or not.
//  - DLAB (LCR bit 7) turns offsets 0/1 into DLL/DLM: stored, no effect.
//  - MSR reads DCD|DSR|CTS (0xb0). In loopback (MCR bit 4) it reflects MCR as
//    a real 16550 does (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD), THR writes
//    come back on the receiver instead of going out, and the backend is not
//    polled. Delta bits (3:0) always read 0.
//  - LCR, MCR (5 bits), SCR and IER (4 bits) read back; writes to LSR and MSR
//    are ignored.
//
// The caller forwards interrupt_line() to its virtual PLIC source (level)
// after every access and every receive(). Not thread-safe by itself.
//
// A backend provides:
//   void transmit(std::uint8_t byte);
//   int poll_receive();   // the next input byte, -1 if nothing is waiting
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tessera::console {

namespace uart_reg {  // register index = byte offset
inline constexpr std::uint64_t kRbrThr = 0;  // DLL with DLAB
inline constexpr std::uint64_t kIer = 1;     // DLM with DLAB
inline constexpr std::uint64_t kIirFcr = 2;  // IIR when read, FCR when written
inline constexpr std::uint64_t kLcr = 3;
inline constexpr std::uint64_t kMcr = 4;
inline constexpr std::uint64_t kLsr = 5;
inline constexpr std::uint64_t kMsr = 6;
inline constexpr std::uint64_t kScr = 7;
}  // namespace uart_reg

namespace uart_bits {
inline constexpr std::uint8_t kIerRdi = 0x01;   // RX data available
inline constexpr std::uint8_t kIerThri = 0x02;  // THR empty
inline constexpr std::uint8_t kIerRlsi = 0x04;  // RX line status
inline constexpr std::uint8_t kIerMsi = 0x08;   // modem status
inline constexpr std::uint8_t kIerMask = 0x0f;

inline constexpr std::uint8_t kIirNoInterrupt = 0x01;
inline constexpr std::uint8_t kIirThrEmpty = 0x02;
inline constexpr std::uint8_t kIirRxData = 0x04;
inline constexpr std::uint8_t kIirFifosEnabled = 0xc0;

inline constexpr std::uint8_t kFcrEnableFifos = 0x01;
inline constexpr std::uint8_t kFcrClearRx = 0x02;
inline constexpr std::uint8_t kFcrClearTx = 0x04;

inline constexpr std::uint8_t kLcrDlab = 0x80;

inline constexpr std::uint8_t kMcrDtr = 0x01;
inline constexpr std::uint8_t kMcrRts = 0x02;
inline constexpr std::uint8_t kMcrOut1 = 0x04;
inline constexpr std::uint8_t kMcrOut2 = 0x08;
inline constexpr std::uint8_t kMcrLoopback = 0x10;
inline constexpr std::uint8_t kMcrMask = 0x1f;

inline constexpr std::uint8_t kLsrDataReady = 0x01;
inline constexpr std::uint8_t kLsrOverrun = 0x02;
inline constexpr std::uint8_t kLsrThrEmpty = 0x20;
inline constexpr std::uint8_t kLsrTransmitterEmpty = 0x40;

inline constexpr std::uint8_t kMsrCts = 0x10;
inline constexpr std::uint8_t kMsrDsr = 0x20;
inline constexpr std::uint8_t kMsrRi = 0x40;
inline constexpr std::uint8_t kMsrDcd = 0x80;
}  // namespace uart_bits

class VirtualUart {
public:
    static constexpr std::uint64_t kWindowSize = 0x1000;  // registers at 0..7, then reads of 0
    static constexpr std::size_t kRxFifoSize = 16;

    void reset() { *this = VirtualUart{}; }

    // Guest access at `offset`; only 1-byte accesses inside the window are
    // valid (false: the caller injects an access fault).
    template <class Backend>
    bool read(std::uint64_t offset, unsigned width, std::uint8_t& value, Backend& backend) {
        if (!valid_access(offset, width)) return false;
        if (reads_input(offset) && rx_.empty() && !loopback()) {
            const int byte = backend.poll_receive();
            if (byte >= 0) rx_.push(static_cast<std::uint8_t>(byte));
        }
        value = read_register(offset);
        return true;
    }

    template <class Backend>
    bool write(std::uint64_t offset, unsigned width, std::uint8_t value, Backend& backend) {
        if (!valid_access(offset, width)) return false;
        if (const std::optional<std::uint8_t> byte = write_register(offset, value))
            backend.transmit(*byte);
        return true;
    }

    // A byte of input for the guest; dropped (and LSR.OE set) when the RX FIFO is full.
    void receive(std::uint8_t byte);

    // The level of the UART's interrupt output.
    bool interrupt_line() const;

private:
    class RxFifo {
    public:
        bool empty() const { return count_ == 0; }
        bool full() const { return count_ == kRxFifoSize; }
        void push(std::uint8_t byte) {
            bytes_[(head_ + count_) % kRxFifoSize] = byte;
            ++count_;
        }
        std::uint8_t pop() {
            const std::uint8_t byte = bytes_[head_];
            head_ = (head_ + 1) % kRxFifoSize;
            --count_;
            return byte;
        }
        void clear() { head_ = count_ = 0; }

    private:
        std::array<std::uint8_t, kRxFifoSize> bytes_{};
        std::size_t head_ = 0;
        std::size_t count_ = 0;
    };

    static bool valid_access(std::uint64_t offset, unsigned width) {
        return width == 1 && offset < kWindowSize;
    }
    bool dlab() const { return (lcr_ & uart_bits::kLcrDlab) != 0; }
    bool loopback() const { return (mcr_ & uart_bits::kMcrLoopback) != 0; }
    // Whether reading `offset` looks at the receiver (and so polls the backend).
    bool reads_input(std::uint64_t offset) const {
        return offset == uart_reg::kLsr || (offset == uart_reg::kRbrThr && !dlab());
    }
    std::uint8_t read_register(std::uint64_t offset);
    // Returns the byte to transmit, if the write sends one.
    std::optional<std::uint8_t> write_register(std::uint64_t offset, std::uint8_t value);
    std::uint8_t read_iir();
    std::uint8_t modem_status() const;
    void write_ier(std::uint8_t value);
    void write_fcr(std::uint8_t value);

    RxFifo rx_;
    std::uint8_t ier_ = 0;
    std::uint8_t lcr_ = 0;
    std::uint8_t mcr_ = 0;
    std::uint8_t scr_ = 0;
    std::uint8_t divisor_low_ = 0;   // DLL
    std::uint8_t divisor_high_ = 0;  // DLM
    bool fifos_enabled_ = false;
    bool thr_empty_pending_ = false;  // the THR-empty interrupt (only while IER.THRI)
    bool overrun_ = false;
};

}  // namespace tessera::console
