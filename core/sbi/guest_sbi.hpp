// The SBI that partitions see (SBI v2.0). Plain C++: the hypervisor
// instantiates handle_sbi() with its real environment, the unit tests with a
// fake one. This file decides what each call means and validates its
// arguments; the environment carries it out on the partition's harts.
//
// An environment provides:
//   std::uint32_t vhart_count();                  // virtual harts of the partition (<= 64)
//   std::uint32_t self();                         // calling virtual hart
//   void console_write(std::span<const std::uint8_t> bytes);
//   int console_read_byte();                      // -1 when no input is waiting
//   std::uint8_t* guest_ram(std::uint64_t gpa, std::uint64_t length);
//                                                 // host pointer, or nullptr unless
//                                                 // [gpa, gpa+length) is the partition's RAM
//   std::uint64_t firmware_base_value(std::uint64_t fid);  // mvendorid/marchid/mimpid
//   void set_timer(std::uint64_t stime_value);
//   void send_ipi(std::uint64_t vharts);          // bit i = virtual hart i
//   void remote_fence(Fence kind, std::uint64_t vharts);
//   std::int64_t hart_start(std::uint32_t vhart, std::uint64_t addr, std::uint64_t opaque);
//   std::uint32_t hart_status(std::uint32_t vhart);
//   void set_own_hart_status(std::uint32_t state); // the calling vhart's HSM state
//   void suspend_retentive();                     // returns when an interrupt is pending
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "sbi/sbi_defs.hpp"

namespace tessera::sbi {

struct Call {
    std::uint64_t eid;
    std::uint64_t fid;
    std::uint64_t arg[6];
};

// What the vCPU loop does after the call.
enum class Action : std::uint8_t {
    Resume,             // write the return registers, step over the ecall
    ShutdownPartition,  // SRST shutdown: stop the calling partition
    RebootPartition,    // SRST cold/warm reboot: restart it from its pristine image
    StopHart,           // HSM hart_stop: the calling virtual hart stops
    SuspendHart,        // HSM non-retentive suspend: resume at `addr` with a1 = `opaque`
};

struct Outcome {
    std::int64_t error = error::SUCCESS;
    std::uint64_t value = 0;
    bool legacy = false;  // legacy extensions return only a0 (= error field)
    Action action = Action::Resume;
    std::uint64_t reason = 0;  // SRST reset_reason
    std::uint64_t addr = 0;    // SuspendHart: resume address
    std::uint64_t opaque = 0;  // SuspendHart: a1 on resume
};

// Which kind of remote fence a virtual hart asks of others.
enum class Fence : std::uint8_t { Instruction, VirtualMemory };

// DBCN write and read move at most this many bytes per call: the calls are
// non-blocking in the SBI spec (a write may be partial, the count says how
// much went), and the console is shared with the other partitions, so no
// call may hold it for long. Two lines of the console's width.
inline constexpr std::uint64_t kDbcnMaxBytesPerCall = 256;

// EIDs 0x00-0x0F are the legacy extensions (0x09-0x0F reserved): a caller
// using them expects the legacy convention, a0 only, every other register
// kept, whether Tessera implements the extension or not.
inline bool is_legacy_extension(std::uint64_t eid) { return eid <= 0x0F; }

inline bool extension_supported(std::uint64_t eid) {
    switch (eid) {
        case ext::LEGACY_CONSOLE_PUTCHAR:
        case ext::LEGACY_CONSOLE_GETCHAR:
        case ext::BASE:
        case ext::TIME:
        case ext::IPI:
        case ext::RFENCE:
        case ext::HSM:
        case ext::SRST:
        case ext::DBCN:
        case ext::TESSERA:
            return true;
        default:
            return false;
    }
}

// The virtual harts a (hart_mask, hart_mask_base) pair names, as a bit set
// over 0..count-1; nullopt when it names a hart the partition doesn't have.
inline std::optional<std::uint64_t> resolve_hart_mask(std::uint64_t mask, std::uint64_t base,
                                                      std::uint32_t count) {
    const std::uint64_t all = count >= 64 ? ~0ULL : (1ULL << count) - 1;
    if (base == kAllHarts) return all;
    std::uint64_t set = 0;
    for (unsigned bit = 0; bit < 64; ++bit) {
        if ((mask & (1ULL << bit)) == 0) continue;
        const std::uint64_t hart = base + bit;
        if (hart < base || hart >= count) return std::nullopt;  // wraps or beyond the partition
        set |= 1ULL << hart;
    }
    return set;
}

namespace detail {

inline Outcome fail(std::int64_t code) {
    Outcome outcome;
    outcome.error = code;
    return outcome;
}

inline Outcome success(std::uint64_t value = 0) {
    Outcome outcome;
    outcome.value = value;
    return outcome;
}

inline Outcome act(Action action) {
    Outcome outcome;
    outcome.action = action;
    return outcome;
}

template <class Env>
Outcome base(const Call& call, Env& env) {
    switch (call.fid) {
        case base_fn::GET_SPEC_VERSION: return success(kSpecVersion);
        case base_fn::GET_IMPL_ID: return success(kImplId);
        case base_fn::GET_IMPL_VERSION: return success(kImplVersion);
        case base_fn::PROBE_EXTENSION: return success(extension_supported(call.arg[0]) ? 1 : 0);
        case base_fn::GET_MVENDORID:
        case base_fn::GET_MARCHID:
        case base_fn::GET_MIMPID: return success(env.firmware_base_value(call.fid));
        default: return fail(error::NOT_SUPPORTED);
    }
}

template <class Env>
Outcome debug_console(const Call& call, Env& env) {
    switch (call.fid) {
        case dbcn_fn::WRITE:
        case dbcn_fn::READ: {
            const std::uint64_t length = call.arg[0];
            // On RV64 the high half of the address must be zero.
            if (call.arg[2] != 0) return fail(error::INVALID_PARAM);
            if (length == 0) return success(0);
            // The whole buffer must be the caller's RAM, even if less is moved.
            std::uint8_t* buffer = env.guest_ram(call.arg[1], length);
            if (buffer == nullptr) return fail(error::INVALID_PARAM);
            const std::uint64_t moved =
                length < kDbcnMaxBytesPerCall ? length : kDbcnMaxBytesPerCall;
            if (call.fid == dbcn_fn::WRITE) {
                env.console_write(std::span<const std::uint8_t>(buffer, moved));
                return success(moved);
            }
            std::uint64_t count = 0;
            // moved is 1..kDbcnMaxBytesPerCall here; cppcheck 2.10 derives moved < 1
            // from the length == 0 return above.
            // cppcheck-suppress knownConditionTrueFalse ; false positive, see above
            while (count < moved) {
                const int byte = env.console_read_byte();
                if (byte < 0) break;
                buffer[count++] = static_cast<std::uint8_t>(byte);
            }
            return success(count);
        }
        case dbcn_fn::WRITE_BYTE: {
            const std::uint8_t byte = static_cast<std::uint8_t>(call.arg[0]);
            env.console_write(std::span<const std::uint8_t>(&byte, 1));
            return success(0);
        }
        default: return fail(error::NOT_SUPPORTED);
    }
}

template <class Env>
Outcome ipi(const Call& call, Env& env) {
    if (call.fid != ipi_fn::SEND_IPI) return fail(error::NOT_SUPPORTED);
    const auto harts = resolve_hart_mask(call.arg[0], call.arg[1], env.vhart_count());
    if (!harts) return fail(error::INVALID_PARAM);
    env.send_ipi(*harts);
    return success();
}

template <class Env>
Outcome remote_fence(const Call& call, Env& env) {
    Fence kind = Fence::Instruction;
    switch (call.fid) {
        case rfence_fn::REMOTE_FENCE_I: kind = Fence::Instruction; break;
        case rfence_fn::REMOTE_SFENCE_VMA:
        case rfence_fn::REMOTE_SFENCE_VMA_ASID: kind = Fence::VirtualMemory; break;
        // The hfence calls are for hypervisors; partitions don't get the H extension.
        default: return fail(error::NOT_SUPPORTED);
    }
    const auto harts = resolve_hart_mask(call.arg[0], call.arg[1], env.vhart_count());
    if (!harts) return fail(error::INVALID_PARAM);
    // Address ranges are honoured by flushing more (the whole VMID), never less.
    env.remote_fence(kind, *harts);
    return success();
}

template <class Env>
Outcome hart_state(const Call& call, Env& env) {
    switch (call.fid) {
        case hsm_fn::HART_START: {
            if (call.arg[0] >= env.vhart_count()) return fail(error::INVALID_PARAM);
            if (env.guest_ram(call.arg[1], 2) == nullptr) return fail(error::INVALID_ADDRESS);
            const std::int64_t code =
                env.hart_start(static_cast<std::uint32_t>(call.arg[0]), call.arg[1], call.arg[2]);
            return code == error::SUCCESS ? success() : fail(code);
        }
        case hsm_fn::HART_STOP: return act(Action::StopHart);
        case hsm_fn::HART_GET_STATUS:
            if (call.arg[0] >= env.vhart_count()) return fail(error::INVALID_PARAM);
            return success(env.hart_status(static_cast<std::uint32_t>(call.arg[0])));
        case hsm_fn::HART_SUSPEND: {
            const std::uint64_t type = call.arg[0];
            if (type > 0xFFFFFFFFULL) return fail(error::INVALID_PARAM);
            if (type == hsm_suspend::RETENTIVE) {
                // Other harts asking for its status see it suspended meanwhile.
                env.set_own_hart_status(hsm_state::SUSPENDED);
                env.suspend_retentive();
                env.set_own_hart_status(hsm_state::STARTED);
                return success();
            }
            // Reserved and platform-specific types: none are implemented.
            if (type != hsm_suspend::NON_RETENTIVE) return fail(error::INVALID_PARAM);
            if (env.guest_ram(call.arg[1], 2) == nullptr) return fail(error::INVALID_ADDRESS);
            Outcome outcome = act(Action::SuspendHart);
            outcome.addr = call.arg[1];
            outcome.opaque = call.arg[2];
            return outcome;
        }
        default: return fail(error::NOT_SUPPORTED);
    }
}

inline Outcome system_reset(const Call& call) {
    if (call.fid != srst::FN_SYSTEM_RESET) return fail(error::NOT_SUPPORTED);
    const std::uint64_t type = call.arg[0];
    const std::uint64_t reason = call.arg[1];
    const bool reserved_type = type > srst::TYPE_WARM_REBOOT && type < 0xF0000000ULL;
    const bool reserved_reason = reason > srst::REASON_SYSTEM_FAILURE && reason < 0xE0000000ULL;
    if (type > 0xFFFFFFFFULL || reason > 0xFFFFFFFFULL || reserved_type || reserved_reason)
        return fail(error::INVALID_PARAM);
    if (type > srst::TYPE_WARM_REBOOT) return fail(error::NOT_SUPPORTED);  // vendor types
    Outcome outcome = act(type == srst::TYPE_SHUTDOWN ? Action::ShutdownPartition
                                                      : Action::RebootPartition);
    outcome.reason = reason;
    return outcome;
}

}  // namespace detail

template <class Env>
Outcome handle_sbi(const Call& call, Env& env) {
    switch (call.eid) {
        case ext::TIME:
            if (call.fid != time_fn::SET_TIMER) return detail::fail(error::NOT_SUPPORTED);
            env.set_timer(call.arg[0]);
            return detail::success();
        case ext::IPI: return detail::ipi(call, env);
        case ext::RFENCE: return detail::remote_fence(call, env);
        case ext::HSM: return detail::hart_state(call, env);
        case ext::BASE: return detail::base(call, env);
        case ext::DBCN: return detail::debug_console(call, env);
        case ext::SRST: return detail::system_reset(call);
        case ext::LEGACY_CONSOLE_PUTCHAR: {
            const std::uint8_t byte = static_cast<std::uint8_t>(call.arg[0]);
            env.console_write(std::span<const std::uint8_t>(&byte, 1));
            Outcome outcome;
            outcome.legacy = true;
            return outcome;
        }
        case ext::LEGACY_CONSOLE_GETCHAR: {
            Outcome outcome;
            outcome.legacy = true;
            outcome.error = env.console_read_byte();
            return outcome;
        }
        default: {
            // Out of the switch, whose compare tree the frequent calls walk.
            if (call.eid == ext::TESSERA && call.fid == tessera_fn::WATCHDOG_KICK)
                return env.watchdog_kick() ? detail::success() : detail::fail(error::NOT_SUPPORTED);
            Outcome outcome = detail::fail(error::NOT_SUPPORTED);
            outcome.legacy = is_legacy_extension(call.eid);  // a1 is kept
            return outcome;
        }
    }
}

}  // namespace tessera::sbi
