#include "console/console_mux.hpp"

namespace tessera {

void ConsoleMux::lock() {
    while (busy_.exchange(1, std::memory_order_acquire) != 0) {
    }
}

void ConsoleMux::unlock() { busy_.store(0, std::memory_order_release); }

void ConsoleMux::emit_locked(std::string_view prefix, std::string_view text) {
    sink_("[");
    sink_(prefix);
    sink_("] ");
    sink_(text);
    sink_("\n");
}

void ConsoleMux::write(std::size_t index, std::span<const std::uint8_t> bytes) {
    if (index >= sources_.size()) return;
    Source& source = sources_[index];
    lock();
    for (std::uint8_t byte : bytes) {
        if (byte == '\r') continue;
        if (byte == '\n' || source.length == kLineCapacity) {
            emit_locked(source.name, {source.line, source.length});
            source.length = 0;
            if (byte == '\n') continue;
        }
        source.line[source.length++] = static_cast<char>(byte);
    }
    unlock();
}

void ConsoleMux::flush(std::size_t index) {
    if (index >= sources_.size()) return;
    Source& source = sources_[index];
    lock();
    if (source.length != 0) emit_locked(source.name, {source.line, source.length});
    source.length = 0;
    unlock();
}

void ConsoleMux::log(std::string_view text) {
    lock();
    emit_locked("tessera", text);
    unlock();
}

}  // namespace tessera
