#include "console/virtual_uart.hpp"

namespace tessera::console {

using namespace uart_bits;

void VirtualUart::receive(std::uint8_t byte) {
    if (rx_.full()) {
        overrun_ = true;
        return;
    }
    rx_.push(byte);
}

bool VirtualUart::interrupt_line() const {
    const bool rx_data = (ier_ & kIerRdi) != 0 && !rx_.empty();
    const bool thr_empty = (ier_ & kIerThri) != 0 && thr_empty_pending_;
    return rx_data || thr_empty;
}

std::uint8_t VirtualUart::read_register(std::uint64_t offset) {
    switch (offset) {
        case uart_reg::kRbrThr:
            if (dlab()) return divisor_low_;
            return rx_.empty() ? 0 : rx_.pop();
        case uart_reg::kIer: return dlab() ? divisor_high_ : ier_;
        case uart_reg::kIirFcr: return read_iir();
        case uart_reg::kLcr: return lcr_;
        case uart_reg::kMcr: return mcr_;
        case uart_reg::kLsr: {
            std::uint8_t lsr = kLsrThrEmpty | kLsrTransmitterEmpty;
            if (!rx_.empty()) lsr |= kLsrDataReady;
            if (overrun_) lsr |= kLsrOverrun;
            overrun_ = false;  // reading LSR clears the error bits
            return lsr;
        }
        case uart_reg::kMsr: return modem_status();
        case uart_reg::kScr: return scr_;
        default: return 0;  // past the registers, inside the window
    }
}

std::optional<std::uint8_t> VirtualUart::write_register(std::uint64_t offset, std::uint8_t value) {
    switch (offset) {
        case uart_reg::kRbrThr:
            if (dlab()) {
                divisor_low_ = value;
                return std::nullopt;
            }
            // The byte leaves at once: THR is empty again right away.
            thr_empty_pending_ = (ier_ & kIerThri) != 0;
            if (loopback()) {
                receive(value);
                return std::nullopt;
            }
            return value;
        case uart_reg::kIer:
            if (dlab())
                divisor_high_ = value;
            else
                write_ier(value);
            return std::nullopt;
        case uart_reg::kIirFcr: write_fcr(value); return std::nullopt;
        case uart_reg::kLcr: lcr_ = value; return std::nullopt;
        case uart_reg::kMcr: mcr_ = value & kMcrMask; return std::nullopt;
        case uart_reg::kScr: scr_ = value; return std::nullopt;
        default: return std::nullopt;  // LSR, MSR and offsets past the registers
    }
}

std::uint8_t VirtualUart::read_iir() {
    std::uint8_t iir = kIirNoInterrupt;
    if ((ier_ & kIerRdi) != 0 && !rx_.empty()) {
        iir = kIirRxData;
    } else if ((ier_ & kIerThri) != 0 && thr_empty_pending_) {
        iir = kIirThrEmpty;
        thr_empty_pending_ = false;  // reported, so acknowledged
    }
    if (fifos_enabled_) iir |= kIirFifosEnabled;
    return iir;
}

std::uint8_t VirtualUart::modem_status() const {
    if (!loopback()) return kMsrDcd | kMsrDsr | kMsrCts;
    std::uint8_t msr = 0;
    if ((mcr_ & kMcrRts) != 0) msr |= kMsrCts;
    if ((mcr_ & kMcrDtr) != 0) msr |= kMsrDsr;
    if ((mcr_ & kMcrOut1) != 0) msr |= kMsrRi;
    if ((mcr_ & kMcrOut2) != 0) msr |= kMsrDcd;
    return msr;
}

void VirtualUart::write_ier(std::uint8_t value) {
    const std::uint8_t ier = value & kIerMask;
    const bool thri_was_set = (ier_ & kIerThri) != 0;
    const bool thri_is_set = (ier & kIerThri) != 0;
    // Enabling the THR-empty interrupt with THR empty (always) raises it;
    // disabling it drops whatever was pending.
    if (thri_is_set != thri_was_set) thr_empty_pending_ = thri_is_set;
    ier_ = ier;
}

void VirtualUart::write_fcr(std::uint8_t value) {
    const bool enable = (value & kFcrEnableFifos) != 0;
    // Toggling the FIFO enable empties the FIFOs; the reset bits act only with it set.
    if (enable != fifos_enabled_ || (enable && (value & kFcrClearRx) != 0)) rx_.clear();
    // kFcrClearTx: the transmitter is always empty, nothing to clear.
    fifos_enabled_ = enable;
}

}  // namespace tessera::console
