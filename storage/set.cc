#include "storage/set.h"

#include "storage/alloc_size.h"

namespace baozi {

SetObject SetObject::ForMember(std::string_view first) {
  if (ParseInt64(first)) return SetObject();
  return Hashtable(0);
}

size_t SetObject::MemoryUsage(size_t samples) const {
  const size_t self = AllocSize(sizeof(*this));
  if (!dict_) return self + AllocSize(intset_.HeapBytes());
  size_t total =
      self + AllocSize(sizeof(SetDict)) + AllocSize(dict_->bucket_count() * sizeof(void*));
  const size_t n = dict_->size();
  if (n == 0 || samples == 0) return total;
  size_t bytes = 0, seen = 0;
  uint64_t cursor = 0;
  do {
    cursor = dict_->Scan(cursor, [&](std::string_view member, const SetNoValue&) {
      if (seen == samples) return;
      bytes += AllocSize(SetDict::EntryBytes(member.size()));
      ++seen;
    });
  } while (cursor != 0 && seen < samples);
  if (seen >= n) return total + bytes;
  return total + static_cast<size_t>(static_cast<double>(bytes) / seen * n);
}

SetObject SetObject::Hashtable(size_t n) {
  SetObject s;
  s.dict_ = std::make_unique<SetDict>();
  if (n != 0) s.dict_->Reserve(n);
  return s;
}

std::optional<SetObject> SetObject::FromIntsetBlob(std::string_view bytes,
                                                   size_t max_intset_entries) {
  auto is = Intset::FromBlob(bytes);
  if (!is) return std::nullopt;
  SetObject s;
  s.intset_ = std::move(*is);
  if (s.intset_.size() > EffectiveIntsetLimit(max_intset_entries)) s.ConvertToHashtable();
  return s;
}

SetObject::SetObject(const SetObject& o) : intset_(o.intset_) {
  if (o.dict_) {
    dict_ = std::make_unique<SetDict>();
    dict_->Reserve(o.dict_->size());
    o.dict_->ForEach([&](std::string_view k, const SetNoValue&) { dict_->TryEmplace(k); });
  }
}

void SetObject::ConvertToHashtable() {
  if (dict_) return;
  auto d = std::make_unique<SetDict>();
  d->Reserve(intset_.size());
  char buf[kIntBufSize];
  for (size_t i = 0, n = intset_.size(); i < n; ++i) {
    d->TryEmplace(std::string_view(buf, FormatInt64(intset_.Get(i), buf)));
  }
  dict_ = std::move(d);
  intset_ = Intset();
}

bool SetObject::AddInt(int64_t v, size_t max_intset_entries) {
  if (dict_) {
    char buf[kIntBufSize];
    return dict_->TryEmplace(std::string_view(buf, FormatInt64(v, buf))).second;
  }
  if (!intset_.Add(v)) return false;
  if (intset_.size() > EffectiveIntsetLimit(max_intset_entries)) ConvertToHashtable();
  return true;
}

bool SetObject::Add(std::string_view member, size_t max_intset_entries) {
  if (dict_) return dict_->TryEmplace(member).second;
  if (auto v = ParseInt64(member)) return AddInt(*v, max_intset_entries);
  // A non-integer cannot be in the intset, so after the conversion it is surely new.
  ConvertToHashtable();
  dict_->TryEmplace(member);
  return true;
}

bool SetObject::Remove(std::string_view member) {
  if (dict_) return EraseFromDict(member);
  auto v = ParseInt64(member);
  return v && intset_.Remove(*v);
}

bool SetObject::Remove(const SetMember& m) {
  if (!m.is_int) return Remove(m.str);
  if (!dict_) return intset_.Remove(m.integer);
  char buf[kIntBufSize];
  return EraseFromDict(std::string_view(buf, FormatInt64(m.integer, buf)));
}

bool SetObject::EraseFromDict(std::string_view member) {
  if (!dict_->Erase(member)) return false;
  // As Redis's setTypeRemove does: a table that emptied out shrinks, or random picks (SPOP,
  // SRANDMEMBER) would probe ever sparser buckets.
  dict_->ShrinkIfNeeded();
  return true;
}

bool SetObject::Contains(std::string_view member) const {
  if (dict_) return static_cast<const SetDict&>(*dict_).Find(member) != nullptr;
  auto v = ParseInt64(member);
  return v && intset_.Contains(*v);
}

bool SetObject::ContainsInt(int64_t v) const {
  if (!dict_) return intset_.Contains(v);
  char buf[kIntBufSize];
  return static_cast<const SetDict&>(*dict_).Find(std::string_view(buf, FormatInt64(v, buf))) !=
         nullptr;
}

}  // namespace baozi
