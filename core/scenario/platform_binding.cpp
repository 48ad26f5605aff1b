// platform_api.hpp for the scenario being built: the generated tables name
// the console and power-off devices; drivers are chosen here at compile time.
#include "arch/riscv/csr.hpp"
#include "arch/riscv/sbi_client.hpp"
#include "platform/fpga-rocket/sifive_uart.hpp"
#include "platform/qemu-virt/ns16550.hpp"
#include "platform/qemu-virt/sifive_test.hpp"
#include "platform_api.hpp"
#include "sbi/sbi_defs.hpp"
#include "tessera_scenario.hpp"

namespace tessera::platform {
namespace {

using scenario::kConsole;
using scenario::kPoweroff;

static_assert(kConsole.kind == cfg::ConsoleKind::Ns16550 ||
                  kConsole.kind == cfg::ConsoleKind::SifiveUart,
              "this platform's console has no driver");

// The console driver for the host DT's stdout-path device. Only the chosen
// one's code ends up in the image.
constexpr auto make_console() {
    if constexpr (kConsole.kind == cfg::ConsoleKind::SifiveUart) {
        return drivers::SifiveUart<>{kConsole.base, kConsole.clock_hz};
    } else {
        return drivers::Ns16550{kConsole.base, kConsole.reg_shift};
    }
}

constexpr auto kUart = make_console();

}  // namespace

// Which console driver this image has, for tests that inspect the image
// (tests/integration/platform_image_check.py looks for the string).
extern "C" {
extern const char* const tessera_console_driver;
[[gnu::used, gnu::retain]] const char* const tessera_console_driver =
    kConsole.kind == cfg::ConsoleKind::SifiveUart ? "tessera.driver.sifive_uart"
                                                  : "tessera.driver.ns16550";
}

void console_init() { kUart.init(); }

void console_write(std::string_view text) {
    for (char c : text) {
        if (c == '\n') kUart.put('\r');
        kUart.put(c);
    }
}

int console_read_byte() { return kUart.get(); }

void console_enable_receive_interrupt() { kUart.enable_receive_interrupt(); }

// A host without Sstc (the Rocket FPGA) has the firmware program the timer
// through SBI set_timer.
void arm_host_timer(std::uint64_t stime_value) {
    if constexpr (scenario::kHostSstc) {
        arch::csr_write<arch::csr::stimecmp>(stime_value);
    } else {
        arch::firmware_call(sbi::ext::TIME, sbi::time_fn::SET_TIMER, stime_value);
    }
}

void power_off(bool success, std::uint32_t code) {
    if constexpr (kPoweroff.kind == cfg::PoweroffKind::SifiveTest) {
        constexpr drivers::SifiveTest finisher{kPoweroff.base};
        if (success) {
            finisher.pass();
        } else {
            finisher.fail(code == 0 ? 1 : code);
        }
    }
    // No finisher (or it didn't stop us): ask the firmware to shut down.
    arch::firmware_call(sbi::ext::SRST, sbi::srst::FN_SYSTEM_RESET, sbi::srst::TYPE_SHUTDOWN,
                        success ? sbi::srst::REASON_NONE : sbi::srst::REASON_SYSTEM_FAILURE);
    arch::halt_hart();
}

}  // namespace tessera::platform
