// smpstress: a bare-metal guest on three virtual harts that makes a lost
// wake-up (an IPI, a timer or an external interrupt, an HSM start or
// resume that never arrives) show as a hang: every wait is a WFI loop whose
// condition only an interrupt handler can satisfy (guests/smpstress/README.md).
//
// Hart 0 reads the DT and its bootargs, starts harts 1 and 2 (SBI HSM), and
// the three run the ring, storm and timer phases; harts 1 and 2 stop, hart 0
// runs the HSM phase, starts them again for the PLIC phase, and shuts the
// partition down (SRST) once they have stopped.
#include <optional>
#include <string_view>

#include "bootargs.hpp"
#include "console.hpp"
#include "guest_dt.hpp"
#include "harts.hpp"
#include "phases.hpp"
#include "sbi.hpp"
#include "sbi_calls.hpp"

namespace smpstress {
namespace {

using guest::Out;

// The emulated PLIC and the first 16550's interrupt, from the DTB.
struct Devices {
    std::uint64_t plic = 0;
    std::uint32_t uart_irq = 0;
};

Devices read_devices(const void* dtb) {
    using namespace guest::dt_detail;
    Devices found;
    std::string_view node_name;
    bool plic = false, serial = false;
    std::uint64_t reg = 0, size = 0;
    std::uint32_t irq = 0;
    auto finish = [&] {
        if (plic && found.plic == 0) found.plic = reg;
        if (serial && found.uart_irq == 0) found.uart_irq = irq;
    };
    const guest::Fdt fdt(dtb);
    fdt.for_each_property([&](int, std::string_view name, std::string_view property,
                              const std::uint8_t* value, std::uint32_t length) {
        if (name != node_name) {
            finish();
            node_name = name;
            plic = serial = false;
            reg = 0;
            irq = 0;
        }
        if (property == "compatible") {
            plic = compatible_with(value, length, "riscv,plic0");
            serial = compatible_with(value, length, "ns16550a");
        } else if (property == "reg") {
            first_range(value, length, reg, size);
        } else if (property == "interrupts" && length >= 4) {
            irq = guest::Fdt::read32(value);
        }
    });
    finish();
    return found;
}

[[noreturn]] void setup_failed(std::string_view why) {
    Out() << "smpstress: FAIL " << why << "\n";
    guest::sbi::shutdown(false);
}

// The options from the bootargs: `seed=N` (or `seed=time`: from the time
// CSR, printed), `ring=`, `storm=`, `timer=`, `hsm=`, `plic=` (rounds, from
// 1), `stall-ms=` (how long a wait lasts before it is reported).
Options read_options(std::string_view bootargs) {
    const guest::Bootargs args(bootargs);
    Options options;
    auto count = [&](std::string_view key, std::uint64_t fallback) {
        const std::optional<std::uint64_t> value = args.number(key, fallback);
        if (!value || *value == 0) {
            Out() << "smpstress: FAIL bad option " << key << " (a number from 1 is needed)\n";
            guest::sbi::shutdown(false);
        }
        return *value;
    };
    if (args.value("seed") == std::optional<std::string_view>("time")) {
        options.seed = guest::splitmix64(now()) >> 32;
    } else {
        const std::optional<std::uint64_t> seed = args.number("seed", options.seed);
        if (!seed) setup_failed("bad option seed (a number, or time)");
        options.seed = *seed;
    }
    options.ring = count("ring", options.ring);
    options.storm = count("storm", options.storm);
    options.timer = count("timer", options.timer);
    options.hsm = count("hsm", options.hsm);
    options.plic = count("plic", options.plic);
    options.stall_ms = count("stall-ms", options.stall_ms);
    return options;
}

void start_both(Start kind) {
    for (unsigned hart = 1; hart < kHarts; ++hart) start_secondary(hart, kind, 0);
}

void wait_both_stopped() {
    for (unsigned hart = 1; hart < kHarts; ++hart) wait_stopped(hart);
}

}  // namespace
}  // namespace smpstress

using namespace smpstress;

extern "C" [[noreturn]] void guest_main(std::uint64_t hart, const void* dtb) {
    hart_init(static_cast<unsigned>(hart));
    me().phase = "setup";
    if (hart != 0) setup_failed("booted on a hart other than 0");
    const guest::GuestDt dt = guest::read_guest_dt(dtb);
    if (!dt.valid) setup_failed("no usable DTB");
    if (dt.harts != kHarts) setup_failed("the DT must give 3 harts");
    if (dt.timebase == 0) setup_failed("no /cpus/timebase-frequency in the DTB");
    if (!dt.sstc) setup_failed("the harts need Sstc (riscv,isa)");
    const Devices devices = read_devices(dtb);
    if (devices.plic == 0 || dt.uart_base == 0 || devices.uart_irq == 0)
        setup_failed("the DT must give a PLIC and a 16550 with an interrupt");

    g_machine.options = read_options(dt.bootargs);
    g_machine.timebase = dt.timebase;
    g_machine.plic = devices.plic;
    g_machine.uart = dt.uart_base;
    g_machine.uart_irq = devices.uart_irq;
    for (unsigned index = 0; index < kHarts; ++index)
        g_harts[index].rng = guest::Prng(g_machine.options.seed * kHarts + index);

    const Options& options = g_machine.options;
    Out() << "smpstress: 3 harts, seed " << options.seed << "; rounds: ring " << options.ring
          << ", storm " << options.storm << ", timer " << options.timer << ", hsm " << options.hsm
          << ", plic " << options.plic << "\n";

    start_both(Start::Phases);
    run_ring();
    run_storm();
    run_timer();
    wait_both_stopped();
    run_hsm();
    me().phase = "plic";
    start_both(Start::Plic);
    run_plic();
    wait_both_stopped();
    Out() << "smpstress: all phases passed\n";
    guest::sbi::shutdown(true);
}

extern "C" [[noreturn]] void smpstress_secondary_main(std::uint64_t hart, std::uint64_t opaque) {
    const auto self = static_cast<unsigned>(hart);
    hart_init(self);
    me().phase = "start";
    const auto kind = static_cast<Start>(opaque >> kStartShift);
    const std::uint64_t round = opaque & kRoundMask;
    if (self == 0 || !started_as(self, kind, round))
        fail("started with an opaque hart 0 did not give:", opaque);
    switch (kind) {
        case Start::Phases:
            run_ring();
            run_storm();
            run_timer();
            stop_self();
        case Start::Plic:
            run_plic();
            stop_self();
        default: hsm_secondary(self, kind, round);
    }
}
