// The "conformance" guest: checks every virtualization feature Tessera
// offers a partition, one `PASS <name>` or `FAIL <name>: <detail>` line per
// check, then `conformance: N passed, M failed` and SBI SRST shutdown (reason
// "system failure" if anything failed).
//
// The first boot only prepares the SRST reboot check: it leaves a marker in
// RAM outside the image and the DTB, changes initialised data and the DTB,
// dirties the virtual devices and hart 1, and asks for a warm reboot. The
// restarted partition finds the marker, checks that it starts from the
// pristine image, DTB and device state, and runs every other check.
#include <cstdint>
#include <string_view>

#include "check.hpp"
#include "checks.hpp"
#include "console.hpp"

extern "C" char __stack_top[];

namespace conformance {
namespace {

using guest::Out;
using guest::hex;

// Initialised data the first boot changes; the reboot must bring it back.
volatile int g_pristine = 1234;

constexpr std::uint64_t kMarkerMagic = 0x7465737365726121;  // "tessera!"
constexpr char kModelPrefix[] = "Tessera";

struct Marker {
    std::uint64_t magic;
    std::uint64_t boots;
};

// One page below the DTB (or the end of RAM), above the image and its stack.
volatile Marker* marker_location() {
    const std::uint64_t ram_end = g_platform.ram_base + g_platform.ram_size;
    std::uint64_t top = ram_end;
    const std::uint64_t dtb = reinterpret_cast<std::uintptr_t>(g_platform.dtb);
    if (dtb >= g_platform.ram_base && dtb < ram_end) top = dtb;
    const std::uint64_t address = (top & ~0xfffULL) - 0x1000;
    if (address < reinterpret_cast<std::uintptr_t>(__stack_top)) return nullptr;
    return reinterpret_cast<volatile Marker*>(address);
}

bool model_is_pristine() {
    const std::string_view prefix(kModelPrefix);
    if (g_platform.model == nullptr || g_platform.model_length < prefix.size()) return false;
    return std::string_view(g_platform.model, prefix.size()) == prefix;
}

// First boot: leave state behind that the reboot must undo, then reboot.
[[noreturn]] void dirty_and_reboot(volatile Marker* marker) {
    marker->magic = kMarkerMagic;
    marker->boots = 1;
    g_pristine = 0;
    if (g_platform.model != nullptr) const_cast<char*>(g_platform.model)[0] = 'X';
    start_secondary_spinning();
    if (g_platform.uart_irq != 0 && g_platform.plic_base != 0) {
        mmio_write32(plic::priority(g_platform.uart_irq), 5);
        mmio_write32(plic::enable(plic::s_context(0)), 1U << (g_platform.uart_irq % 32));
        mmio_write32(plic::threshold(plic::s_context(0)), 3);
    }
    if (g_platform.uart_base != 0) {
        mmio_write8(g_platform.uart_base + uart::kScr, 0x5a);
        mmio_write8(g_platform.uart_base + uart::kIer, uart::kIerThri);
    }
    Out() << "conformance: rebooting to check SRST warm reboot\n";
    const sbi::Ret ret = sbi::system_reset(2, 0);
    Out() << "FAIL SRST warm reboot: system_reset(2, 0) returned error " << hex(ret.error) << "\n";
    marker->magic = 0;
    sbi::system_reset(0, 1);
    for (;;) asm volatile("wfi");
}

void check_reboot(volatile Marker* marker) {
    if (marker == nullptr) {
        Check check("SRST reboot restarts from the pristine image");
        check.fail("not run: no place for the reboot marker");
        return;
    }
    {
        Check check("SRST reboot restarts from the pristine image");
        check.expect_eq("g_pristine", static_cast<std::uint64_t>(g_pristine), 1234);
        check.expect_eq("boots before this one", marker->boots, 1);
    }
    {
        Check check("SRST reboot restores the pristine DTB");
        check.expect(model_is_pristine(), "the DTB's /model is not the pristine one");
    }
    {
        Check check("SRST reboot stops the other harts and resets the virtual devices");
        if (g_platform.harts >= 2)
            check.expect_sbi("hart_get_status(1)", sbi::hart_status(1), sbi::kSuccess,
                             sbi::kStopped);
        if (g_platform.uart_irq != 0 && g_platform.plic_base != 0) {
            check.expect_eq("PLIC priority of the UART source",
                            mmio_read32(plic::priority(g_platform.uart_irq)), 0);
            check.expect_eq("PLIC enable word 0", mmio_read32(plic::enable(plic::s_context(0))), 0);
            check.expect_eq("PLIC threshold", mmio_read32(plic::threshold(plic::s_context(0))), 0);
            check.expect(!plic::is_pending(g_platform.uart_irq), "the UART source is pending");
        }
        if (g_platform.uart_base != 0) {
            check.expect_eq("UART SCR", mmio_read8(g_platform.uart_base + uart::kScr), 0);
            check.expect_eq("UART IER", mmio_read8(g_platform.uart_base + uart::kIer), 0);
        }
        check.expect_eq("sip", csr_read<csr::sip>(), 0);
        for (unsigned code : {kIrqSoftware, kIrqTimer, kIrqExternal})
            if (interrupt_pending(code, pending_window()))
                check.detail() << "interrupt " << tessera::dec(code) << " pending";
    }
    marker->magic = 0;
    marker->boots = 0;
}

}  // namespace
}  // namespace conformance

extern "C" [[noreturn]] void guest_main(std::uint64_t hart_id, const void* dtb) {
    using namespace conformance;
    install_trap_vector(hart_id);
    const bool dtb_ok = read_platform(hart_id, dtb);
    Out() << "conformance: virtual hart " << hart_id << " of " << g_platform.harts << ", DTB at "
          << hex(reinterpret_cast<std::uintptr_t>(dtb)) << ", RAM " << hex(g_platform.ram_base)
          << "+" << hex(g_platform.ram_size) << (g_platform.sstc ? ", Sstc" : ", no Sstc")
          << "\n";
    volatile Marker* marker = dtb_ok ? marker_location() : nullptr;
    if (marker != nullptr && marker->magic != kMarkerMagic) dirty_and_reboot(marker);
    {
        Check check("boot: virtual hart 0 with a usable DTB (RAM, cpus, PLIC, UART)");
        check.expect_eq("hart id", hart_id, 0);
        check.expect(dtb_ok, "the DTB has no usable memory or cpu nodes");
        check.expect(g_platform.plic_base != 0, "no PLIC in the DTB");
        check.expect(g_platform.uart_base != 0, "no serial port in the DTB");
        check.expect(marker != nullptr, "no room for the reboot marker below the DTB");
    }
    check_reboot(marker);

    check_sbi_base();
    check_time();
    check_counters();
    check_wfi();
    check_ipi();
    check_rfence();
    check_hsm();
    check_nonretentive_suspend();
    check_srst_arguments();
    check_dbcn();
    check_plic_mmio();
    check_uart();
    check_access_faults();
    check_passthrough_rtc();
    check_csr_protection();
    check_paging();
    check_fp();

    Out() << "conformance: " << g_totals.passed << " passed, " << g_totals.failed << " failed\n";
    sbi::system_reset(0, g_totals.failed == 0 ? 0 : 1);
    for (;;) asm volatile("wfi");
}
