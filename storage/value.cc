#include "storage/value.h"

#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace baozi {

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kInt:
      return "int";
    case Encoding::kEmbStr:
      return "embstr";
    case Encoding::kRaw:
      return "raw";
    case Encoding::kListpack:
      return "listpack";
    case Encoding::kQuicklist:
      return "quicklist";
    case Encoding::kHashtable:
      return "hashtable";
    case Encoding::kIntset:
      return "intset";
    case Encoding::kSkiplist:
      return "skiplist";
    case Encoding::kStream:
      return "stream";
  }
  return "unknown";
}

// One switch over the collection types, so each operation below is a one-liner per type.
template <class Fn>
static auto VisitObject(ObjType t, void* o, Fn&& fn) {
  switch (t) {
    case ObjType::kList:
      return fn(static_cast<ListObject*>(o));
    case ObjType::kHash:
      return fn(static_cast<HashObject*>(o));
    case ObjType::kSet:
      return fn(static_cast<SetObject*>(o));
    case ObjType::kZset:
      return fn(static_cast<ZsetObject*>(o));
    case ObjType::kStream:
      return fn(static_cast<StreamObject*>(o));
    case ObjType::kString:
      break;
  }
  __builtin_unreachable();
}

Encoding Value::ObjectEncoding() const {
  return VisitObject(type_, u_.object, [](auto* o) { return o->encoding(); });
}

size_t Value::ObjectBytes() const {
  return VisitObject(type_, u_.object, [](auto* o) { return o->MemoryUsage(); });
}

void Value::DeleteObject() {
  VisitObject(type_, u_.object, [](auto* o) { delete o; });
}

void* Value::CloneObject() const {
  return VisitObject(type_, u_.object,
                     [](auto* o) -> void* { return new std::remove_pointer_t<decltype(o)>(*o); });
}

}  // namespace baozi
