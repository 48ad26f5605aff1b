#include "checks.hpp"

#include "paging.hpp"

namespace trapfuzz {
namespace {

constexpr std::uint64_t kInsnAccess = 1, kIllegal = 2, kLoadMisaligned = 4, kLoadAccess = 5,
                        kStoreMisaligned = 6, kStoreAccess = 7, kInsnPageFault = 12,
                        kLoadPageFault = 13, kStorePageFault = 15;

bool guest_visible(std::uint64_t scause, Mode mode, std::uint64_t interrupts) {
    if (scause & kInterrupt) {
        const std::uint64_t code = scause & ~kInterrupt;
        const std::uint64_t enabled = kStie | interrupts | (mode == Mode::VS ? kSsie | kSeie : 0);
        return code < 64 && ((enabled >> code) & 1) != 0;
    }
    return scause <= 8 || scause == 12 || scause == 13 || scause == 15;
}

bool is_memory_fault(std::uint64_t scause) {
    return scause == kLoadMisaligned || scause == kLoadAccess || scause == kLoadPageFault ||
           scause == kStoreMisaligned || scause == kStoreAccess || scause == kStorePageFault;
}

bool is_store_fault(std::uint64_t scause) {
    return scause == kStoreMisaligned || scause == kStoreAccess || scause == kStorePageFault;
}

// Whether the word's own store may have changed the code behind it.
bool stores_over_code(const Layout& layout, Word word, const MemoryAccess& access,
                      const std::uint64_t regs[32]) {
    if (!access.valid || !access.store) return false;
    const std::uint64_t address = regs[access.base] + static_cast<std::uint64_t>(access.offset);
    const std::uint64_t code_end = layout.middle + word.length + 8;
    return address < code_end && address + access.width > layout.middle;
}

// A load, store or AMO whose page-table walk reads a table outside RAM
// must end in an access fault of its kind (misaligned first, for an AMO);
// a jump to such an address, in an instruction access fault.
const char* check_walk_outside_ram(const Layout& layout, Mode mode, Word word,
                                   const std::uint64_t regs[32], const Outcome& outcome) {
    // A jump there: the fetch is what faults.
    if (mode == Mode::VU && outcome.trapped && (outcome.scause & kInterrupt) == 0 &&
        walk_leaves_ram(layout, outcome.sepc)) {
        if (outcome.scause != kInsnAccess)
            return "a fetch through a page table outside RAM: not an instruction access fault";
        return outcome.stval - outcome.sepc < 4 ? nullptr : "fetch fault stval is not at sepc";
    }
    const MemoryAccess access = memory_access(word);
    if (mode != Mode::VU || !access.valid) return nullptr;
    const std::uint64_t address = regs[access.base] + static_cast<std::uint64_t>(access.offset);
    if (!walk_leaves_ram(layout, address)) return nullptr;
    if (!outcome.trapped) {
        // A failing SC need not touch memory at all.
        return access.conditional ? nullptr : "an access through a page table outside RAM completed";
    }
    // Something else came first: an interrupt, or a fault elsewhere.
    if ((outcome.scause & kInterrupt) != 0 || outcome.sepc != layout.middle) return nullptr;
    const bool expected = access.store ? outcome.scause == kStoreAccess || outcome.scause == kStoreMisaligned
                                       : outcome.scause == kLoadAccess || outcome.scause == kLoadMisaligned;
    return expected ? nullptr : "an access through a page table outside RAM: not an access fault";
}

}  // namespace

const char* check_word_outcome(const Layout& layout, Mode mode, Word word,
                               const std::uint64_t regs[32], std::uint64_t interrupts,
                               const Outcome& outcome) {
    if (const char* wrong = check_walk_outside_ram(layout, mode, word, regs, outcome)) return wrong;
    if (!outcome.trapped) return nullptr;
    const std::uint64_t scause = outcome.scause;
    if (!guest_visible(scause, mode, interrupts)) return "a cause the guest must never see";
    if (scause & kInterrupt) return nullptr;

    if (scause == kInsnAccess || scause == kInsnPageFault) {
        if (outcome.stval - outcome.sepc >= 4) return "fetch fault stval is not at sepc";
        return nullptr;
    }
    const MemoryAccess access = memory_access(word);
    const bool own_fault = scause == kIllegal || is_memory_fault(scause);
    if (!own_fault || is_control_transfer(word) || stores_over_code(layout, word, access, regs))
        return nullptr;
    if (outcome.sepc != layout.middle) return "the word's own fault has sepc elsewhere";
    if (scause == kIllegal) {
        const std::uint64_t bits = word.length == 4 ? word.bits : word.bits & 0xffff;
        if (outcome.stval != 0 && outcome.stval != bits)
            return "illegal-instruction stval is neither 0 nor the instruction";
        return nullptr;
    }
    if (!access.valid) return "a memory fault from an instruction that accesses no memory";
    if (access.store != is_store_fault(scause))
        return access.store ? "a load fault from a store or AMO" : "a store fault from a load";
    const std::uint64_t address = regs[access.base] + static_cast<std::uint64_t>(access.offset);
    if (outcome.stval - address >= access.width) return "memory fault stval is not the address";
    return nullptr;
}

}  // namespace trapfuzz
