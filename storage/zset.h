// PLACEHOLDER: replaced by the zset implementation. The contract Value relies on is below.
#pragma once

#include <cstddef>

#include "storage/value.h"

namespace baozi {

class ZsetObject {
 public:
  ZsetObject() = default;
  ZsetObject(const ZsetObject&) = default;  // deep copy (COPY)
  ~ZsetObject() = default;

  size_t size() const { return 0; }
  Encoding encoding() const { return Encoding::kListpack; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const { return sizeof(*this); }
};

}  // namespace baozi
