// PLACEHOLDER: replaced by the set implementation. The contract Value relies on is below.
#pragma once

#include <cstddef>

#include "storage/value.h"

namespace baozi {

class SetObject {
 public:
  SetObject() = default;
  SetObject(const SetObject&) = default;  // deep copy (COPY)
  ~SetObject() = default;

  size_t size() const { return 0; }
  Encoding encoding() const { return Encoding::kIntset; }
  // Heap bytes owned, including the object itself.
  size_t MemoryUsage() const { return sizeof(*this); }
};

}  // namespace baozi
