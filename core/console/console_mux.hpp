// Multiplexes several partitions' console output onto one physical console,
// line by line, each line prefixed with its partition's name. Plain C++:
// the sink and the lock come from the caller.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace tessera {

class ConsoleMux {
public:
    static constexpr std::size_t kLineCapacity = 120;  // longer lines are split
    using Sink = void (*)(std::string_view text);

    // Per source: its prefix and the line being assembled.
    struct Source {
        std::string_view name;
        std::string_view colour;  // an ANSI SGR sequence for the prefix; empty: none
        char line[kLineCapacity] = {};
        std::size_t length = 0;
        std::size_t shown = 0;  // bytes of `line` already on the open console line
        bool polled_idle = false;  // asked for input with nothing written since
    };

    constexpr ConsoleMux(Sink sink, std::span<Source> sources, std::string_view own_colour = {})
        : sink_(sink), sources_(sources) {
        own_.name = "tessera";
        own_.colour = own_colour;
    }

    // Output of source `index` (a partition). Complete lines go out whole.
    void write(std::size_t index, std::span<const std::uint8_t> bytes);
    // A complete line from the hypervisor itself, prefixed "[tessera] ".
    void log(std::string_view text);
    // Emits what `index` has buffered so far as a line of its own.
    void flush(std::size_t index);
    // The partition `index` asked for input and found none. The second such
    // call with nothing written in between shows what it has buffered so far
    // without ending the line (a prompt: it waits for input); a driver that
    // reads its line status between the characters it prints never gets its
    // lines split. The line stays open for that source; anyone else's output
    // first ends it, and the source's whole line is shown again, prefixed,
    // when it completes.
    void show_partial(std::size_t index);
    // Stops all output for good, the hypervisor's own too: a partition owns
    // the physical console from now on (tessera,console-owner). An open
    // partial line is ended first; everything written afterwards is dropped.
    void silence();

private:
    static constexpr std::size_t kNoSource = ~std::size_t{0};

    void prefix_locked(const Source& source);  // "[name] ", in its colour
    void emit_locked(const Source& source, std::string_view text);
    void complete_line_locked(std::size_t index);
    void close_open_line_locked();
    void lock();
    void unlock();

    Sink sink_;
    std::span<Source> sources_;
    Source own_;  // the hypervisor's own lines
    std::atomic<std::uint32_t> busy_{0};  // 32-bit: a native AMO on RISC-V
    std::size_t open_ = kNoSource;        // source whose partial line is on the console
};

}  // namespace tessera
