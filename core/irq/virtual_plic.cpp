#include "irq/virtual_plic.hpp"

namespace tessera::irq {

using namespace plic_layout;

void VirtualPlic::reset(std::uint32_t sources, std::uint32_t vharts) {
    *this = VirtualPlic{};
    sources_ = sources < kMaxVirtualSources ? sources : kMaxVirtualSources - 1;
    contexts_ = 2 * (vharts < kMaxVirtualHarts ? vharts : kMaxVirtualHarts);
    for (std::uint32_t source = 1; source <= sources_; ++source) existing_.insert(source);
}

bool VirtualPlic::read(std::uint64_t offset, unsigned width, std::uint32_t& value) {
    if (width != 4 || offset % 4 != 0) return false;
    value = read_register(offset);
    return true;
}

bool VirtualPlic::write(std::uint64_t offset, unsigned width, std::uint32_t value) {
    if (width != 4 || offset % 4 != 0) return false;
    write_register(offset, value);
    return true;
}

std::uint32_t VirtualPlic::read_register(std::uint64_t offset) {
    if (offset < kPendingBase) {
        const std::uint64_t source = (offset - kPriorityBase) / 4;
        return source_exists(static_cast<std::uint32_t>(source)) ? priority_[source] : 0;
    }
    if (offset < kEnableBase) {
        const std::uint64_t word = (offset - kPendingBase) / 4;
        return word < SourceSet::kWords ? pending_.word(static_cast<std::uint32_t>(word)) : 0;
    }
    if (offset < kContextBase) {
        const std::uint64_t context = (offset - kEnableBase) / kEnableStride;
        const std::uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
        if (context >= contexts_ || word >= SourceSet::kWords) return 0;
        return enabled_[context].word(static_cast<std::uint32_t>(word));
    }
    const std::uint64_t context = (offset - kContextBase) / kContextStride;
    const std::uint64_t reg = (offset - kContextBase) % kContextStride;
    if (context >= contexts_) return 0;
    if (reg == kThresholdOffset) return threshold_[context];
    if (reg == kClaimOffset) return claim(static_cast<std::uint32_t>(context));
    return 0;
}

void VirtualPlic::write_register(std::uint64_t offset, std::uint32_t value) {
    if (offset < kPendingBase) {
        const std::uint64_t source = (offset - kPriorityBase) / 4;
        if (source_exists(static_cast<std::uint32_t>(source)))
            priority_[source] = static_cast<std::uint8_t>(value & kPriorityMask);
        return;
    }
    if (offset < kEnableBase) return;  // pending bits are read-only
    if (offset < kContextBase) {
        const std::uint64_t context = (offset - kEnableBase) / kEnableStride;
        const std::uint64_t word = (offset - kEnableBase) % kEnableStride / 4;
        if (context >= contexts_ || word >= SourceSet::kWords) return;
        const auto index = static_cast<std::uint32_t>(word);
        enabled_[context].set_word(index, value & existing_.word(index));
        return;
    }
    const std::uint64_t context = (offset - kContextBase) / kContextStride;
    const std::uint64_t reg = (offset - kContextBase) % kContextStride;
    if (context >= contexts_) return;
    if (reg == kThresholdOffset)
        threshold_[context] = static_cast<std::uint8_t>(value & kPriorityMask);
    if (reg == kClaimOffset) complete(static_cast<std::uint32_t>(context), value);
}

std::uint32_t VirtualPlic::best_pending(std::uint32_t context) const {
    std::uint32_t best = 0;
    std::uint32_t best_priority = threshold_[context];  // must be exceeded
    for (std::uint32_t source = 1; source <= sources_; ++source) {
        if (!pending_.contains(source) || !enabled_[context].contains(source)) continue;
        if (priority_[source] > best_priority) {  // strictly: ties keep the lower id
            best = source;
            best_priority = priority_[source];
        }
    }
    return best;
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
    return context < contexts_ && best_pending(context) != 0;
}

std::optional<std::uint32_t> VirtualPlic::first_enabled_vhart(std::uint32_t source) const {
    if (!source_exists(source) || priority_[source] == 0) return std::nullopt;
    for (std::uint32_t vhart = 0; s_context(vhart) < contexts_; ++vhart)
        if (enabled_[s_context(vhart)].contains(source)) return vhart;
    return std::nullopt;
}

}  // namespace tessera::irq
