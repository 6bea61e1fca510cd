// PLACEHOLDER: replaced by the hash implementation. The contract Value relies on is below.
#pragma once

#include <cstddef>

#include "storage/value.h"

namespace baozi {

class HashObject {
 public:
  HashObject() = default;
  HashObject(const HashObject&) = default;  // deep copy (COPY)
  ~HashObject() = default;

  size_t size() const { return 0; }
  Encoding encoding() const { return Encoding::kListpack; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const { return sizeof(*this); }
};

}  // namespace baozi
