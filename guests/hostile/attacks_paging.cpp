// Sv39 page tables that lead outside the partition: a page-table walk that
// reads its next table from the hypervisor, the other partition or its
// emulated PLIC, and leaf pages mapped onto the hypervisor. With translation
// on, every load, store and fetch through them must raise the access fault
// of the original access's kind with stval = the virtual address, as real
// hardware does when a walk or an access reaches memory it may not touch
// (a PTE access that violates PMA or PMP raises the access fault
// corresponding to the original access type).
#include "arch/riscv/csr.hpp"
#include "attacks.hpp"
#include "attempt.hpp"
#include "harts.hpp"

namespace hostile {
namespace {

using tessera::hex;
using tessera::Line;
using tessera::arch::csr_write;
namespace csr = tessera::arch::csr;
namespace cause = guest::cause;

constexpr std::uint64_t kPage = 4096;
constexpr std::uint64_t kValid = 1, kLeaf = 0xcf;  // V; V R W X A D
constexpr std::uint64_t kGiB = 1ULL << 30;
constexpr std::uint64_t kSv39 = 8ULL << 60;

std::uint64_t pointer_to(std::uint64_t table) { return table / kPage << 10 | kValid; }
std::uint64_t leaf_at(std::uint64_t address) { return address / kPage << 10 | kLeaf; }

// The virtual addresses, one root entry (1 GiB) each.
constexpr std::uint64_t kViaHypervisor = 4 * kGiB;  // next table in the hypervisor
constexpr std::uint64_t kViaOther = 5 * kGiB;       // a level-0 table in the other partition
constexpr std::uint64_t kViaPlic = 6 * kGiB;        // next table in its emulated PLIC
constexpr std::uint64_t kOntoHypervisor = 7 * kGiB; // a gigapage onto host 0x80000000

void load_through(std::uint64_t address, std::string_view what) {
    Line title;
    title << "Sv39 load " << hex(address) << ": " << what;
    Attempt attempt(title.view(), "load access fault");
    attempt.expect_fault(guest::probe_load(my_hart().catcher, address).caught, cause::kLoadAccess,
                         address);
}

void store_through(std::uint64_t address, std::string_view what) {
    Line title;
    title << "Sv39 store " << hex(address) << ": " << what;
    Attempt attempt(title.view(), "store access fault");
    attempt.expect_fault(guest::probe_store(my_hart().catcher, address, 0).caught,
                         cause::kStoreAccess, address);
}

void amo_through(std::uint64_t address, std::string_view what) {
    Line title;
    title << "Sv39 amoswap.d " << hex(address) << ": " << what;
    Attempt attempt(title.view(), "store/AMO access fault");
    const guest::Caught caught = my_hart().catcher.run([&] {
        std::uint64_t old = 0;
        asm volatile("amoswap.d %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(address) : "memory");
    });
    attempt.expect_fault(caught, cause::kStoreAccess, address);
}

void fetch_through(std::uint64_t address, std::string_view what) {
    Line title;
    title << "Sv39 jump " << hex(address) << ": " << what;
    Attempt attempt(title.view(), "instruction access fault");
    const guest::Caught caught = my_hart().catcher.run([&] {
        asm volatile("jalr ra, 0(%0)" : : "r"(address) : "ra", "memory");
    });
    attempt.expect_fault(caught, cause::kInsnAccess, address);
}

}  // namespace

void attack_paging(const Targets& t) {
    // Three tables in the scratch buffer: the root, and a level-1 table whose
    // first entry points at a level-0 table in the other partition's RAM.
    auto* root = reinterpret_cast<volatile std::uint64_t*>(t.scratch + 0x8000);
    auto* level1 = reinterpret_cast<volatile std::uint64_t*>(t.scratch + 0x9000);
    for (unsigned i = 0; i < 512; ++i) {
        root[i] = 0;
        level1[i] = 0;
    }
    const std::uint64_t own_gigabyte = t.own_ram.base & ~(kGiB - 1);
    root[own_gigabyte / kGiB] = leaf_at(own_gigabyte);  // itself, identity-mapped
    root[kViaHypervisor / kGiB] = pointer_to(t.hypervisor.base);
    root[kViaOther / kGiB] = pointer_to(reinterpret_cast<std::uintptr_t>(level1));
    level1[0] = pointer_to(t.other_ram.base);
    root[kViaPlic / kGiB] = pointer_to(t.devices.plic);
    root[kOntoHypervisor / kGiB] = leaf_at(t.hypervisor.base & ~(kGiB - 1));
    const std::uint64_t hypervisor_page = kOntoHypervisor + (t.hypervisor.base & (kGiB - 1));

    asm volatile("sfence.vma" ::: "memory");
    csr_write<csr::satp>(kSv39 | reinterpret_cast<std::uintptr_t>(root) / kPage);
    asm volatile("sfence.vma" ::: "memory");

    load_through(kViaHypervisor + 0x10, "its table in the hypervisor");
    store_through(kViaHypervisor + 0x10, "its table in the hypervisor");
    amo_through(kViaHypervisor + 0x10, "its table in the hypervisor");
    fetch_through(kViaHypervisor + 0x10, "its table in the hypervisor");
    load_through(kViaOther + 0x10, "a table in the other partition");
    store_through(kViaOther + 0x10, "a table in the other partition");
    fetch_through(kViaOther + 0x10, "a table in the other partition");
    load_through(kViaPlic + 0x10, "its table in the PLIC");
    store_through(kViaPlic + 0x10, "its table in the PLIC");
    fetch_through(kViaPlic + 0x10, "its table in the PLIC");
    load_through(hypervisor_page, "a page onto the hypervisor");
    store_through(hypervisor_page, "a page onto the hypervisor");
    fetch_through(hypervisor_page, "a page onto the hypervisor");

    csr_write<csr::satp>(0);
    asm volatile("sfence.vma" ::: "memory");
}

}  // namespace hostile
