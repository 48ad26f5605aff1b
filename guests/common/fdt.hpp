// A read-only walker over a flattened device tree (DTB), enough for guests
// to check what they were handed: header, nodes, properties.
#pragma once

#include <cstdint>
#include <string_view>

namespace guest {

class Fdt {
public:
    static constexpr std::uint32_t kMagic = 0xd00dfeed;

    explicit Fdt(const void* blob) : base_(static_cast<const std::uint8_t*>(blob)) {}

    bool valid() const { return be32(0) == kMagic && be32(20) >= 16; }
    std::uint32_t total_size() const { return be32(4); }

    // Calls visit(node_path_depth, node_name, property_name, value, length)
    // for every property; node_name is the name of the node holding it.
    template <class Visit>
    void for_each_property(Visit visit) const {
        const std::uint8_t* structure = base_ + be32(8);
        const char* strings = reinterpret_cast<const char*>(base_ + be32(12));
        std::uint32_t offset = 0;
        std::string_view names[16];
        int depth = -1;
        for (;;) {
            const std::uint32_t token = read32(structure + offset);
            offset += 4;
            if (token == 1) {  // FDT_BEGIN_NODE
                const char* name = reinterpret_cast<const char*>(structure + offset);
                std::uint32_t length = 0;
                while (name[length] != 0) ++length;
                ++depth;
                if (depth < 16) names[depth] = std::string_view(name, length);
                offset += (length + 4) & ~3U;
            } else if (token == 2) {  // FDT_END_NODE
                --depth;
            } else if (token == 3) {  // FDT_PROP
                const std::uint32_t length = read32(structure + offset);
                const std::uint32_t name_offset = read32(structure + offset + 4);
                const std::uint8_t* value = structure + offset + 8;
                visit(depth, depth >= 0 && depth < 16 ? names[depth] : std::string_view(),
                      std::string_view(strings + name_offset), value, length);
                offset += 8 + ((length + 3) & ~3U);
            } else if (token == 4) {  // FDT_NOP
            } else {
                return;  // FDT_END or corrupt
            }
        }
    }

    static std::uint32_t read32(const std::uint8_t* p) {
        return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
               (std::uint32_t{p[2]} << 8) | p[3];
    }
    static std::uint64_t read64(const std::uint8_t* p) {
        return (std::uint64_t{read32(p)} << 32) | read32(p + 4);
    }

private:
    std::uint32_t be32(std::uint32_t offset) const { return read32(base_ + offset); }
    const std::uint8_t* base_;
};

}  // namespace guest
