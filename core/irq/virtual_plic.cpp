#include "irq/virtual_plic.hpp"

#include <cstddef>

namespace tessera::irq {

using namespace plic_layout;

void VirtualPlic::reset(std::uint32_t sources, std::uint32_t vharts) {
    *this = VirtualPlic{};
    sources_ = sources < kMaxVirtualSources ? sources : kMaxVirtualSources - 1;
    contexts_ = 2 * (vharts < kMaxVirtualHarts ? vharts : kMaxVirtualHarts);
    for (std::uint32_t source = 1; source <= sources_; ++source) existing_.insert(source);
}

// The decoding is written out in read_register() and write() themselves, one
// branch per register block, so that an access to a plain register
// (priority, pending, enable, threshold) needs no stack frame.
bool VirtualPlic::read(std::uint64_t offset, unsigned width, std::uint32_t& value) {
    if (!is_claim_register(offset)) return read_register(offset, width, value);
    if (width != 4) return false;
    const std::uint64_t context = (offset - kContextBase) / kContextStride;
    value = context < contexts_ ? claim(static_cast<std::uint32_t>(context)) : 0;
    return true;
}

bool VirtualPlic::write(std::uint64_t offset, unsigned width, std::uint32_t value) {
    if (width != 4 || offset % 4 != 0) return false;
    if (offset < kPendingBase) {
        const std::uint64_t source = (offset - kPriorityBase) / 4;
        if (source_exists(static_cast<std::uint32_t>(source)))
            priority_[source] = static_cast<std::uint8_t>(value & kPriorityMask);
    } else if (offset < kEnableBase) {
        // pending bits are read-only
    } else if (offset < kContextBase) {
        const std::uint64_t context = (offset - kEnableBase) / kEnableStride;
        const std::uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
        if (context < contexts_ && word < SourceSet::kWords) {
            const auto index = static_cast<std::uint32_t>(word);
            enabled_[context].set_word(index, value & existing_.word(index));
        }
    } else {
        const std::uint64_t context = (offset - kContextBase) / kContextStride;
        const std::uint64_t reg = (offset - kContextBase) % kContextStride;
        if (context < contexts_) {
            if (reg == kThresholdOffset)
                threshold_[context] = static_cast<std::uint8_t>(value & kPriorityMask);
            if (reg == kClaimOffset) complete(static_cast<std::uint32_t>(context), value);
        }
    }
    return true;
}

// Both scans go word by word over pending & enabled, visiting only the set
// bits. That is all the eligibility checks of the PLIC: a pending source
// exists (raise() and set_level() check, complete() only re-latches one that
// exists) and is never in service (claims move sources from pending to in
// service, sources in service don't latch), an enabled one exists too (enable
// writes are masked with existing_), and priority 0 never exceeds a threshold.
std::uint32_t VirtualPlic::best_pending(std::uint32_t context) const {
    const SourceSet& enabled = enabled_[context];
    std::uint32_t best = 0;
    std::uint32_t best_priority = threshold_[context];  // must be exceeded
    // Indexes are std::size_t so that no 32-bit wrap-around (zero extension)
    // has to be computed on the way to priority_[source].
#pragma GCC unroll 4
    for (std::size_t index = 0; index < SourceSet::kWords; ++index) {
        std::uint32_t candidates = pending_.word(index) & enabled.word(index);
        while (candidates != 0) {  // in increasing order of ids
            const std::size_t source = 32 * index + detail::lowest_set_bit(candidates);
            candidates &= candidates - 1;  // clears that lowest bit
            const std::uint32_t priority = priority_[source];
            if (priority > best_priority) {  // strictly: ties keep the lower id
                best = static_cast<std::uint32_t>(source);
                best_priority = priority;
                if (priority == kPriorityMask) return best;  // nothing can be higher
            }
        }
    }
    return best;
}

bool VirtualPlic::any_pending(std::uint32_t context) const {
    const SourceSet& enabled = enabled_[context];
    const std::uint32_t threshold = threshold_[context];
#pragma GCC unroll 4
    for (std::size_t index = 0; index < SourceSet::kWords; ++index) {
        std::uint32_t candidates = pending_.word(index) & enabled.word(index);
        while (candidates != 0) {
            if (priority_[32 * index + detail::lowest_set_bit(candidates)] > threshold) return true;
            candidates &= candidates - 1;
        }
    }
    return false;
}

std::uint32_t VirtualPlic::claim(std::uint32_t context) {
    const std::uint32_t source = best_pending(context);
    if (source != 0) {
        pending_.erase(source);
        in_service_.insert(source);
    }
    return source;
}

void VirtualPlic::complete(std::uint32_t context, std::uint32_t source) {
    if (!source_exists(source) || !in_service_.contains(source) ||
        !enabled_[context].contains(source))
        return;  // silently ignored, as the specification says
    in_service_.erase(source);
    completed_.insert(source);
    if (line_high_.contains(source)) pending_.insert(source);
}

void VirtualPlic::raise(std::uint32_t source) {
    if (source_exists(source) && !in_service_.contains(source)) pending_.insert(source);
}

void VirtualPlic::set_level(std::uint32_t source, bool high) {
    if (!source_exists(source)) return;
    if (high) {
        line_high_.insert(source);
        if (!in_service_.contains(source)) pending_.insert(source);
    } else {
        line_high_.erase(source);
        if (!in_service_.contains(source)) pending_.erase(source);
    }
}

SourceSet VirtualPlic::take_completed() {
    const SourceSet completed = completed_;
    completed_.clear();
    return completed;
}

bool VirtualPlic::signals(std::uint32_t vhart) const {
    const std::uint32_t context = s_context(vhart);
    return context < contexts_ && any_pending(context);
}

std::uint64_t VirtualPlic::signal_levels() const {
    std::uint64_t levels = 0;
    for (std::uint32_t vhart = 0; vhart < 64 && s_context(vhart) < contexts_; ++vhart)
        if (any_pending(s_context(vhart))) levels |= 1ULL << vhart;
    return levels;
}

std::optional<std::uint32_t> VirtualPlic::first_enabled_vhart(std::uint32_t source) const {
    if (!source_exists(source) || priority_[source] == 0) return std::nullopt;
    std::optional<std::uint32_t> masked;  // enables it, but its threshold masks it now
    for (std::uint32_t vhart = 0; s_context(vhart) < contexts_; ++vhart) {
        const std::uint32_t context = s_context(vhart);
        if (!enabled_[context].contains(source)) continue;
        if (priority_[source] > threshold_[context]) return vhart;
        if (!masked) masked = vhart;
    }
    return masked;
}

}  // namespace tessera::irq
