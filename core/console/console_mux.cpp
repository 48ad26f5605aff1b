#include "console/console_mux.hpp"

namespace tessera {
namespace {

void discard(std::string_view) {}

}  // namespace

void ConsoleMux::lock() {
    while (busy_.exchange(1, std::memory_order_acquire) != 0) {
    }
}

void ConsoleMux::unlock() { busy_.store(0, std::memory_order_release); }

void ConsoleMux::close_open_line_locked() {
    if (open_ == kNoSource) return;
    sink_("\n");
    sources_[open_].shown = 0;
    open_ = kNoSource;
}

void ConsoleMux::complete_line_locked(std::size_t index) {
    Source& source = sources_[index];
    if (open_ == index) {
        sink_({source.line + source.shown, source.length - source.shown});
        sink_("\n");
        open_ = kNoSource;
    } else {
        emit_locked(source, {source.line, source.length});
    }
    source.length = 0;
    source.shown = 0;
}

void ConsoleMux::prefix_locked(const Source& source) {
    if (!source.colour.empty()) sink_(source.colour);
    sink_("[");
    sink_(source.name);
    sink_("]");
    if (!source.colour.empty()) sink_("\x1b[0m");
    sink_(" ");
}

void ConsoleMux::emit_locked(const Source& source, std::string_view text) {
    close_open_line_locked();
    prefix_locked(source);
    sink_(text);
    sink_("\n");
}

void ConsoleMux::write(std::size_t index, std::span<const std::uint8_t> bytes) {
    if (index >= sources_.size()) return;
    Source& source = sources_[index];
    lock();
    if (!bytes.empty()) source.polled_idle = false;
    for (std::uint8_t byte : bytes) {
        if (byte == '\r') continue;
        if (byte == '\n' || source.length == kLineCapacity) {
            complete_line_locked(index);
            if (byte == '\n') continue;
        }
        source.line[source.length++] = static_cast<char>(byte);
    }
    unlock();
}

void ConsoleMux::flush(std::size_t index) {
    if (index >= sources_.size()) return;
    const Source& source = sources_[index];
    lock();
    if (source.length != 0) complete_line_locked(index);
    unlock();
}

void ConsoleMux::show_partial(std::size_t index) {
    if (index >= sources_.size()) return;
    Source& source = sources_[index];
    lock();
    const bool waiting = source.polled_idle;
    source.polled_idle = true;
    if (waiting && source.length > source.shown) {
        if (open_ != index) {
            close_open_line_locked();
            prefix_locked(source);
            source.shown = 0;
            open_ = index;
        }
        sink_({source.line + source.shown, source.length - source.shown});
        source.shown = source.length;
    }
    unlock();
}

void ConsoleMux::log(std::string_view text) {
    lock();
    emit_locked(own_, text);
    unlock();
}

void ConsoleMux::silence() {
    lock();
    close_open_line_locked();
    sink_ = discard;  // every later emission happens under the lock, through sink_
    unlock();
}

}  // namespace tessera
