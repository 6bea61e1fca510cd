#include "storage/intset.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

namespace baozi {
namespace {

// Entries and header are little-endian on every host, as in Redis's files.
template <class T>
T FromLittle(T v) {
  if constexpr (std::endian::native == std::endian::big) return std::byteswap(v);
  return v;
}

uint8_t* Reallocate(uint8_t* p, size_t bytes) {
  void* q = std::realloc(p, bytes);
  if (q == nullptr) throw std::bad_alloc();
  return static_cast<uint8_t*>(q);
}

}  // namespace

uint32_t Intset::ReadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  return FromLittle(v);
}

void Intset::WriteU32(uint8_t* p, uint32_t v) {
  v = FromLittle(v);
  std::memcpy(p, &v, sizeof(v));
}

int64_t Intset::GetAt(const uint8_t* entries, size_t pos, size_t width) {
  switch (width) {
    case 8: {
      int64_t v;
      std::memcpy(&v, entries + pos * 8, 8);
      return FromLittle(v);
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, entries + pos * 4, 4);
      return FromLittle(v);
    }
    default: {
      int16_t v;
      std::memcpy(&v, entries + pos * 2, 2);
      return FromLittle(v);
    }
  }
}

void Intset::SetAt(uint8_t* entries, size_t pos, size_t width, int64_t v) {
  switch (width) {
    case 8: {
      int64_t x = FromLittle(v);
      std::memcpy(entries + pos * 8, &x, 8);
      break;
    }
    case 4: {
      int32_t x = FromLittle(static_cast<int32_t>(v));
      std::memcpy(entries + pos * 4, &x, 4);
      break;
    }
    default: {
      int16_t x = FromLittle(static_cast<int16_t>(v));
      std::memcpy(entries + pos * 2, &x, 2);
      break;
    }
  }
}

Intset::Intset(const Intset& o) {
  if (o.blob_ != nullptr) {
    const size_t bytes = o.HeapBytes();
    blob_ = Reallocate(nullptr, bytes);
    std::memcpy(blob_, o.blob_, bytes);
  }
}

Intset& Intset::operator=(const Intset& o) {
  if (this != &o) {
    Intset copy(o);
    std::swap(blob_, copy.blob_);
  }
  return *this;
}

Intset& Intset::operator=(Intset&& o) noexcept {
  if (this != &o) {
    std::free(blob_);
    blob_ = o.blob_;
    o.blob_ = nullptr;
  }
  return *this;
}

Intset::~Intset() { std::free(blob_); }

void Intset::Resize(size_t n, size_t width) {
  blob_ = Reallocate(blob_, kHeaderBytes + n * width);
  WriteU32(blob_, static_cast<uint32_t>(width));
  WriteU32(blob_ + 4, static_cast<uint32_t>(n));
}

bool Intset::Search(int64_t v, size_t* pos) const {
  const size_t n = size();
  if (n == 0) {
    *pos = 0;
    return false;
  }
  const size_t w = width();
  const uint8_t* e = entries();
  // Outside the range: the insertion point is an end, no search needed.
  if (v > GetAt(e, n - 1, w)) {
    *pos = n;
    return false;
  }
  if (v < GetAt(e, 0, w)) {
    *pos = 0;
    return false;
  }
  size_t lo = 0, hi = n;  // the answer lies in [lo, hi)
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    const int64_t cur = GetAt(e, mid, w);
    if (cur == v) {
      *pos = mid;
      return true;
    }
    if (cur < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *pos = lo;
  return false;
}

void Intset::Upgrade(int64_t v) {
  const size_t old_w = width();
  const size_t new_w = WidthFor(v);
  const size_t n = size();
  // v is outside the range of every entry: below all of them if negative, above otherwise.
  const size_t front = v < 0 ? 1 : 0;
  Resize(n + 1, new_w);
  uint8_t* e = entries();
  // From the end backwards: each wider slot lies at or past the narrow one it replaces.
  for (size_t i = n; i-- > 0;) SetAt(e, i + front, new_w, GetAt(e, i, old_w));
  SetAt(e, front ? 0 : n, new_w, v);
}

bool Intset::Add(int64_t v) {
  if (WidthFor(v) > width()) {
    Upgrade(v);
    return true;
  }
  size_t pos;
  if (Search(v, &pos)) return false;
  const size_t n = size();
  const size_t w = width();
  Resize(n + 1, w);
  uint8_t* e = entries();
  if (pos < n) std::memmove(e + (pos + 1) * w, e + pos * w, (n - pos) * w);
  SetAt(e, pos, w, v);
  return true;
}

void Intset::RemoveAt(size_t pos) {
  const size_t n = size();
  const size_t w = width();
  uint8_t* e = entries();
  if (pos + 1 < n) std::memmove(e + pos * w, e + (pos + 1) * w, (n - pos - 1) * w);
  Resize(n - 1, w);
}

bool Intset::Remove(int64_t v) {
  auto pos = Find(v);
  if (!pos) return false;
  RemoveAt(*pos);
  return true;
}

std::optional<size_t> Intset::Find(int64_t v) const {
  size_t pos;
  if (WidthFor(v) > width() || !Search(v, &pos)) return std::nullopt;
  return pos;
}

bool Intset::Contains(int64_t v) const { return Find(v).has_value(); }

std::string_view Intset::Blob() const {
  static constexpr char kEmpty[kHeaderBytes] = {2, 0, 0, 0, 0, 0, 0, 0};
  if (blob_ == nullptr) return {kEmpty, kHeaderBytes};
  return {reinterpret_cast<const char*>(blob_), HeapBytes()};
}

std::optional<Intset> Intset::FromBlob(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint32_t w = ReadU32(p);
  if (w != 2 && w != 4 && w != 8) return std::nullopt;
  const uint64_t n = ReadU32(p + 4);
  if (kHeaderBytes + n * w != bytes.size() || n == 0) return std::nullopt;
  const uint8_t* e = p + kHeaderBytes;
  for (size_t i = 1; i < n; ++i) {
    if (GetAt(e, i, w) <= GetAt(e, i - 1, w)) return std::nullopt;
  }
  Intset s;
  s.blob_ = Reallocate(nullptr, bytes.size());
  std::memcpy(s.blob_, p, bytes.size());
  return s;
}

}  // namespace baozi
