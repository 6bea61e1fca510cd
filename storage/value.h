// A value stored under a key, in 24 bytes.
//
// Strings keep Redis's three encodings because OBJECT ENCODING must answer as Redis would and
// because integers are worth storing as integers: "int" (the canonical decimal form of an
// int64, at most 20 bytes), "embstr" (at most 44 bytes, the size Redis allocates together with
// its object header) and "raw" (longer, or modified in place by APPEND, SETRANGE, SETBIT...).
//
// Storage is independent of the reported encoding and chosen for memory: an integer or a string
// of up to 16 bytes lives inside the Value itself (a cache of short values then costs no
// allocation beyond the dict node); a longer string as written by SET lives in one allocation of
// its length and bytes (a "blob": no string object, no spare capacity), and only a string
// modified in place (MutableString: APPEND, SETRANGE, SETBIT...) becomes a heap std::string, whose
// spare capacity makes repeated appends cheap, as Redis's raw sds does.
//
// Lists, hashes, sets, sorted sets and streams live in a heap object of their own class
// (ListObject, HashObject, SetObject, ZsetObject, StreamObject), owned by the Value; the object
// picks and reports its encoding (listpack, quicklist, intset, hashtable, skiplist) and converts
// itself up at Redis's thresholds.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "storage/alloc_size.h"
#include "storage/numbers.h"

namespace baozi {

enum class ObjType : uint8_t { kString, kList, kSet, kZset, kHash, kStream };

enum class Encoding : uint8_t {
  kInt,
  kEmbStr,
  kRaw,
  kListpack,
  kQuicklist,
  kHashtable,
  kIntset,
  kSkiplist,
  kStream,
};

// Redis's name for an encoding, as OBJECT ENCODING spells it.
std::string_view EncodingName(Encoding e);

class ListObject;
class HashObject;
class SetObject;
class ZsetObject;
class StreamObject;

inline constexpr size_t kEmbStrMaxLen = 44;
inline constexpr size_t kIntBufSize = 24;

// Redis's name for a type, as TYPE and SCAN TYPE spell it.
std::string_view TypeName(ObjType t);

class Value {
 public:
  static constexpr size_t kInlineCapacity = 16;

  Value() { SetInline({}); }
  ~Value() { Release(); }
  Value(const Value& o) { CopyFrom(o); }
  Value& operator=(const Value& o) {
    if (this != &o) {
      Release();
      CopyFrom(o);
    }
    return *this;
  }
  Value(Value&& o) noexcept {
    CopyFields(o);
    o.storage_ = Storage::kInline;
    o.type_ = ObjType::kString;
    o.inline_len_ = 0;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Release();
      CopyFields(o);
      o.storage_ = Storage::kInline;
      o.type_ = ObjType::kString;
      o.inline_len_ = 0;
    }
    return *this;
  }

  // A string as SET stores it: integer-encoded when it is a canonical int64 of <= 20 bytes.
  static Value FromString(std::string_view s) {
    if (s.size() <= 20) {
      if (auto n = ParseInt64(s)) return FromInt(*n);
    }
    return FromStringNoInt(s);
  }
  // A string that is never integer-encoded (INCRBYFLOAT results): embstr or raw by length.
  static Value FromStringNoInt(std::string_view s) {
    Value v;
    v.enc_ = s.size() <= kEmbStrMaxLen ? Encoding::kEmbStr : Encoding::kRaw;
    v.SetBytes(s);
    return v;
  }
  // A string built in place (SETRANGE, SETBIT, BITOP...): always raw.
  static Value RawString(std::string s) {
    Value v;
    v.enc_ = Encoding::kRaw;
    v.storage_ = Storage::kHeap;
    v.u_.heap = new std::string(std::move(s));
    return v;
  }
  static Value FromInt(int64_t n) {
    Value v;
    v.storage_ = Storage::kInt;
    v.enc_ = Encoding::kInt;
    v.u_.integer = n;
    return v;
  }

  // Takes ownership of a collection object.
  static Value Wrap(ListObject* o) { return WrapObject(ObjType::kList, o); }
  static Value Wrap(HashObject* o) { return WrapObject(ObjType::kHash, o); }
  static Value Wrap(SetObject* o) { return WrapObject(ObjType::kSet, o); }
  static Value Wrap(ZsetObject* o) { return WrapObject(ObjType::kZset, o); }
  static Value Wrap(StreamObject* o) { return WrapObject(ObjType::kStream, o); }

  ObjType type() const { return type_; }
  bool is_string() const { return type_ == ObjType::kString; }
  // For collections the object's current encoding.
  Encoding encoding() const { return storage_ == Storage::kObject ? ObjectEncoding() : enc_; }

  // The collection object; valid only when type() says so.
  ListObject& list() const { return *static_cast<ListObject*>(u_.object); }
  HashObject& hash() const { return *static_cast<HashObject*>(u_.object); }
  SetObject& set() const { return *static_cast<SetObject*>(u_.object); }
  ZsetObject& zset() const { return *static_cast<ZsetObject*>(u_.object); }
  StreamObject& stream() const { return *static_cast<StreamObject*>(u_.object); }
  bool is_int() const { return storage_ == Storage::kInt; }
  int64_t int_value() const { return u_.integer; }

  // The string form. Integer-encoded values are printed into `buf` (kIntBufSize bytes).
  std::string_view View(char* buf) const {
    switch (storage_) {
      case Storage::kInt:
        return {buf, FormatInt64(u_.integer, buf)};
      case Storage::kInline:
        return {u_.bytes, inline_len_};
      case Storage::kHeap:
        return *u_.heap;
      case Storage::kBlob:
        return {u_.blob + sizeof(uint32_t), BlobLength()};
      case Storage::kObject:
        break;
    }
    return {};
  }
  std::string ToString() const {
    char buf[kIntBufSize];
    return std::string(View(buf));
  }
  size_t StringLength() const {
    char buf[kIntBufSize];
    return View(buf).size();
  }
  // Converts to a raw heap string for in-place modification (Redis dbUnshareStringValue).
  std::string& MutableString() {
    if (storage_ != Storage::kHeap) {
      char buf[kIntBufSize];
      auto* s = new std::string(View(buf));
      if (storage_ == Storage::kBlob) ::operator delete(u_.blob);
      storage_ = Storage::kHeap;
      u_.heap = s;
    }
    enc_ = Encoding::kRaw;
    return *u_.heap;
  }

  // LRU clock in seconds, or LFU data, for OBJECT IDLETIME/FREQ and eviction.
  uint32_t lru() const { return lru_; }
  void set_lru(uint32_t s) { lru_ = s; }

  // Bytes this value uses beyond its own 24: a string's allocations at the allocator's size
  // classes, or the collection object's own estimate.
  size_t HeapBytes() const {
    switch (storage_) {
      case Storage::kObject:
        return ObjectBytes();
      case Storage::kBlob:
        return AllocSize(sizeof(uint32_t) + BlobLength());
      case Storage::kHeap:
        return AllocSize(sizeof(std::string)) +
               (u_.heap->capacity() > 15 ? AllocSize(u_.heap->capacity() + 1) : 0);
      case Storage::kInline:
      case Storage::kInt:
        break;
    }
    return 0;
  }

 private:
  enum class Storage : uint8_t { kInline, kInt, kHeap, kBlob, kObject };

  uint32_t BlobLength() const {
    uint32_t n;
    std::memcpy(&n, u_.blob, sizeof(n));
    return n;
  }
  static char* NewBlob(std::string_view s) {
    char* p = static_cast<char*>(::operator new(sizeof(uint32_t) + s.size()));
    const uint32_t n = static_cast<uint32_t>(s.size());
    std::memcpy(p, &n, sizeof(n));
    std::memcpy(p + sizeof(n), s.data(), s.size());
    return p;
  }

  static Value WrapObject(ObjType t, void* o) {
    Value v;
    v.type_ = t;
    v.storage_ = Storage::kObject;
    v.u_.object = o;
    return v;
  }
  // Out of line: they need the collection classes (value.cc).
  Encoding ObjectEncoding() const;
  size_t ObjectBytes() const;
  void DeleteObject();
  void* CloneObject() const;

  void SetInline(std::string_view s) {
    storage_ = Storage::kInline;
    inline_len_ = static_cast<uint8_t>(s.size());
    if (!s.empty()) std::memcpy(u_.bytes, s.data(), s.size());
  }
  void SetBytes(std::string_view s) {
    if (s.size() <= kInlineCapacity) {
      SetInline(s);
    } else {
      storage_ = Storage::kBlob;
      u_.blob = NewBlob(s);
    }
  }
  void Release() {
    if (storage_ == Storage::kHeap) delete u_.heap;
    if (storage_ == Storage::kBlob) ::operator delete(u_.blob);
    if (storage_ == Storage::kObject) DeleteObject();
    storage_ = Storage::kInline;
    type_ = ObjType::kString;
  }
  // The payload is a union of trivially copyable members, so its bytes copy as a whole.
  void CopyFields(const Value& o) {
    std::memcpy(&u_, &o.u_, sizeof(u_));
    lru_ = o.lru_;
    type_ = o.type_;
    enc_ = o.enc_;
    storage_ = o.storage_;
    inline_len_ = o.inline_len_;
  }
  void CopyFrom(const Value& o) {
    CopyFields(o);
    if (o.storage_ == Storage::kHeap) u_.heap = new std::string(*o.u_.heap);
    if (o.storage_ == Storage::kBlob) u_.blob = NewBlob(o.View(nullptr));
    if (o.storage_ == Storage::kObject) u_.object = o.CloneObject();
  }

  union Payload {
    int64_t integer;
    std::string* heap;
    char* blob;  // uint32 length, then the bytes
    void* object;
    char bytes[kInlineCapacity];
  } u_;
  uint32_t lru_ = 0;
  ObjType type_ = ObjType::kString;
  Encoding enc_ = Encoding::kEmbStr;
  Storage storage_ = Storage::kInline;
  uint8_t inline_len_ = 0;
};

static_assert(sizeof(Value) == 24, "Value must stay compact: it is stored once per key");

}  // namespace baozi
