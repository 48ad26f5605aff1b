// The SBI that partitions see. Plain C++: the hypervisor instantiates
// handle_sbi() with its real environment, the unit tests with a fake one.
//
// An environment provides:
//   void console_write(std::span<const std::uint8_t> bytes);
//   int console_read_byte();                      // -1 when no input is waiting
//   std::uint8_t* guest_ram(std::uint64_t gpa, std::uint64_t length);
//                                                 // host pointer, or nullptr unless
//                                                 // [gpa, gpa+length) is the partition's RAM
//   std::uint64_t firmware_base_value(std::uint64_t fid);  // mvendorid/marchid/mimpid
#pragma once

#include <cstdint>
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
    Resume,            // write the return registers, step over the ecall
    ShutdownPartition,  // SRST shutdown: stop the calling partition
};

struct Outcome {
    std::int64_t error = error::SUCCESS;
    std::uint64_t value = 0;
    bool legacy = false;  // legacy extensions return only a0 (= error field)
    Action action = Action::Resume;
    std::uint64_t reason = 0;  // SRST reset_reason for ShutdownPartition
};

inline bool extension_supported(std::uint64_t eid) {
    switch (eid) {
        case ext::LEGACY_CONSOLE_PUTCHAR:
        case ext::LEGACY_CONSOLE_GETCHAR:
        case ext::BASE:
        case ext::SRST:
        case ext::DBCN:
            return true;
        default:
            return false;
    }
}

namespace detail {

inline Outcome fail(std::int64_t code) {
    Outcome outcome;
    outcome.error = code;
    return outcome;
}

inline Outcome success(std::uint64_t value) {
    Outcome outcome;
    outcome.value = value;
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
            std::uint8_t* buffer = env.guest_ram(call.arg[1], length);
            if (buffer == nullptr) return fail(error::INVALID_PARAM);
            if (call.fid == dbcn_fn::WRITE) {
                env.console_write(std::span<const std::uint8_t>(buffer, length));
                return success(length);
            }
            std::uint64_t count = 0;
            for (int byte; count < length && (byte = env.console_read_byte()) >= 0; ++count)
                buffer[count] = static_cast<std::uint8_t>(byte);
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

inline Outcome system_reset(const Call& call) {
    if (call.fid != srst::FN_SYSTEM_RESET) return fail(error::NOT_SUPPORTED);
    const std::uint64_t type = call.arg[0];
    const std::uint64_t reason = call.arg[1];
    const bool reserved_type = type > srst::TYPE_WARM_REBOOT && type < 0xF0000000ULL;
    const bool reserved_reason = reason > srst::REASON_SYSTEM_FAILURE && reason < 0xE0000000ULL;
    if (type > 0xFFFFFFFFULL || reason > 0xFFFFFFFFULL || reserved_type || reserved_reason)
        return fail(error::INVALID_PARAM);
    if (type != srst::TYPE_SHUTDOWN) return fail(error::NOT_SUPPORTED);
    Outcome outcome;
    outcome.action = Action::ShutdownPartition;
    outcome.reason = reason;
    return outcome;
}

}  // namespace detail

template <class Env>
Outcome handle_sbi(const Call& call, Env& env) {
    switch (call.eid) {
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
        case ext::BASE: return detail::base(call, env);
        case ext::DBCN: return detail::debug_console(call, env);
        case ext::SRST: return detail::system_reset(call);
        default: return detail::fail(error::NOT_SUPPORTED);
    }
}

}  // namespace tessera::sbi
