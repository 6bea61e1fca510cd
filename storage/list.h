// PLACEHOLDER: replaced by the list implementation. The contract Value relies on is below.
#pragma once

#include <cstddef>

#include "storage/value.h"

namespace baozi {

class ListObject {
 public:
  ListObject() = default;
  ListObject(const ListObject&) = default;  // deep copy (COPY)
  ~ListObject() = default;

  size_t size() const { return 0; }
  Encoding encoding() const { return Encoding::kQuicklist; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const { return sizeof(*this); }
};

}  // namespace baozi
