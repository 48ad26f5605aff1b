// Devices: the emulated PLIC and 16550 (every access traps to the
// hypervisor, which decodes and emulates it), guest-physical addresses with
// nothing behind them, and the passed-through goldfish RTC with its interrupt.
#include "check.hpp"
#include "checks.hpp"

namespace conformance {
namespace {

using tessera::hex;

constexpr std::uint64_t kNothingThere = 0x40000000;  // no RAM, no device in the partition

// Loads and stores of every width, with no compressed encodings.
std::uint64_t load64(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("ld %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
void store64(std::uint64_t address, std::uint64_t value) {
    asm volatile("sd %0, 0(%1)" : : "r"(value), "r"(address) : "memory");
}
std::uint64_t load16(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("lh %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
void store16(std::uint64_t address, std::uint64_t value) {
    asm volatile("sh %0, 0(%1)" : : "r"(value), "r"(address) : "memory");
}
std::uint64_t load8_signed(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("lb %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}
std::uint64_t load32_signed(std::uint64_t address) {
    std::uint64_t value;
    asm volatile(".option push\n.option norvc\nlw %0, 0(%1)\n.option pop"
                 : "=r"(value) : "r"(address) : "memory");
    return value;
}
std::uint64_t load32_unsigned(std::uint64_t address) {
    std::uint64_t value;
    asm volatile("lwu %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    return value;
}

// c.sw then c.lw at `address`: the compressed encodings name x8..x15 only.
std::uint64_t compressed_round_trip(std::uint64_t address, std::uint64_t value) {
    register std::uint64_t r_address asm("a0") = address;
    register std::uint64_t r_value asm("a1") = value;
    register std::uint64_t r_back asm("a2") = 0;
    asm volatile("c.sw a1, 0(a0)\n\tc.lw a2, 0(a0)"
                 : "+r"(r_back) : "r"(r_address), "r"(r_value) : "memory");
    return r_back;
}

// Loads from `address` by instructions at each alignment: the hypervisor
// reads a 4-byte aligned instruction word at once and a 2-byte aligned one
// as two halves (a 32-bit one may straddle a page). The last loads into tp,
// a register the trap path saves only when an access names it.
struct AlignedLoads {
    std::uint64_t compressed_aligned, compressed_unaligned, aligned, unaligned, tp;
};
[[gnu::noinline]] AlignedLoads loads_at_every_alignment(std::uint64_t address) {
    register std::uint64_t r_address asm("a0") = address;
    register std::uint64_t r_c_aligned asm("a2") = 0;
    register std::uint64_t r_c_unaligned asm("a3") = 0;
    register std::uint64_t r_aligned asm("a4") = 0;
    register std::uint64_t r_unaligned asm("a5") = 0;
    register std::uint64_t r_tp asm("a6") = 0;
    asm volatile(
        ".option push\n.option rvc\n.balign 4\n"
        "c.lw a2, 0(a0)\n\t"  // offset 0: compressed, 4-byte aligned
        "c.lw a3, 0(a0)\n\t"  // offset 2: compressed, 2-byte aligned
        "lw a4, 0(a0)\n\t"    // offset 4: 32-bit, 4-byte aligned
        "c.nop\n\t"
        "lw a5, 0(a0)\n\t"    // offset 10: 32-bit, 2-byte aligned
        "mv t0, tp\n\tlw tp, 0(a0)\n\tmv a6, tp\n\tmv tp, t0\n"
        ".option pop"
        : "+r"(r_c_aligned), "+r"(r_c_unaligned), "+r"(r_aligned), "+r"(r_unaligned), "+r"(r_tp)
        : "r"(r_address)
        : "t0", "memory");
    return {r_c_aligned, r_c_unaligned, r_aligned, r_unaligned, r_tp};
}

// The external interrupt handlers run from the trap handler.
volatile std::uint32_t g_claimed = 0;
volatile std::uint32_t g_claims = 0;

std::uint32_t my_context() { return plic::s_context(0); }

void claim_uart() {
    const std::uint32_t source = mmio_read32(plic::claim(my_context()));
    g_claimed = source;
    g_claims = g_claims + 1;
    mmio_write8(g_platform.uart_base + uart::kIer, 0);  // the line drops
    mmio_write32(plic::claim(my_context()), source);     // complete
}

constexpr std::uint64_t kRtcTimeLow = 0x0, kRtcTimeHigh = 0x4, kRtcAlarmLow = 0x8,
                        kRtcAlarmHigh = 0xc, kRtcIrqEnabled = 0x10, kRtcClearAlarm = 0x14,
                        kRtcClearInterrupt = 0x1c;

void claim_rtc() {
    const std::uint32_t source = mmio_read32(plic::claim(my_context()));
    g_claimed = source;
    g_claims = g_claims + 1;
    if (source == g_platform.rtc_irq)
        mmio_write32(g_platform.rtc_base + kRtcClearInterrupt, 1);
    if (source != 0) mmio_write32(plic::claim(my_context()), source);
}

std::uint64_t rtc_time() {
    const std::uint64_t low = mmio_read32(g_platform.rtc_base + kRtcTimeLow);  // latches high
    const std::uint64_t high = mmio_read32(g_platform.rtc_base + kRtcTimeHigh);
    return high << 32 | low;
}

void enable_source(std::uint32_t source, bool on) {
    const std::uint64_t enable = plic::enable(my_context(), source / 32);
    std::uint32_t word = mmio_read32(enable);
    word = on ? word | (1U << (source % 32)) : word & ~(1U << (source % 32));
    mmio_write32(enable, word);
    mmio_write32(plic::priority(source), on ? 1 : 0);
    mmio_write32(plic::threshold(my_context()), 0);
}

}  // namespace

void check_plic_mmio() {
    const std::uint32_t context = my_context();
    {
        Check check("PLIC priority is a 3-bit WARL field: 0xffffffff reads back 7");
        mmio_write32(plic::priority(1), 0xffffffff);
        check.expect_eq("priority[1]", mmio_read32(plic::priority(1)), 7);
        mmio_write32(plic::priority(1), 0);
        check.expect_eq("priority[1] after writing 0", mmio_read32(plic::priority(1)), 0);
    }
    {
        Check check("PLIC 4-byte sw/lw round trip (threshold register)");
        mmio_write32(plic::threshold(context), 5);
        check.expect_eq("threshold", mmio_read32(plic::threshold(context)), 5);
        mmio_write32(plic::threshold(context), 0);
    }
    {
        Check check("PLIC lw sign-extends and lwu zero-extends a 32-bit register");
        // Enable bits of sources 1..31 (riscv,ndev >= 31); source 0 doesn't exist.
        const std::uint32_t sources = g_platform.plic_sources;
        if (check.expect(sources >= 31, "the guest PLIC needs riscv,ndev >= 31 for this check")) {
            mmio_write32(plic::enable(context), 0xffffffff);
            check.expect_eq("lw enable word", load32_signed(plic::enable(context)),
                            0xfffffffffffffffe);
            check.expect_eq("lwu enable word", load32_unsigned(plic::enable(context)), 0xfffffffe);
            mmio_write32(plic::enable(context), 0);
        }
    }
    {
        Check check("PLIC compressed c.sw/c.lw round trip");
        std::uint64_t back = 0;
        const Trap trap = catch_trap([&] { back = compressed_round_trip(plic::priority(2), 6); });
        if (check.expect_no_trap("c.sw/c.lw", trap)) check.expect_eq("c.lw", back, 6);
        check.expect_eq("priority[2] read with lw", mmio_read32(plic::priority(2)), 6);
        mmio_write32(plic::priority(2), 0);
    }
    {
        Check check("PLIC load into a callee-saved register (lw s3) and store from one (sw s4)");
        std::uint64_t back = 0;
        const std::uint64_t address = plic::priority(3);
        const Trap trap = catch_trap([&] {
            asm volatile(
                ".option push\n.option norvc\n"
                "li s4, 4\n\tsw s4, 0(%1)\n\tli s3, 0\n\tlw s3, 0(%1)\n\tmv %0, s3\n"
                ".option pop"
                : "=r"(back) : "r"(address) : "s3", "s4", "memory");
        });
        if (check.expect_no_trap("sw s4/lw s3", trap)) check.expect_eq("s3", back, 4);
    }
    {
        Check check("PLIC loads at every instruction alignment, and into tp");
        mmio_write32(plic::priority(5), 3);
        AlignedLoads loads{};
        const Trap trap = catch_trap([&] { loads = loads_at_every_alignment(plic::priority(5)); });
        if (check.expect_no_trap("c.lw/lw/lw tp", trap)) {
            check.expect_eq("c.lw at a 4-byte aligned pc", loads.compressed_aligned, 3);
            check.expect_eq("c.lw at a 2-byte aligned pc", loads.compressed_unaligned, 3);
            check.expect_eq("lw at a 4-byte aligned pc", loads.aligned, 3);
            check.expect_eq("lw at a 2-byte aligned pc", loads.unaligned, 3);
            check.expect_eq("lw tp", loads.tp, 3);
        }
        mmio_write32(plic::priority(5), 0);
    }
    {
        Check check("PLIC sw from x0 stores zero");
        const std::uint64_t address = plic::priority(3);
        mmio_write32(address, 5);
        asm volatile(".option push\n.option norvc\nsw zero, 0(%0)\n.option pop"
                     : : "r"(address) : "memory");
        check.expect_eq("priority[3]", mmio_read32(address), 0);
    }
    {
        Check check("PLIC ld/sd (8-byte) give load/store access faults");
        const std::uint64_t address = plic::priority(4);
        check.expect_trap("ld", catch_trap([&] { (void)load64(address); }), kLoadAccess, address);
        check.expect_trap("sd", catch_trap([&] { store64(address, 3); }), kStoreAccess, address);
        check.expect_eq("priority[4] after the sd", mmio_read32(address), 0);
    }
    {
        Check check("PLIC lb/sb and lh/sh give load/store access faults");
        const std::uint64_t address = plic::priority(4);
        check.expect_trap("lb", catch_trap([&] { (void)load8_signed(address); }), kLoadAccess,
                          address);
        check.expect_trap("sb", catch_trap([&] { mmio_write8(address, 3); }), kStoreAccess,
                          address);
        check.expect_trap("lh", catch_trap([&] { (void)load16(address); }), kLoadAccess, address);
        check.expect_trap("sh", catch_trap([&] { store16(address, 3); }), kStoreAccess, address);
        check.expect_eq("priority[4] after sb/sh", mmio_read32(address), 0);
    }
}

void check_uart() {
    const std::uint64_t base = g_platform.uart_base;
    const std::uint32_t irq = g_platform.uart_irq;
    {
        Check check("UART LSR reads 0x60 (THR empty, transmitter empty)");
        check.expect_eq("LSR", mmio_read8(base + uart::kLsr), 0x60);
    }
    {
        Check check("UART scratch register: 0xa5 reads back with lbu, sign-extended with lb");
        mmio_write8(base + uart::kScr, 0xa5);
        check.expect_eq("lbu SCR", mmio_read8(base + uart::kScr), 0xa5);
        check.expect_eq("lb SCR", load8_signed(base + uart::kScr), 0xffffffffffffffa5);
    }
    {
        Check check("UART bytes written to THR go out (the console shows the uart: line)");
        const Trap trap = catch_trap([&] {
            for (char c : std::string_view("uart: hello through the emulated 16550\n")) {
                wait_until([&] { return (mmio_read8(base + uart::kLsr) & 0x20) != 0; },
                           ticks_ms(100));
                mmio_write8(base + uart::kThr, static_cast<std::uint8_t>(c));
            }
        });
        check.expect_no_trap("THR writes", trap);
    }
    {
        Check check("UART accesses wider than a byte give load/store access faults");
        check.expect_trap("lw LSR", catch_trap([&] { (void)load32_signed(base + 4); }),
                          kLoadAccess, base + 4);
        check.expect_trap("sw SCR", catch_trap([&] { mmio_write32(base + 4, 0); }), kStoreAccess,
                          base + 4);
    }
    {
        Check check("UART IER.THRI makes the UART's source pending on the PLIC");
        if (check.expect(irq != 0, "the guest DT gives the UART no interrupt")) {
            mmio_write8(base + uart::kIer, uart::kIerThri);
            check.expect_eq("IER", mmio_read8(base + uart::kIer), uart::kIerThri);
            check.expect(plic::is_pending(irq), "the UART's source is not pending");
            check.expect(!interrupt_pending(kIrqExternal, pending_window()),
                         "an external interrupt is pending while the source is disabled");
        }
    }
    {
        Check check("UART interrupt: with enable and priority above threshold it is taken as cause 9 and claimed");
        g_claimed = 0;
        my_traps().on_external = claim_uart;
        enable_source(irq, true);
        if (check.expect(wait_for_interrupt(kIrqExternal, ticks_ms(1000)),
                         "no external interrupt within 1 s")) {
            check.expect_eq("scause", my_traps().last_irq, kInterrupt | kIrqExternal);
            check.expect_eq("claimed source", g_claimed, irq);
        }
        my_traps().on_external = nullptr;
    }
    {
        Check check("UART interrupt ends after clearing IER.THRI and completing");
        check.expect(!plic::is_pending(irq), "the UART's source is still pending");
        check.expect(!interrupt_pending(kIrqExternal, pending_window()),
                     "an external interrupt is still pending");
        check.expect_eq("claim with nothing pending", mmio_read32(plic::claim(my_context())), 0);
        enable_source(irq, false);
    }
}

void check_access_faults() {
    {
        Check check("a load from a guest-physical address with nothing there is a load access fault");
        check.expect_trap("lw 0x40000000", catch_trap([] { (void)mmio_read32(kNothingThere); }),
                          kLoadAccess, kNothingThere);
    }
    {
        Check check("a store to a guest-physical address with nothing there is a store access fault");
        check.expect_trap("sw 0x40000000", catch_trap([] { mmio_write32(kNothingThere, 1); }),
                          kStoreAccess, kNothingThere);
    }
    {
        Check check("a jump to a guest-physical address with nothing there is an instruction access fault");
        check.expect_trap("jalr 0x40000000", catch_trap([] {
                              auto* nowhere = reinterpret_cast<void (*)()>(kNothingThere);
                              nowhere();
                          }),
                          kInsnAccess, kNothingThere);
    }
}

void check_passthrough_rtc() {
    const std::uint64_t base = g_platform.rtc_base;
    const std::uint32_t irq = g_platform.rtc_irq;
    {
        Check check("passthrough RTC: its time is plausible and advances");
        if (check.expect(base != 0 && irq != 0, "the guest DT has no rtc@ node with an interrupt")) {
            const std::uint64_t first = rtc_time();
            // Between 2020-01-01 and 2200-01-01, in nanoseconds.
            if (first < 1577836800ULL * 1000000000ULL || first > 7258118400ULL * 1000000000ULL)
                check.detail() << "time " << hex(first) << " ns is not between 2020 and 2200";
            delay_ticks(ticks_ms(2));
            const std::uint64_t second = rtc_time();
            if (second <= first)
                check.detail() << "time did not advance: " << hex(first) << " then " << hex(second);
        }
    }
    for (const char* name : {"passthrough RTC: its alarm interrupt is taken through the virtual PLIC as cause 9",
                             "passthrough RTC: a second alarm arrives too (the host PLIC got the completion)"}) {
        Check check(name);
        if (base == 0 || irq == 0) {
            check.fail("the guest DT has no rtc@ node with an interrupt");
            continue;
        }
        g_claimed = 0;
        my_traps().on_external = claim_rtc;
        enable_source(irq, true);
        mmio_write32(base + kRtcIrqEnabled, 1);
        const std::uint64_t alarm = rtc_time() + 1000000;  // 1 ms
        mmio_write32(base + kRtcAlarmHigh, static_cast<std::uint32_t>(alarm >> 32));
        mmio_write32(base + kRtcAlarmLow, static_cast<std::uint32_t>(alarm));
        if (check.expect(wait_for_interrupt(kIrqExternal, ticks_ms(1000)),
                         "no external interrupt within 1 s")) {
            check.expect_eq("scause", my_traps().last_irq, kInterrupt | kIrqExternal);
            check.expect_eq("claimed source", g_claimed, irq);
        }
        my_traps().on_external = nullptr;
        check.expect(!interrupt_pending(kIrqExternal, pending_window()),
                     "an external interrupt is still pending after claim and complete");
        mmio_write32(base + kRtcIrqEnabled, 0);
        mmio_write32(base + kRtcClearAlarm, 1);
        enable_source(irq, false);
    }
}

}  // namespace conformance
