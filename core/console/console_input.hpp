// Console input for partitions: bytes typed on the hypervisor console go to
// the partition that has the input focus, partition 0 at boot. Ctrl-T (0x14)
// starts a command for the hypervisor itself:
//   Ctrl-T 1..9   focus the partition with that number (its index + 1)
//   Ctrl-T Ctrl-T send one Ctrl-T to the focused partition
//   Ctrl-T ?      list the partitions and these commands
// Any other byte after Ctrl-T is dropped with the Ctrl-T.
//
// Two ways in: a partition polling its virtual UART reads through
// read_for() (the byte is its own only while it has the focus); the physical
// console's receive interrupt drains the UART with take_pending(), and the
// caller hands each byte to the focused partition. Plain C++: the physical
// console and the announcements come from the caller. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "lib/spinlock.hpp"

namespace tessera {

class ConsoleInput {
public:
    using Source = int (*)();  // the next byte from the physical console, -1 if none
    // A hypervisor command was typed: the focus moved to `focus` (changed),
    // or the user asked for help.
    using Announce = void (*)(std::uint32_t focus, bool help);

    static constexpr std::uint8_t kEscape = 0x14;  // Ctrl-T

    constexpr ConsoleInput(Source source, Announce announce, std::uint32_t partitions)
        : source_(source), announce_(announce), partitions_(partitions) {}

    // The next byte for partition `index`, -1 if none (or it hasn't the focus).
    int read_for(std::uint32_t index) {
        LockGuard guard(lock_);
        int result = -1;
        while (index == focus()) {
            const int byte = source_();
            if (byte < 0) break;
            result = feed(static_cast<std::uint8_t>(byte));
            if (result >= 0) break;
        }
        return result;
    }

    // Drains the physical console into `out` (bytes for the partition that
    // has the focus, which *focus then tells). Returns how many; call again
    // while it fills `out`.
    std::size_t take_pending(std::uint8_t* out, std::size_t capacity, std::uint32_t* focus_out) {
        LockGuard guard(lock_);
        std::size_t count = 0;
        const std::uint32_t target = focus();
        while (count < capacity) {
            const int byte = source_();
            if (byte < 0) break;
            const int data = feed(static_cast<std::uint8_t>(byte));
            if (data >= 0) out[count++] = static_cast<std::uint8_t>(data);
            if (focus() != target) break;  // later bytes go to the new focus
        }
        *focus_out = target;
        return count;
    }

    // Never reads the physical console again: a partition owns it from now on
    // (tessera,console-owner). read_for() returns -1 and take_pending() 0.
    void disconnect() {
        LockGuard guard(lock_);
        source_ = nothing_typed;
    }

    std::uint32_t focus() const { return focus_.load(std::memory_order_relaxed); }
    void set_focus(std::uint32_t index) {
        if (index < partitions_) focus_.store(index, std::memory_order_relaxed);
    }

private:
    static int nothing_typed() { return -1; }

    // One byte through the command state machine: the data byte for the
    // focused partition, or -1 when the byte was (part of) a command.
    int feed(std::uint8_t byte) {
        if (!escaped_) {
            if (byte != kEscape) return byte;
            escaped_ = true;
            return -1;
        }
        escaped_ = false;
        if (byte == kEscape) return kEscape;
        if (byte == '?') {
            announce_(focus(), true);
        } else if (byte >= '1' && byte <= '9' && static_cast<std::uint32_t>(byte - '1') < partitions_) {
            set_focus(static_cast<std::uint32_t>(byte - '1'));
            announce_(focus(), false);
        }
        return -1;
    }

    Source source_;
    Announce announce_;
    std::uint32_t partitions_;
    std::atomic<std::uint32_t> focus_{0};
    SpinLock lock_;
    bool escaped_ = false;
};

}  // namespace tessera
