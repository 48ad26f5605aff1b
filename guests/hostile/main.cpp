// hostile: a bare-metal guest that attacks the hypervisor and the partition
// beside it, one attempt at a time, and reports how each was answered
// (guests/hostile/README.md). Its RAM is identity-mapped (guest-physical =
// host-physical, tests/configs/hostile.dts) so that every address it aims
// at is the host-physical address it names.
#include <cstdint>
#include <optional>
#include <string_view>

#include "arch/riscv/csr.hpp"
#include "attacks.hpp"
#include "attempt.hpp"
#include "bootargs.hpp"
#include "console.hpp"
#include "guest_dt.hpp"
#include "harts.hpp"
#include "sbi.hpp"

extern "C" void guest_trap_entry();

namespace {

using guest::Out;
using hostile::Range;
using hostile::Targets;

[[noreturn]] void give_up(std::string_view why) {
    Out() << "hostile: cannot attack: " << why << "\n";
    guest::sbi::shutdown(false);
}

// `base+size`, both numbers.
std::optional<Range> parse_range(std::string_view text) {
    std::string_view base, size;
    if (!guest::split(text, '+', base, size)) return std::nullopt;
    const auto b = guest::parse_number(base);
    const auto s = guest::parse_number(size);
    if (!b || !s || *s == 0) return std::nullopt;
    return Range{*b, *s};
}

Targets read_targets(const void* dtb) {
    const guest::GuestDt dt = guest::read_guest_dt(dtb);
    if (!dt.valid || dt.timebase == 0) give_up("no usable DTB");
    const guest::Bootargs args(dt.bootargs);
    Targets targets;
    targets.own_ram = {dt.ram_base, dt.ram_size};
    targets.harts = dt.harts;
    targets.timebase = dt.timebase;
    targets.sstc = dt.sstc;
    targets.devices = hostile::read_own_devices(dtb);
    auto range = [&](std::string_view key) {
        const auto value = args.value(key);
        const auto parsed = value ? parse_range(*value) : std::nullopt;
        if (!parsed) give_up("bootargs need other-ram=, hypervisor=, firmware= as base+size");
        return *parsed;
    };
    auto address = [&](std::string_view key) {
        const auto value = args.number(key, 0);
        if (!value || *value == 0) give_up("bootargs need other-code=, finisher=, clint=, uart=, virtio=");
        return *value;
    };
    targets.other_ram = range("other-ram");
    targets.hypervisor = range("hypervisor");
    targets.firmware = range("firmware");
    targets.other_code = address("other-code");
    targets.finisher = address("finisher");
    targets.clint = address("clint");
    targets.uart = address("uart");
    targets.virtio = address("virtio");
    const auto delay = args.number("attack-after-ms", 0);
    if (!delay) give_up("attack-after-ms= is not a number");
    targets.attack_after_ms = *delay;
    if (targets.harts != 2) give_up("the partition needs exactly two harts");
    if (targets.devices.plic == 0 || targets.devices.rtc == 0 || targets.devices.rtc_irq == 0)
        give_up("the DT needs the emulated PLIC and the passthrough goldfish RTC");
    for (const Range& foreign : {targets.other_ram, targets.hypervisor, targets.firmware})
        if (targets.own_ram.contains(foreign.base) || foreign.contains(targets.own_ram.base))
            give_up("a foreign range overlaps the partition's own RAM");
    // Its image and stack sit at the bottom of its RAM; the upper half is free.
    targets.big_buffer = {dt.ram_base + dt.ram_size / 2, dt.ram_size / 2};
    targets.scratch = targets.big_buffer.base - 0x10000;
    return targets;
}

}  // namespace

extern "C" char __stack_top[];

extern "C" [[noreturn]] void guest_main(std::uint64_t hart, const void* dtb) {
    asm volatile("mv tp, %0" : : "r"(hart));
    tessera::arch::csr_write<tessera::arch::csr::stvec>(
        reinterpret_cast<std::uintptr_t>(&guest_trap_entry));
    const Targets targets = read_targets(dtb);
    if (reinterpret_cast<std::uintptr_t>(__stack_top) > targets.scratch)
        give_up("the image reaches into the scratch buffer");
    hostile::g_devices = targets.devices;
    Out() << "hostile: RAM " << guest::hex(targets.own_ram.base) << "+"
          << guest::hex(targets.own_ram.size) << ", " << targets.harts
          << " harts; the other partition at " << guest::hex(targets.other_ram.base)
          << ", the hypervisor at " << guest::hex(targets.hypervisor.base) << "+"
          << guest::hex(targets.hypervisor.size) << "\n";
    // Give the other partition time to get going: the attacks are meant to
    // happen while it runs.
    hostile::wait_until([] { return false; }, targets.ticks_ms(targets.attack_after_ms));

    hostile::attack_memory(targets);
    hostile::attack_paging(targets);
    hostile::attack_mmio(targets);
    hostile::attack_cpu(targets);
    hostile::attack_sbi(targets);
    hostile::attack_hsm(targets);
    hostile::attack_storms(targets);

    const hostile::Tally& tally = hostile::g_tally;
    Out() << "hostile: " << tally.attempts << " attempts, " << tally.escapes << " escapes\n";
    guest::sbi::shutdown(tally.escapes == 0);
}
