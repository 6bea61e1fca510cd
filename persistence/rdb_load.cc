// The RDB reader: Redis snapshot files (versions 1 to 10) into a Keyspace, and DUMP payloads
// into single values.
//
// The input is one buffer in memory, read through a cursor that checks every read against
// the bytes left, so a truncated or corrupt file ends in an Error (offset + reason), never in
// a read past the end. Raw strings are viewed in place; only integer-encoded and LZF strings
// are materialised. A declared count is only a loop bound: each element must still be read
// from bytes that exist, and size hints for pre-sizing tables are capped by the bytes left,
// so a corrupt length cannot make the reader allocate what the file does not hold.
//
// The opcodes before a key (EXPIRETIME_MS, the seconds EXPIRETIME of old files, IDLE, FREQ)
// apply to the next key only. AUX fields and function libraries (FUNCTION2 records, and the
// pre-GA FUNCTION form converted) are collected for the caller; SELECTDB beyond the keyspace, a
// key present twice and module data are errors. After EOF the 8-byte CRC-64 trailer is checked
// unless it is zero (a file written with rdbchecksum no).
//
// Objects come out in the encodings Redis 7.0's rdbLoadObject gives them under the current
// limits (hash-max-listpack-entries and friends):
//   - plain sets, hashes and sorted sets are rebuilt element by element through the storage
//     classes' own insertion paths, which convert at the same thresholds; a duplicate element
//     is an error; sorted sets are built first and converted to a listpack afterwards when
//     small enough, as Redis does because it reads them unordered;
//   - intsets and listpacks are adopted as they are after a full entry-by-entry validation
//     (plus, for field/value and member/score listpacks, an even count and no duplicate
//     field; for sorted sets also parseable, non-NaN scores in order), then converted when
//     they hold more entries than the limit;
//   - ziplists (lists, hashes, sorted sets of Redis < 7) and zipmaps (hashes of Redis < 2.6)
//     are validated and converted to listpacks (legacy_encodings.h);
//   - an empty collection is skipped as Redis 7.0 does, counted in LoadStats; a DUMP payload
//     holding one is a format error;
//   - streams (types 15, 19 and Redis 7.2's 21) adopt their node listpacks after a deep check of
//     the node structure (storage/stream_validate.h) and rebuild groups, PELs and consumers
//     through StreamObject's own calls; an empty stream is a value like any other.
#include <lzf.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "persistence/legacy_encodings.h"
#include "persistence/rdb.h"
#include "persistence/rdb_format.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/numbers.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/stream_validate.h"
#include "storage/zset.h"

namespace baozi::rdb {
namespace {

// A string read from the input: a view into it, or into `buf` for decoded forms.
struct Str {
  std::string_view view;
  std::string buf;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  const Error& error() const { return error_; }

  bool Fail(std::string reason, size_t at) {
    if (!failed_) {
      failed_ = true;
      error_ = Error{at, std::move(reason)};
    }
    return false;
  }
  bool Fail(std::string reason) { return Fail(std::move(reason), pos_); }

  bool Need(size_t n) { return remaining() >= n || Fail("unexpected end of file"); }
  bool Byte(uint8_t* b) {
    if (!Need(1)) return false;
    *b = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool Bytes(size_t n, const unsigned char** p) {
    if (!Need(n)) return false;
    *p = reinterpret_cast<const unsigned char*>(data_.data() + pos_);
    pos_ += n;
    return true;
  }

  // Redis rdbLoadLenByRef. `encoded` (optional) reports the special string forms.
  bool Length(uint64_t* len, bool* encoded = nullptr) {
    const size_t at = pos_;
    uint8_t b;
    if (!Byte(&b)) return false;
    if (encoded) *encoded = false;
    const int type = (b & 0xC0) >> 6;
    if (type == kEncVal) {
      if (encoded) *encoded = true;
      *len = b & 0x3F;
    } else if (type == kLen6Bit) {
      *len = b & 0x3F;
    } else if (type == kLen14Bit) {
      uint8_t b2;
      if (!Byte(&b2)) return false;
      *len = ((b & 0x3Fu) << 8) | b2;
    } else if (b == kLen32Bit || b == kLen64Bit) {
      const size_t n = b == kLen32Bit ? 4 : 8;
      const unsigned char* p;
      if (!Bytes(n, &p)) return false;
      uint64_t v = 0;
      for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
      *len = v;
    } else {
      return Fail("unknown length encoding " + std::to_string(b), at);
    }
    return true;
  }

  // Redis rdbGenericLoadStringObject.
  bool String(Str* out) {
    const size_t at = pos_;
    uint64_t len;
    bool encoded;
    if (!Length(&len, &encoded)) return false;
    if (!encoded) {
      const unsigned char* p;
      if (!Bytes(len, &p)) return false;
      out->view = std::string_view(reinterpret_cast<const char*>(p), len);
      return true;
    }
    switch (len) {
      case kEncInt8:
      case kEncInt16:
      case kEncInt32: {
        const size_t n = size_t{1} << len;
        const unsigned char* p;
        if (!Bytes(n, &p)) return false;
        uint32_t u = 0;
        for (size_t i = n; i-- > 0;) u = (u << 8) | p[i];
        int64_t v = n == 1   ? static_cast<int8_t>(u)
                    : n == 2 ? static_cast<int16_t>(u)
                             : static_cast<int32_t>(u);
        char buf[kIntBufSize];
        out->buf.assign(buf, FormatInt64(v, buf));
        out->view = out->buf;
        return true;
      }
      case kEncLzf:
        return Lzf(out, at);
      default:
        return Fail("unknown string encoding " + std::to_string(len), at);
    }
  }

  bool Double(double* d) {  // the old text form (RDB_TYPE_ZSET)
    uint8_t len;
    if (!Byte(&len)) return false;
    switch (len) {
      case kDoubleNegInf:
        *d = -HUGE_VAL;
        return true;
      case kDoublePosInf:
        *d = HUGE_VAL;
        return true;
      case kDoubleNan:
        *d = std::nan("");
        return true;
      default: {
        const size_t at = pos_;
        const unsigned char* p;
        if (!Bytes(len, &p)) return false;
        char buf[256];
        std::memcpy(buf, p, len);
        buf[len] = '\0';
        char* end = nullptr;
        *d = std::strtod(buf, &end);
        if (end == buf) return Fail("invalid double", at);
        return true;
      }
    }
  }
  bool BinaryDouble(double* d) {
    const unsigned char* p;
    if (!Bytes(8, &p)) return false;
    const uint64_t bits = GetLe64(p);
    std::memcpy(d, &bits, 8);
    return true;
  }

 private:
  bool Lzf(Str* out, size_t at) {
    uint64_t clen;
    uint64_t len;
    if (!Length(&clen) || !Length(&len)) return false;
    const unsigned char* p;
    if (!Bytes(clen, &p)) return false;
    // LZF expands at most ~88 times (a 3-byte back reference covers 264 bytes), so a larger
    // claim is corrupt, and is refused before allocating it.
    if (len == 0 || clen == 0 || len > clen * 90 + 64 || len > UINT32_MAX || clen > UINT32_MAX) {
      return Fail("invalid LZF compressed string", at);
    }
    out->buf.resize(len);
    if (lzf_decompress(p, static_cast<unsigned int>(clen), out->buf.data(),
                       static_cast<unsigned int>(len)) != len) {
      return Fail("invalid LZF compressed string", at);
    }
    out->view = out->buf;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
  Error error_;
};

// Why ReadObject produced no value.
enum class Outcome { kOk, kEmpty, kError };

// Field/value or member/score listpack checks beyond the structural ones: an even number of
// entries and no field twice; for sorted sets, scores that parse, are not NaN, and ascend
// (by score, then member bytes), since the set's code relies on that order.
bool CheckPairs(const Listpack& lp, bool zset) {
  std::unordered_set<std::string> fields;
  bool have_prev = false;
  double prev_score = 0;
  std::string prev_member;
  char fbuf[kIntBufSize];
  char sbuf[kIntBufSize];
  for (Listpack::Pos p = lp.First(); p != Listpack::kNone;) {
    const Listpack::Pos v = lp.Next(p);
    if (v == Listpack::kNone) return false;  // odd count
    const std::string_view f = lp.Get(p).View(fbuf);
    if (!fields.emplace(f).second) return false;
    if (zset) {
      const LpEntry se = lp.Get(v);
      double score;
      if (se.is_int()) {
        score = static_cast<double>(se.ival);
      } else {
        auto d = ParseDouble(se.View(sbuf));
        if (!d || std::isnan(*d)) return false;
        score = *d;
      }
      if (have_prev && (score < prev_score || (score == prev_score && f <= prev_member))) {
        return false;
      }
      have_prev = true;
      prev_score = score;
      prev_member.assign(f);
    }
    p = lp.Next(v);
  }
  return true;
}

class ObjectReader {
 public:
  ObjectReader(Reader& r, const EncodingLimits& limits) : r_(r), limits_(limits) {}

  Outcome Read(int type, Value* out) {
    switch (type) {
      case kTypeString: {
        Str s;
        if (!r_.String(&s)) return Outcome::kError;
        *out = Value::FromString(s.view);
        return Outcome::kOk;
      }
      case kTypeList:
        return PlainList(out);
      case kTypeSet:
        return PlainSet(out);
      case kTypeZset:
      case kTypeZset2:
        return PlainZset(type == kTypeZset2, out);
      case kTypeHash:
        return PlainHash(out);
      case kTypeListQuicklist:
      case kTypeListQuicklist2:
        return Quicklist(type == kTypeListQuicklist2, out);
      case kTypeHashZipmap:
      case kTypeListZiplist:
      case kTypeSetIntset:
      case kTypeZsetZiplist:
      case kTypeZsetListpack:
      case kTypeHashZiplist:
      case kTypeHashListpack:
        return Blob(type, out);
      case kTypeModulePreGa:
      case kTypeModule2:
        r_.Fail("module values are not supported (object type " + std::to_string(type) + ")");
        return Outcome::kError;
      case kTypeStreamListpacks:
      case kTypeStreamListpacks2:
      case kTypeStreamListpacks3:
        return Stream(type, out);
      default:
        r_.Fail("unknown object type " + std::to_string(type));
        return Outcome::kError;
    }
  }

 private:
  Outcome Err(const std::string& reason, size_t at) {
    r_.Fail(reason, at);
    return Outcome::kError;
  }

  Outcome PlainList(Value* out) {
    uint64_t len;
    if (!r_.Length(&len)) return Outcome::kError;
    if (len == 0) return Outcome::kEmpty;
    auto l = std::make_unique<ListObject>(limits_.list_max_listpack_size);
    Str s;
    while (len-- > 0) {
      if (!r_.String(&s)) return Outcome::kError;
      l->PushTail(s.view);
    }
    *out = Value::Wrap(l.release());
    return Outcome::kOk;
  }

  Outcome PlainSet(Value* out) {
    uint64_t len;
    if (!r_.Length(&len)) return Outcome::kError;
    if (len == 0) return Outcome::kEmpty;
    const size_t limit = SetObject::EffectiveIntsetLimit(limits_.set_max_intset_entries);
    auto s = std::make_unique<SetObject>();
    if (len > limit) {
      *s = SetObject::Hashtable(std::min<uint64_t>(len, r_.remaining()));
    }
    Str m;
    while (len-- > 0) {
      const size_t at = r_.pos();
      if (!r_.String(&m)) return Outcome::kError;
      if (!s->Add(m.view, limits_.set_max_intset_entries)) {
        return Err("duplicate set member", at);
      }
    }
    *out = Value::Wrap(s.release());
    return Outcome::kOk;
  }

  Outcome PlainZset(bool binary, Value* out) {
    uint64_t len;
    if (!r_.Length(&len)) return Outcome::kError;
    if (len == 0) return Outcome::kEmpty;
    // Every element takes at least a 1-byte member and its score (8 bytes, or 1 as text).
    const uint64_t hint = std::min<uint64_t>(len, r_.remaining() / (binary ? 9 : 2));
    auto z = std::make_unique<ZsetObject>(hint, 0, limits_);
    size_t max_len = 0;
    size_t total_len = 0;
    Str m;
    while (len-- > 0) {
      const size_t at = r_.pos();
      if (!r_.String(&m)) return Outcome::kError;
      double score;
      if (!(binary ? r_.BinaryDouble(&score) : r_.Double(&score))) return Outcome::kError;
      if (std::isnan(score)) return Err("sorted set with a NaN score", at);
      max_len = std::max(max_len, m.view.size());
      total_len += m.view.size();
      if (z->Add(m.view, score, ZsetObject::kAddNx, limits_).status !=
          ZsetObject::AddStatus::kAdded) {
        return Err("duplicate sorted set member", at);
      }
    }
    z->ConvertToListpackIfNeeded(max_len, total_len, limits_);
    *out = Value::Wrap(z.release());
    return Outcome::kOk;
  }

  Outcome PlainHash(Value* out) {
    uint64_t len;
    if (!r_.Length(&len)) return Outcome::kError;
    if (len == 0) return Outcome::kEmpty;
    auto h = std::make_unique<HashObject>();
    if (len > limits_.hash_max_listpack_entries) h->ConvertToHashtable();
    Str f;
    Str v;
    while (len-- > 0) {
      const size_t at = r_.pos();
      if (!r_.String(&f) || !r_.String(&v)) return Outcome::kError;
      if (!h->Set(f.view, v.view, limits_)) return Err("duplicate hash field", at);
    }
    *out = Value::Wrap(h.release());
    return Outcome::kOk;
  }

  Outcome Quicklist(bool v2, Value* out) {
    uint64_t nodes;
    if (!r_.Length(&nodes)) return Outcome::kError;
    if (nodes == 0) return Outcome::kEmpty;
    auto l = std::make_unique<ListObject>(limits_.list_max_listpack_size);
    Str data;
    while (nodes-- > 0) {
      uint64_t container = kContainerPacked;
      size_t at = r_.pos();
      if (v2) {
        if (!r_.Length(&container)) return Outcome::kError;
        if (container != kContainerPacked && container != kContainerPlain) {
          return Err(
              "quicklist integrity check failed (container " + std::to_string(container) + ")", at);
        }
        at = r_.pos();
      }
      if (!r_.String(&data)) return Outcome::kError;
      if (data.view.empty()) return Err("empty quicklist node", at);
      if (container == kContainerPlain) {
        Listpack lp;
        lp.Append(data.view);
        l->AppendListpack(std::move(lp));
        continue;
      }
      std::optional<Listpack> lp;
      if (v2) {
        lp = Listpack::TryFromBytes(reinterpret_cast<const unsigned char*>(data.view.data()),
                                    data.view.size(), true);
        if (!lp) return Err("listpack integrity check failed", at);
      } else {
        lp.emplace();
        if (!legacy::WalkZiplist(data.view, [&](const legacy::ZlItem& it) {
              it.is_int ? lp->AppendInt(it.ival) : lp->Append(it.str);
              return true;
            })) {
          return Err("ziplist integrity check failed", at);
        }
      }
      if (!lp->empty()) l->AppendListpack(std::move(*lp));
    }
    if (l->empty()) return Outcome::kEmpty;
    *out = Value::Wrap(l.release());
    return Outcome::kOk;
  }

  Outcome Blob(int type, Value* out) {
    const size_t at = r_.pos();
    Str blob;
    if (!r_.String(&blob)) return Outcome::kError;
    const auto* bytes = reinterpret_cast<const unsigned char*>(blob.view.data());
    const size_t n = blob.view.size();
    switch (type) {
      case kTypeSetIntset: {
        auto s = SetObject::FromIntsetBlob(blob.view, limits_.set_max_intset_entries);
        if (!s) return Err("intset integrity check failed", at);
        *out = Value::Wrap(new SetObject(std::move(*s)));
        return Outcome::kOk;
      }
      case kTypeListZiplist: {
        auto l = std::make_unique<ListObject>(limits_.list_max_listpack_size);
        if (!legacy::WalkZiplist(blob.view, [&](const legacy::ZlItem& it) {
              if (it.is_int) {
                char buf[kIntBufSize];
                l->PushTail(std::string_view(buf, FormatInt64(it.ival, buf)));
              } else {
                l->PushTail(it.str);
              }
              return true;
            })) {
          return Err("list ziplist integrity check failed", at);
        }
        if (l->empty()) return Outcome::kEmpty;
        *out = Value::Wrap(l.release());
        return Outcome::kOk;
      }
      case kTypeHashListpack:
      case kTypeZsetListpack: {
        const bool zset = type == kTypeZsetListpack;
        auto lp = Listpack::TryFromBytes(bytes, n, true);
        if (!lp || !CheckPairs(*lp, zset)) {
          return Err(zset ? "zset listpack integrity check failed"
                          : "hash listpack integrity check failed",
                     at);
        }
        return Pairs(zset, std::move(*lp), out);
      }
      case kTypeHashZiplist:
      case kTypeZsetZiplist: {
        const bool zset = type == kTypeZsetZiplist;
        Listpack lp;
        const bool ok = legacy::WalkZiplist(blob.view, [&](const legacy::ZlItem& it) {
          if (!lp.SafeToAdd(it.str.size() + 16)) return false;
          it.is_int ? lp.AppendInt(it.ival) : lp.Append(it.str);
          return true;
        });
        if (!ok || !CheckPairs(lp, zset)) {
          return Err(
              zset ? "zset ziplist integrity check failed" : "hash ziplist integrity check failed",
              at);
        }
        return Pairs(zset, std::move(lp), out);
      }
      case kTypeHashZipmap: {
        Listpack lp;
        std::unordered_set<std::string> fields;
        size_t max_len = 0;
        const bool ok = legacy::WalkZipmap(blob.view, [&](std::string_view f, std::string_view v) {
          if (!fields.emplace(f).second || !lp.SafeToAdd(f.size() + v.size() + 32)) {
            return false;
          }
          max_len = std::max({max_len, f.size(), v.size()});
          lp.AppendPair(f, v);
          return true;
        });
        if (!ok) return Err("zipmap integrity check failed", at);
        auto h = std::make_unique<HashObject>(std::move(lp));
        if (h->size() > limits_.hash_max_listpack_entries ||
            max_len > limits_.hash_max_listpack_value) {
          h->ConvertToHashtable();
        }
        *out = Value::Wrap(h.release());
        return Outcome::kOk;
      }
      default:
        return Err("unknown object type " + std::to_string(type), at);
    }
  }

  bool ReadId(StreamId* id) { return r_.Length(&id->ms) && r_.Length(&id->seq); }
  // A PEL key: the 16-byte big-endian ID, raw.
  bool ReadRawId(StreamId* id) {
    const unsigned char* p;
    if (!r_.Bytes(16, &p)) return false;
    *id = StreamId::Decode(p);
    return true;
  }
  bool ReadMs(int64_t* ms) {
    const unsigned char* p;
    if (!r_.Bytes(8, &p)) return false;
    *ms = static_cast<int64_t>(GetLe64(p));
    return true;
  }

  // Redis 7.0 rdbLoadObject for the stream types, reading 7.2's type 21 too. Type 15 (Redis
  // 5 and 6) lacks the first and max-deleted IDs, the entries-added counter and the groups'
  // entries-read, which are derived as 7.0 derives them; type 21 adds a consumer's active time,
  // read and dropped (7.0 has no such field). Every node is validated deeply whatever
  // sanitize-dump-payload says, and the groups are checked as Redis checks them with deep
  // sanitisation on (each NACK owned by exactly one consumer), because the stream code trusts
  // what it is given.
  Outcome Stream(int type, Value* out) {
    auto s = std::make_unique<StreamObject>();
    uint64_t nodes;
    if (!r_.Length(&nodes)) return Outcome::kError;
    std::map<StreamId, StreamNodeSummary> summaries;
    Str key;
    Str data;
    while (nodes-- > 0) {
      size_t at = r_.pos();
      if (!r_.String(&key)) return Outcome::kError;
      if (key.view.size() != 16) {
        return Err("Stream node key entry is not the size of a stream ID", at);
      }
      const StreamId master =
          StreamId::Decode(reinterpret_cast<const unsigned char*>(key.view.data()));
      at = r_.pos();
      if (!r_.String(&data)) return Outcome::kError;
      auto lp = Listpack::TryFromBytes(reinterpret_cast<const unsigned char*>(data.view.data()),
                                       data.view.size(), true);
      if (!lp) return Err("Stream listpack integrity check failed.", at);
      if (lp->empty()) return Err("Empty listpack inside stream", at);
      StreamNodeSummary summary;
      if (!ValidateStreamNode(master, *lp, &summary)) {
        return Err("Stream listpack integrity check failed.", at);
      }
      if (!summaries.emplace(master, summary).second) {
        return Err("Listpack re-added with existing key", at);
      }
      s->AdoptNode(master, std::move(*lp));
    }
    // Live entries ascend across nodes too, and add up to the recorded length.
    uint64_t live = 0;
    bool have_live = false;
    StreamId last_live;
    for (const auto& [master, summary] : summaries) {
      if (summary.live == 0) continue;
      if (have_live && summary.first_live <= last_live) {
        return Err("Stream node entries out of order", r_.pos());
      }
      have_live = true;
      last_live = summary.last_live;
      live += summary.live;
    }

    size_t at = r_.pos();
    uint64_t length;
    StreamId last_id;
    if (!r_.Length(&length) || !ReadId(&last_id)) return Outcome::kError;
    if (length != live) return Err("Stream length inconsistent with rax entries", at);
    if (have_live && last_live > last_id) return Err("Stream last ID below its entries", at);
    s->set_length(length);
    s->set_last_id(last_id);
    if (type >= kTypeStreamListpacks2) {
      StreamId first_id, max_deleted;
      uint64_t entries_added;
      if (!ReadId(&first_id) || !ReadId(&max_deleted) || !r_.Length(&entries_added)) {
        return Outcome::kError;
      }
      s->set_first_id(first_id);
      s->set_max_deleted_id(max_deleted);
      s->set_entries_added(entries_added);
    } else {
      s->set_max_deleted_id(StreamId::Min());
      s->set_entries_added(length);
      s->set_first_id(s->EdgeId(true, true));
    }

    uint64_t groups;
    if (!r_.Length(&groups)) return Outcome::kError;
    Str name;
    while (groups-- > 0) {
      at = r_.pos();
      StreamId group_id;
      if (!r_.String(&name) || !ReadId(&group_id)) return Outcome::kError;
      int64_t entries_read;
      if (type >= kTypeStreamListpacks2) {
        uint64_t n;
        if (!r_.Length(&n)) return Outcome::kError;
        entries_read = static_cast<int64_t>(n);
      } else {
        entries_read = s->EstimateDistanceFromFirstEverEntry(group_id);
      }
      StreamGroup* g = s->CreateGroup(name.view, group_id, entries_read);
      if (g == nullptr) {
        return Err("Duplicated consumer group name " + std::string(name.view), at);
      }
      uint64_t pending;
      if (!r_.Length(&pending)) return Outcome::kError;
      while (pending-- > 0) {
        at = r_.pos();
        StreamId id;
        StreamNack nack;
        uint64_t count;
        if (!ReadRawId(&id) || !ReadMs(&nack.delivery_time) || !r_.Length(&count)) {
          return Outcome::kError;
        }
        nack.delivery_count = count;
        if (!g->pel.emplace(id, nack).second) {
          return Err("Duplicated global PEL entry loading stream consumer group", at);
        }
      }
      uint64_t consumers;
      if (!r_.Length(&consumers)) return Outcome::kError;
      while (consumers-- > 0) {
        at = r_.pos();
        int64_t seen_time;
        if (!r_.String(&name) || !ReadMs(&seen_time)) return Outcome::kError;
        if (type == kTypeStreamListpacks3) {
          int64_t active_time;
          if (!ReadMs(&active_time)) return Outcome::kError;
        }
        StreamConsumer* c = g->CreateConsumer(name.view, seen_time);
        if (c == nullptr) return Err("Duplicate stream consumer detected.", at);
        uint64_t owned;
        if (!r_.Length(&owned)) return Outcome::kError;
        while (owned-- > 0) {
          at = r_.pos();
          StreamId id;
          if (!ReadRawId(&id)) return Outcome::kError;
          auto it = g->pel.find(id);
          if (it == g->pel.end()) return Err("Consumer entry not found in group global PEL", at);
          // Redis only notices the same ID twice in one consumer; an entry owned by two
          // consumers would leave one of them pointing at a NACK it does not own.
          if (it->second.consumer != nullptr) {
            return Err("Duplicated consumer PEL entry  loading a stream consumer group", at);
          }
          it->second.consumer = c;
          c->pel.emplace(id, &it->second);
        }
      }
      for (const auto& [id, nack] : g->pel) {
        if (nack.consumer == nullptr) return Err("Stream CG PEL entry without consumer", r_.pos());
      }
    }
    *out = Value::Wrap(s.release());
    return Outcome::kOk;
  }

  Outcome Pairs(bool zset, Listpack lp, Value* out) {
    if (lp.empty()) return Outcome::kEmpty;
    if (zset) {
      auto z = std::make_unique<ZsetObject>(std::move(lp));
      if (z->size() > limits_.zset_max_listpack_entries) z->ConvertToSkiplist();
      *out = Value::Wrap(z.release());
    } else {
      auto h = std::make_unique<HashObject>(std::move(lp));
      if (h->size() > limits_.hash_max_listpack_entries) h->ConvertToHashtable();
      *out = Value::Wrap(h.release());
    }
    return Outcome::kOk;
  }

  Reader& r_;
  const EncodingLimits& limits_;
};

// Redis rdbFunctionLoad: the record after a FUNCTION2 (or pre-GA FUNCTION) opcode, as the
// library's code. Returns Redis's error text on failure, nullopt on success.
std::optional<std::string> ReadFunctionRecord(Reader& r, uint8_t opcode, std::string* code) {
  if (opcode == kOpFunction) {
    // 7.0 rc1/rc2: name, engine, a description flag and maybe a description, then the code;
    // the name and engine move into a shebang as the GA format has them.
    Str name, engine, desc, blob;
    uint64_t has_desc;
    if (!r.String(&name)) return "Failed loading library name";
    if (!r.String(&engine)) return "Failed loading engine name";
    if (!r.Length(&has_desc)) return "Failed loading library description indicator";
    if (has_desc != 0 && !r.String(&desc)) return "Failed loading library description";
    if (!r.String(&blob)) return "Failed loading library blob";
    code->assign("#!");
    code->append(engine.view);
    code->append(" name=");
    code->append(name.view);
    code->push_back('\n');
    code->append(blob.view);
    return std::nullopt;
  }
  Str s;
  if (!r.String(&s)) return "Failed loading library payload";
  code->assign(s.view);
  return std::nullopt;
}

}  // namespace

Expected<LoadStats> Load(std::string_view data, Keyspace& ks, const LoadOptions& opts) {
  Reader r(data);
  LoadStats stats;
  auto fail = [&]() -> Expected<LoadStats> { return std::unexpected(r.error()); };

  const unsigned char* magic;
  if (!r.Bytes(9, &magic)) return fail();
  if (std::memcmp(magic, "REDIS", 5) != 0) {
    return std::unexpected(Error{0, "wrong signature (not an RDB file)"});
  }
  int version = 0;
  for (int i = 5; i < 9; ++i) {
    if (magic[i] < '0' || magic[i] > '9') break;  // atoi stops at the first non-digit
    version = version * 10 + (magic[i] - '0');
  }
  if (version < 1 || version > kVersion) {
    return std::unexpected(Error{5, "can't handle RDB format version " + std::to_string(version)});
  }
  stats.rdb_version = version;
  if (opts.now_ms > 0) ks.set_now_ms(opts.now_ms);

  Db* db = &ks.db(0);
  int64_t expire = kNoExpire;
  int64_t lfu_freq = -1;
  int64_t lru_idle = -1;
  ObjectReader objects(r, ks.limits);
  while (true) {
    const size_t at = r.pos();
    uint8_t type;
    if (!r.Byte(&type)) return fail();
    switch (type) {
      case kOpExpireTime: {
        const unsigned char* p;
        if (!r.Bytes(4, &p)) return fail();
        expire = int64_t{static_cast<int32_t>(GetLe32(p))} * 1000;
        continue;
      }
      case kOpExpireTimeMs: {
        const unsigned char* p;
        if (!r.Bytes(8, &p)) return fail();
        expire = static_cast<int64_t>(GetLe64(p));
        continue;
      }
      case kOpFreq: {
        uint8_t f;
        if (!r.Byte(&f)) return fail();
        lfu_freq = f;
        continue;
      }
      case kOpIdle: {
        uint64_t idle;
        if (!r.Length(&idle)) return fail();
        lru_idle = static_cast<int64_t>(std::min<uint64_t>(idle, INT64_MAX));
        continue;
      }
      case kOpSelectDb: {
        uint64_t id;
        if (!r.Length(&id)) return fail();
        if (id >= static_cast<uint64_t>(ks.size())) {
          r.Fail("database index " + std::to_string(id) + " out of range (databases is " +
                     std::to_string(ks.size()) + ")",
                 at);
          return fail();
        }
        db = &ks.db(static_cast<int>(id));
        continue;
      }
      case kOpResizeDb: {
        uint64_t keys;
        uint64_t expires;
        if (!r.Length(&keys) || !r.Length(&expires)) return fail();
        continue;
      }
      case kOpAux: {
        Str k;
        Str v;
        if (!r.String(&k) || !r.String(&v)) return fail();
        stats.aux.emplace_back(std::string(k.view), std::string(v.view));
        continue;
      }
      case kOpModuleAux:
        r.Fail("module aux data is not supported", at);
        return fail();
      case kOpFunction:
        if (!opts.accept_pre_ga_functions) {
          return std::unexpected(
              Error{at, "Pre-release function format not supported " + std::to_string(version)});
        }
        [[fallthrough]];
      case kOpFunction2: {
        std::string code;
        if (auto why = ReadFunctionRecord(r, type, &code)) {
          return std::unexpected(Error{at, "Failed loading library, " + *why});
        }
        stats.function_libraries.push_back(std::move(code));
        continue;
      }
      case kOpEof:
        break;
      default: {
        Str key;
        if (!r.String(&key)) return fail();
        Value value;
        const Outcome outcome = objects.Read(type, &value);
        if (outcome == Outcome::kError) return fail();
        if (outcome == Outcome::kEmpty) {
          stats.empty_keys_skipped++;
        } else if (opts.now_ms > 0 && expire != kNoExpire && expire < opts.now_ms) {
          stats.expired_skipped++;
        } else {
          if (db->Peek(key.view) != nullptr) {
            r.Fail("duplicate key '" + std::string(key.view) + "' in db " +
                       std::to_string(db->index()),
                   at);
            return fail();
          }
          DbEntry& e = db->Add(key.view, std::move(value));
          if (expire != kNoExpire) db->SetExpire(e, expire);
          ks.SetAccessData(e.value, lfu_freq, lru_idle);
          stats.keys_loaded++;
        }
        expire = kNoExpire;
        lfu_freq = -1;
        lru_idle = -1;
        continue;
      }
    }
    break;  // EOF
  }

  if (version >= 5) {
    const size_t at = r.pos();
    const unsigned char* p;
    if (!r.Bytes(8, &p)) return fail();
    const uint64_t stored = GetLe64(p);
    if (opts.verify_checksum && stored != 0) {
      const uint64_t expected = Crc64(0, data.data(), at);
      if (stored != expected) {
        r.Fail("wrong checksum", at);
        return fail();
      }
    }
  }
  stats.end_offset = r.pos();
  return stats;
}

bool VerifyPayload(std::string_view payload, bool skip_checksum) {
  if (payload.size() < 10) return false;
  const auto* footer = reinterpret_cast<const unsigned char*>(payload.data()) + payload.size() - 10;
  const int version = footer[0] | (footer[1] << 8);
  if (version > kVersion) return false;
  if (skip_checksum) return true;
  return Crc64(0, payload.data(), payload.size() - 8) == GetLe64(footer + 2);
}

Expected<Value> LoadPayload(std::string_view payload, const EncodingLimits& limits) {
  if (payload.size() < 10) return std::unexpected(Error{0, "payload too short"});
  Reader r(payload.substr(0, payload.size() - 10));
  uint8_t type;
  if (!r.Byte(&type)) return std::unexpected(r.error());
  if (!IsObjectType(type)) {
    return std::unexpected(Error{0, "unknown object type " + std::to_string(type)});
  }
  ObjectReader objects(r, limits);
  Value value;
  switch (objects.Read(type, &value)) {
    case Outcome::kOk:
      return value;
    case Outcome::kEmpty:
      return std::unexpected(Error{1, "empty collection"});
    case Outcome::kError:
      break;
  }
  return std::unexpected(r.error());
}

Expected<std::vector<std::string>> LoadFunctionsPayload(std::string_view payload) {
  std::vector<std::string> codes;
  Reader r(payload);
  while (payload.size() - r.pos() > 10) {
    const size_t at = r.pos();
    uint8_t type;
    if (!r.Byte(&type)) return std::unexpected(Error{at, "can not read data type"});
    if (type != kOpFunction && type != kOpFunction2) {
      return std::unexpected(Error{at, "given type is not a function"});
    }
    std::string code;
    if (auto why = ReadFunctionRecord(r, type, &code)) return std::unexpected(Error{at, *why});
    codes.push_back(std::move(code));
  }
  return codes;
}

}  // namespace baozi::rdb
