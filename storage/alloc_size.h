// The allocator's size class for a request: what an allocation of `n` bytes really occupies.
// MEMORY USAGE adds these up so that a 20-byte node counts as the 24 (or 32) bytes it takes,
// as Redis's zmalloc_size does. With jemalloc linked (BAOZI_JEMALLOC) this is nallocx, a
// table lookup; otherwise glibc's chunk rounding (16-byte steps).
#pragma once

#include <cstddef>

namespace baozi {

// 0 for 0 (nothing is allocated).
size_t AllocSize(size_t n);

}  // namespace baozi
