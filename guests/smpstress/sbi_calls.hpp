// The SBI HSM and RFENCE calls of the stress guest.
#pragma once

#include <cstdint>

#include "sbi.hpp"

namespace smpstress::sbi_calls {

namespace hsm_state {
inline constexpr std::uint64_t kStarted = 0, kStopped = 1, kStartPending = 2, kStopPending = 3,
                               kSuspended = 4;
}

// The entry of a secondary hart (entry.S): a0 = hart id, a1 = opaque.
extern "C" void smpstress_secondary_entry();

inline std::int64_t hart_start(unsigned hart, std::uint64_t opaque) {
    return guest::sbi::call(guest::sbi::kHsm, 0, hart,
                            reinterpret_cast<std::uintptr_t>(&smpstress_secondary_entry), opaque)
        .error;
}

inline guest::sbi::Ret hart_status(unsigned hart) {
    return guest::sbi::call(guest::sbi::kHsm, 2, hart);
}

// Returns only if the call failed.
inline std::int64_t hart_stop() { return guest::sbi::call(guest::sbi::kHsm, 1).error; }

inline std::int64_t suspend_retentive() {
    return guest::sbi::call(guest::sbi::kHsm, 3, 0x00000000).error;
}

// Resumes at smpstress_secondary_entry with a1 = opaque; returns only if it failed.
inline std::int64_t suspend_non_retentive(std::uint64_t opaque) {
    return guest::sbi::call(guest::sbi::kHsm, 3, 0x80000000,
                            reinterpret_cast<std::uintptr_t>(&smpstress_secondary_entry), opaque)
        .error;
}

enum class Fence : unsigned { I, SfenceVma, SfenceVmaAsid };

inline std::int64_t remote_fence(Fence kind, std::uint64_t mask, std::uint64_t start,
                                 std::uint64_t size, std::uint64_t asid) {
    switch (kind) {
        case Fence::I: return guest::sbi::call(guest::sbi::kRfence, 0, mask, 0).error;
        case Fence::SfenceVma:
            return guest::sbi::call(guest::sbi::kRfence, 1, mask, 0, start, size).error;
        case Fence::SfenceVmaAsid:
            return guest::sbi::call(guest::sbi::kRfence, 2, mask, 0, start, size, asid).error;
    }
    return guest::sbi::kFailed;
}

}  // namespace smpstress::sbi_calls
