// Console input for partitions: bytes typed on the hypervisor console go to
// the partition that has the input focus (partition 0 unless switched).
#pragma once

#include <atomic>
#include <cstdint>

namespace tessera {

class ConsoleInput {
public:
    using Source = int (*)();  // the next byte from the physical console, -1 if none

    constexpr explicit ConsoleInput(Source source) : source_(source) {}

    // The next byte for partition `index`, -1 if none (or it hasn't the focus).
    int read_for(std::uint32_t index) {
        if (index != focus_.load(std::memory_order_relaxed)) return -1;
        return source_();
    }
    void set_focus(std::uint32_t index) { focus_.store(index, std::memory_order_relaxed); }
    std::uint32_t focus() const { return focus_.load(std::memory_order_relaxed); }

private:
    Source source_;
    std::atomic<std::uint32_t> focus_{0};
};

}  // namespace tessera
