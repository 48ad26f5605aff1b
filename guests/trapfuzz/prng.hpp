// The fuzzer's only source of randomness: the guests' common generator
// (common/prng.hpp), under the fuzzer's namespace.
#pragma once

#include "../common/prng.hpp"

namespace trapfuzz {
using guest::Prng;
using guest::splitmix64;
}  // namespace trapfuzz
