#include "storage/alloc_size.h"

#include <algorithm>

#if BAOZI_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace baozi {

size_t AllocSize(size_t n) {
  if (n == 0) return 0;
#if BAOZI_JEMALLOC
  return nallocx(n, 0);
#else
  // glibc's chunk arithmetic: 8 bytes of header, 16-byte steps, 32-byte minimum chunk.
  return std::max<size_t>(32, (n + 8 + 15) / 16 * 16) - 8;
#endif
}

}  // namespace baozi
