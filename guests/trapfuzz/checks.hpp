// What the fuzzer checks of the trap a word raised, beyond surviving it:
// that it is something real hardware gives a guest, and that what the
// hypervisor injected looks like what the hardware would have raised.
#pragma once

#include <cstdint>

#include "layout.hpp"
#include "runner.hpp"
#include "words.hpp"

namespace trapfuzz {

// nullptr if the outcome of `word` (run at layout.middle with `regs` in
// `mode`) is plausible, else what is wrong:
//  - the cause is one a guest may see: an exception the hardware delegates or
//    the hypervisor injects (0-8, 12, 13, 15), never one of the hypervisor's
//    own (ecall from VS, guest-page faults, virtual instruction); an
//    interrupt the fuzzer enabled (the timer, and `interrupts`) or, in
//    VS-mode, one a CSR word may have enabled (software, external);
//  - a fault of the word itself (illegal instruction, misaligned, access and
//    page faults) has sepc = the word, unless the word jumps or stores over
//    the code behind it;
//  - a load, store or AMO fault is of the access's kind (load or store/AMO)
//    with stval inside the access; no other instruction raises one;
//  - an instruction fetch fault has stval at sepc (or the next parcel);
//  - an illegal-instruction stval is 0 or the instruction's bits;
//  - in VU-mode, an access whose page-table walk (paging.hpp) reads a table
//    outside RAM ends in an access fault of the original access's kind:
//    instruction, load, or store/AMO (misaligned first, for an AMO).
const char* check_word_outcome(const Layout& layout, Mode mode, Word word,
                               const std::uint64_t regs[32], std::uint64_t interrupts,
                               const Outcome& outcome);

}  // namespace trapfuzz
