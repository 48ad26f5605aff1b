// Devices the partition does not own: the power-off device (QEMU's test
// finisher, given the command that would end the machine), the CLINT
// (another hart's software interrupt and timer), the host UART and a virtio
// device; the pages beside its passthrough RTC. And its own emulated PLIC
// pushed past what it has: contexts of harts it doesn't have (no such
// registers: read 0, writes ignored, as on QEMU's PLIC), the end of its
// window, accesses the PLIC doesn't support (8-byte, misaligned, atomic).
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
namespace cause = guest::cause;

constexpr std::uint32_t kFinisherFail = 0x3333;  // sifive,test0: power off, failure

enum class Width { Byte, Word, Double };

guest::Caught store(std::uint64_t address, std::uint64_t value, Width width) {
    return my_hart().catcher.run([&] {
        switch (width) {
            case Width::Byte: asm volatile("sb %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
            case Width::Word: asm volatile("sw %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
            case Width::Double: asm volatile("sd %0, 0(%1)" : : "r"(value), "r"(address) : "memory"); break;
        }
    });
}

guest::Caught load(std::uint64_t address, Width width, std::uint64_t& value) {
    return my_hart().catcher.run([&] {
        std::uint64_t read = 0;
        switch (width) {
            case Width::Byte: asm volatile("lbu %0, 0(%1)" : "+r"(read) : "r"(address) : "memory"); break;
            case Width::Word: asm volatile("lw %0, 0(%1)" : "+r"(read) : "r"(address) : "memory"); break;
            case Width::Double: asm volatile("ld %0, 0(%1)" : "+r"(read) : "r"(address) : "memory"); break;
        }
        value = read;
    });
}

void attempt_store(std::string_view what, std::uint64_t address, std::uint64_t value, Width width) {
    Line name;
    name << what << " (store " << hex(value) << " to " << hex(address) << ")";
    Attempt attempt(name.view(), "store access fault");
    attempt.expect_fault(store(address, value, width), cause::kStoreAccess, address);
}

void attempt_load(std::string_view what, std::uint64_t address, Width width) {
    Line name;
    name << what << " (load " << hex(address) << ")";
    Attempt attempt(name.view(), "load access fault");
    std::uint64_t value = 0;
    const guest::Caught caught = load(address, width, value);
    if (!attempt.expect_fault(caught, cause::kLoadAccess, address) && !caught.taken)
        attempt.escape() << "it read " << hex(value);
}

void foreign_devices(const Targets& t) {
    attempt_store("power off through the test finisher", t.finisher, kFinisherFail, Width::Word);
    attempt_load("test finisher", t.finisher, Width::Word);
    attempt_store("CLINT: IPI to physical hart 1", t.clint + 4, 1, Width::Word);
    attempt_store("CLINT: hart 1's mtimecmp", t.clint + 0x4008, 0, Width::Double);
    attempt_load("CLINT: mtime", t.clint + 0xbff8, Width::Double);
    attempt_store("host UART it does not own: THR", t.uart, 'X', Width::Byte);
    attempt_load("host UART it does not own: LSR", t.uart + 5, Width::Byte);
    attempt_load("virtio-mmio device: magic", t.virtio, Width::Word);
    const std::uint64_t rtc = t.devices.rtc;
    attempt_load("the page below its passthrough RTC", rtc - 8, Width::Double);
    attempt_store("the page above its passthrough RTC", rtc + 0x1000, 1, Width::Double);
}

void plic_beyond_its_harts(const Targets& t) {
    const std::uint64_t plic = t.devices.plic;
    // Contexts 0-3 are its two harts' M and S contexts; 4 and up name none.
    {
        Attempt attempt("PLIC context 4 threshold (no such context)", "reads 0, write ignored");
        std::uint64_t value = ~0ULL;
        const guest::Caught wrote = store(plic + plic::threshold(4), 7, Width::Word);
        const guest::Caught read = load(plic + plic::threshold(4), Width::Word, value);
        if (attempt.expect(!wrote.taken && !read.taken, "the access trapped"))
            attempt.expect_eq("read", value, 0);
    }
    {
        Attempt attempt("PLIC context 9 claim (no such context)", "reads 0");
        std::uint64_t value = ~0ULL;
        const guest::Caught read = load(plic + plic::claim(9), Width::Word, value);
        if (attempt.expect(!read.taken, "the access trapped")) attempt.expect_eq("claim", value, 0);
    }
    {
        Attempt attempt("PLIC context 5 enables (no such context)", "read 0, write ignored");
        std::uint64_t value = ~0ULL;
        const guest::Caught wrote = store(plic + plic::enable(5), ~0U, Width::Word);
        const guest::Caught read = load(plic + plic::enable(5), Width::Word, value);
        if (attempt.expect(!wrote.taken && !read.taken, "the access trapped"))
            attempt.expect_eq("read", value, 0);
    }
    attempt_load("just past its PLIC window", plic + t.devices.plic_size, Width::Word);
    {
        Attempt attempt("PLIC 8-byte load (ld priority 1)", "load access fault");
        std::uint64_t value = 0;
        attempt.expect_fault(load(plic + plic::priority(1), Width::Double, value),
                             cause::kLoadAccess, plic + plic::priority(1));
    }
    {
        Attempt attempt("PLIC misaligned load (lw priority 1 + 2)", "load access fault");
        std::uint64_t value = 0;
        attempt.expect_fault(load(plic + plic::priority(1) + 2, Width::Word, value),
                             cause::kLoadAccess, plic + plic::priority(1) + 2);
    }
    {
        Attempt attempt("PLIC atomic (amoswap.w on priority 1)", "store/AMO access fault");
        const std::uint64_t address = plic + plic::priority(1);
        const guest::Caught caught = my_hart().catcher.run([&] {
            std::uint64_t old = 0;
            asm volatile("amoswap.w %0, %1, (%2)" : "=r"(old) : "r"(7), "r"(address) : "memory");
        });
        attempt.expect_fault(caught, cause::kStoreAccess, address);
    }
}

}  // namespace

void attack_mmio(const Targets& t) {
    foreign_devices(t);
    plic_beyond_its_harts(t);
}

}  // namespace hostile
