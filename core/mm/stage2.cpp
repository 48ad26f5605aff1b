#include "mm/stage2.hpp"

namespace tessera::mm {
namespace {

std::uint64_t table_pointer(const PageTable* table) {
    return ((reinterpret_cast<std::uintptr_t>(table) / kPageSize) << pte::kPpnShift) | pte::V;
}

PageTable* table_of(std::uint64_t entry) {
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the host address a table entry holds (satp bare)
    return reinterpret_cast<PageTable*>((entry >> pte::kPpnShift) * kPageSize);
}

// The root is kRootPages consecutive PageTables read as one 2048-entry table.
std::uint64_t* root_entries(PageTable* root) { return reinterpret_cast<std::uint64_t*>(root); }
const std::uint64_t* root_entries(const PageTable* root) {
    return reinterpret_cast<const std::uint64_t*>(root);
}

bool is_leaf(std::uint64_t entry) { return (entry & (pte::R | pte::W | pte::X)) != 0; }

void clear(PageTable& table) {
    for (std::uint64_t& entry : table.entry) entry = 0;
}

class Builder {
public:
    explicit Builder(std::span<PageTable> pool) : pool_(pool) {}

    bool map(const cfg::MemRegion& region) {
        const std::uint64_t permissions = leaf_permissions(region.kind);
        std::uint64_t offset = 0;
        while (offset < region.size) {
            const std::uint64_t gpa = region.gpa + offset;
            const std::uint64_t hpa = region.hpa + offset;
            const std::uint64_t size = leaf_size(gpa, hpa, region.size - offset);
            std::uint64_t* slot = leaf_slot(gpa, size);
            if (slot == nullptr) return false;
            *slot = ((hpa / kPageSize) << pte::kPpnShift) | permissions;
            offset += size;
        }
        return true;
    }

    std::size_t pages_used() const { return used_; }

    bool init_root() {
        if (pool_.size() < kRootPages) return false;
        for (std::size_t i = 0; i < kRootPages; ++i) clear(pool_[i]);
        used_ = kRootPages;
        return true;
    }

private:
    // The entry that will hold a leaf of `size` for `gpa`, creating tables.
    std::uint64_t* leaf_slot(std::uint64_t gpa, std::uint64_t size) {
        std::uint64_t* entry = &root_entries(pool_.data())[(gpa >> 30) & 0x7ff];
        if (size == kGigaSize) return entry;
        PageTable* level1 = next_table(*entry);
        if (level1 == nullptr) return nullptr;
        entry = &level1->entry[(gpa >> 21) & 0x1ff];
        if (size == kMegaSize) return entry;
        PageTable* level0 = next_table(*entry);
        if (level0 == nullptr) return nullptr;
        return &level0->entry[(gpa >> 12) & 0x1ff];
    }

    PageTable* next_table(std::uint64_t& entry) {
        if (entry & pte::V) return is_leaf(entry) ? nullptr : table_of(entry);
        if (used_ >= pool_.size()) return nullptr;
        PageTable* table = &pool_[used_++];
        clear(*table);
        entry = table_pointer(table);
        return table;
    }

    std::span<PageTable> pool_;
    std::size_t used_ = 0;
};

}  // namespace

std::size_t build_stage2(std::span<PageTable> pool, std::span<const cfg::MemRegion> regions) {
    Builder builder(pool);
    if (!builder.init_root()) return 0;
    for (const cfg::MemRegion& region : regions) {
        if (!builder.map(region)) return 0;
    }
    return builder.pages_used();
}

bool translate_stage2(const PageTable* root, std::uint64_t gpa, std::uint64_t& hpa,
                      std::uint64_t& permissions) {
    if (gpa >= kGuestPhysLimit) return false;
    // The root spans kRootPages consecutive tables: 2048 entries.
    std::uint64_t entry = root_entries(root)[(gpa >> 30) & 0x7ff];
    std::uint64_t level_size = kGigaSize;
    for (int level = 2; level >= 0; --level) {
        if (!(entry & pte::V)) return false;
        if (is_leaf(entry)) {
            hpa = (entry >> pte::kPpnShift) * kPageSize + (gpa % level_size);
            permissions = entry & 0xff;
            return true;
        }
        if (level == 0) return false;
        level_size /= 512;
        const unsigned shift = level == 2 ? 21 : 12;
        entry = table_of(entry)->entry[(gpa >> shift) & 0x1ff];
    }
    return false;
}

}  // namespace tessera::mm
