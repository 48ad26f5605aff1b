#pragma once

namespace tessera {
inline constexpr char kVersion[] = "0.1.0";
}
