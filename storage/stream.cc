#include "storage/stream.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <vector>

#include "storage/alloc_size.h"
#include "storage/numbers.h"

namespace baozi {

// ---------------------------------------------------------------------------------------------
// IDs

bool StreamId::Incr() {
  if (seq != UINT64_MAX) {
    ++seq;
    return true;
  }
  if (ms == UINT64_MAX) return false;
  ++ms;
  seq = 0;
  return true;
}

bool StreamId::Decr() {
  if (seq != 0) {
    --seq;
    return true;
  }
  if (ms == 0) return false;
  --ms;
  seq = UINT64_MAX;
  return true;
}

size_t StreamId::Format(char* buf) const {
  size_t n = FormatUint64(ms, buf);
  buf[n++] = '-';
  return n + FormatUint64(seq, buf + n);
}

std::string StreamId::ToString() const {
  char buf[kBufSize];
  return std::string(buf, Format(buf));
}

void StreamId::Encode(unsigned char* out) const {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<unsigned char>(ms >> (56 - 8 * i));
    out[8 + i] = static_cast<unsigned char>(seq >> (56 - 8 * i));
  }
}

StreamId StreamId::Decode(const unsigned char* in) {
  StreamId id;
  for (int i = 0; i < 8; ++i) {
    id.ms = (id.ms << 8) | in[i];
    id.seq = (id.seq << 8) | in[8 + i];
  }
  return id;
}

// Redis's string2ull: the strict integer parser first (negative numbers refused), then
// strtoull, whose leniency (blanks, '+', leading zeros, even a '-' that wraps) Redis inherits.
static bool String2Ull(const char* s, uint64_t* out) {
  if (auto v = ParseInt64(std::string_view(s))) {
    if (*v < 0) return false;
    *out = static_cast<uint64_t>(*v);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno == EINVAL || errno == ERANGE || *s == '\0' || *end != '\0') return false;
  *out = v;
  return true;
}

std::optional<StreamId> ParseStreamId(std::string_view s, uint64_t missing_seq, bool strict,
                                      bool* seq_given) {
  // Redis copies the argument into a 128-byte C string, so an embedded NUL ends it.
  if (s.size() > 127) return std::nullopt;
  char buf[128];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return std::nullopt;
  if (seq_given != nullptr) *seq_given = true;
  if (buf[0] == '-' && buf[1] == '\0') return StreamId::Min();
  if (buf[0] == '+' && buf[1] == '\0') return StreamId::Max();
  char* dash = std::strchr(buf, '-');
  if (dash != nullptr) *dash = '\0';
  StreamId id;
  if (!String2Ull(buf, &id.ms)) return std::nullopt;
  if (dash == nullptr) {
    id.seq = missing_seq;
  } else if (seq_given != nullptr && dash[1] == '*' && dash[2] == '\0') {
    id.seq = 0;
    *seq_given = false;
  } else if (!String2Ull(dash + 1, &id.seq)) {
    return std::nullopt;
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Listpack node helpers

namespace {

using Pos = Listpack::Pos;

// An integer element (Redis lpGetInteger); string-encoded numbers, which a loaded file may
// hold, are parsed. Validated nodes only hold numbers where numbers belong.
int64_t LpInt(const Listpack& lp, Pos p) {
  LpEntry e = lp.Get(p);
  if (e.is_int()) return e.ival;
  return ParseInt64(std::string_view(e.str, e.len)).value_or(0);
}

// The master entry of a node.
struct Master {
  Pos count;        // the live-entry counter
  int64_t fields;   // number of master fields
  Pos first_field;  // meaningful only when fields > 0
  Pos terminator;   // the master entry's closing 0
};

Master ReadMaster(const Listpack& lp) {
  Master m;
  m.count = lp.First();
  Pos p = lp.Next(m.count);  // deleted
  p = lp.Next(p);            // num-fields
  m.fields = LpInt(lp, p);
  p = lp.Next(p);
  m.first_field = p;
  for (int64_t i = 0; i < m.fields; ++i) p = lp.Next(p);
  m.terminator = p;
  return m;
}

// One entry, parsed from its flags element.
struct Entry {
  int64_t flags;
  StreamId id;
  int64_t num_fields;
  Pos values;   // the first field (or value, with SAMEFIELDS)
  Pos lpcount;  // the closing lp-count
};

Entry ReadEntry(const Listpack& lp, Pos p, StreamId master, int64_t master_fields) {
  Entry e;
  e.flags = LpInt(lp, p);
  p = lp.Next(p);
  e.id.ms = master.ms + static_cast<uint64_t>(LpInt(lp, p));
  p = lp.Next(p);
  e.id.seq = master.seq + static_cast<uint64_t>(LpInt(lp, p));
  p = lp.Next(p);
  int64_t skip;
  if (e.flags & StreamObject::kFlagSameFields) {
    e.num_fields = master_fields;
    skip = master_fields;
  } else {
    e.num_fields = LpInt(lp, p);
    p = lp.Next(p);
    skip = e.num_fields * 2;
  }
  e.values = p;
  for (int64_t i = 0; i < skip; ++i) p = lp.Next(p);
  e.lpcount = p;
  return e;
}

// Redis lpGetEdgeStreamID for the last entry of a node, deleted or not.
StreamId LastEntryId(const Listpack& lp, StreamId master) {
  Pos p = lp.Last();
  for (int64_t n = LpInt(lp, p); n > 0; --n) p = lp.Prev(p);
  p = lp.Next(p);
  StreamId id;
  id.ms = master.ms + static_cast<uint64_t>(LpInt(lp, p));
  p = lp.Next(p);
  id.seq = master.seq + static_cast<uint64_t>(LpInt(lp, p));
  return id;
}

// Moves `n` between a node's live and deleted counters.
void MoveToDeleted(Listpack& lp, int64_t n) {
  Pos p = lp.First();
  const int64_t live = LpInt(lp, p);
  p = lp.ReplaceInt(p, live - n);
  p = lp.Next(p);
  const int64_t deleted = LpInt(lp, p);
  lp.ReplaceInt(p, deleted + n);
}

// Bytes of a std::map node holding a K/V pair (the red-black header is four words).
template <class K, class V>
constexpr size_t MapNodeSize() {
  return 4 * sizeof(void*) + sizeof(K) + sizeof(V);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Consumer groups

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) const {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::CreateConsumer(std::string_view name, int64_t seen_time) {
  auto [it, inserted] = consumers.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamConsumer>();
  it->second->name = it->first;
  it->second->seen_time = seen_time;
  return it->second.get();
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  const size_t pending = it->second->pel.size();
  for (const auto& [id, nack] : it->second->pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

StreamNack& StreamGroup::Deliver(StreamId id, StreamConsumer* c, int64_t now_ms) {
  auto [it, inserted] = pel.try_emplace(id);
  StreamNack& nack = it->second;
  if (!inserted) nack.consumer->pel.erase(id);
  nack.consumer = c;
  nack.delivery_time = now_ms;
  nack.delivery_count = 1;
  c->pel[id] = &nack;
  return nack;
}

void StreamGroup::Reassign(StreamId id, StreamNack& nack, StreamConsumer* to) {
  if (nack.consumer == to) return;
  if (nack.consumer != nullptr) nack.consumer->pel.erase(id);
  nack.consumer = to;
  to->pel[id] = &nack;
}

bool StreamGroup::Ack(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  if (it->second.consumer != nullptr) it->second.consumer->pel.erase(id);
  pel.erase(it);
  return true;
}

// ---------------------------------------------------------------------------------------------
// StreamObject

StreamObject::StreamObject(const StreamObject& o)
    : nodes_(o.nodes_),
      length_(o.length_),
      last_id_(o.last_id_),
      first_id_(o.first_id_),
      max_deleted_id_(o.max_deleted_id_),
      entries_added_(o.entries_added_) {
  for (const auto& [name, g] : o.groups_) {
    StreamGroup* copy = CreateGroup(name, g->last_id, g->entries_read);
    for (const auto& [cname, c] : g->consumers) copy->CreateConsumer(cname, c->seen_time);
    for (const auto& [id, nack] : g->pel) {
      StreamConsumer* owner = copy->FindConsumer(nack.consumer->name);
      StreamNack& n = copy->pel[id];
      n = nack;
      n.consumer = owner;
      owner->pel[id] = &n;
    }
  }
}

StreamObject::~StreamObject() = default;

size_t StreamObject::MemoryUsage() const {
  size_t bytes = AllocSize(sizeof(*this));
  for (const auto& [id, lp] : nodes_) {
    bytes += AllocSize(MapNodeSize<StreamId, Listpack>()) + lp.MemoryUsage();
  }
  for (const auto& [name, g] : groups_) {
    bytes += AllocSize(MapNodeSize<std::string, void*>()) + AllocSize(sizeof(StreamGroup));
    if (name.size() > 15) bytes += AllocSize(name.size() + 1);
    bytes += g->pel.size() * AllocSize(MapNodeSize<StreamId, StreamNack>());
    for (const auto& [cname, c] : g->consumers) {
      bytes += AllocSize(MapNodeSize<std::string, void*>()) + AllocSize(sizeof(StreamConsumer));
      if (cname.size() > 15) bytes += 2 * AllocSize(cname.size() + 1);
      bytes += c->pel.size() * AllocSize(MapNodeSize<StreamId, void*>());
    }
  }
  return bytes;
}

StreamId StreamObject::NextId(int64_t now_ms) const {
  const auto ms = static_cast<uint64_t>(now_ms);
  if (ms > last_id_.ms) return {ms, 0};
  StreamId id = last_id_;
  id.Incr();
  return id;
}

void StreamObject::Append(StreamId id, std::span<const std::string_view> field_values,
                          const NodeLimits& limits) {
  const auto num_fields = static_cast<int64_t>(field_values.size() / 2);
  size_t total = 0;
  for (std::string_view s : field_values) total += s.size();

  // The tail node, unless it is full (Redis 7.0's streamAppendItem checks, in its order).
  Listpack* lp = nullptr;
  StreamId master;
  if (!nodes_.empty()) {
    auto last = std::prev(nodes_.end());
    size_t max_bytes = limits.max_bytes;
    if (max_bytes == 0 || max_bytes > kListpackMaxSize) max_bytes = kListpackMaxSize;
    bool full = last->second.bytes() + total >= max_bytes;
    if (!full && limits.max_entries != 0) {
      Pos p = last->second.First();
      const int64_t count = LpInt(last->second, p) + LpInt(last->second, last->second.Next(p));
      full = count >= limits.max_entries;
    }
    if (!full) {
      lp = &last->second;
      master = last->first;
    }
  }

  int64_t flags = 0;
  if (lp == nullptr) {
    master = id;
    lp = &nodes_.emplace_hint(nodes_.end(), id, Listpack())->second;
    lp->AppendInt(1);
    lp->AppendInt(0);
    lp->AppendInt(num_fields);
    for (int64_t i = 0; i < num_fields; ++i) lp->Append(field_values[2 * i]);
    lp->AppendInt(0);
    flags = kFlagSameFields;
  } else {
    Pos p = lp->First();
    p = lp->ReplaceInt(p, LpInt(*lp, p) + 1);
    p = lp->Next(lp->Next(p));
    const int64_t master_fields = LpInt(*lp, p);
    if (master_fields == num_fields) {
      int64_t i = 0;
      for (p = lp->Next(p); i < master_fields; ++i, p = lp->Next(p)) {
        if (!lp->Equals(p, field_values[2 * i])) break;
      }
      if (i == master_fields) flags = kFlagSameFields;
    }
  }

  const bool same = (flags & kFlagSameFields) != 0;
  lp->AppendInt(flags);
  lp->AppendInt(static_cast<int64_t>(id.ms - master.ms));
  lp->AppendInt(static_cast<int64_t>(id.seq - master.seq));
  if (!same) lp->AppendInt(num_fields);
  for (int64_t i = 0; i < num_fields; ++i) {
    if (same) {
      lp->Append(field_values[2 * i + 1]);
    } else {
      lp->AppendPair(field_values[2 * i], field_values[2 * i + 1]);
    }
  }
  lp->AppendInt(num_fields + 3 + (same ? 0 : num_fields + 1));

  ++length_;
  ++entries_added_;
  last_id_ = id;
  if (length_ == 1) first_id_ = id;
}

bool StreamObject::Delete(StreamId id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) return false;
  --it;
  Listpack& lp = it->second;
  const Master m = ReadMaster(lp);
  for (Pos p = lp.Next(m.terminator); p != Listpack::kNone;) {
    const Entry e = ReadEntry(lp, p, it->first, m.fields);
    // Only live entries count, as in Redis's iterator: XSETID can move the last ID back below
    // tombstones, so a later entry may follow larger deleted ones within a node.
    if (e.flags & kFlagDeleted) {
      p = lp.Next(e.lpcount);
      continue;
    }
    if (e.id > id) return false;
    if (e.id == id) {
      if (LpInt(lp, m.count) == 1) {
        nodes_.erase(it);
      } else {
        lp.ReplaceInt(p, e.flags | kFlagDeleted);
        MoveToDeleted(lp, 1);
      }
      --length_;
      return true;
    }
    p = lp.Next(e.lpcount);
  }
  return false;
}

int64_t StreamObject::Trim(const TrimArgs& args) {
  using Strategy = TrimArgs::Strategy;
  if (args.strategy == Strategy::kNone) return 0;
  const bool by_len = args.strategy == Strategy::kMaxLen;
  int64_t deleted = 0;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (by_len && length_ <= args.maxlen) break;
    Listpack& lp = it->second;
    const int64_t entries = LpInt(lp, lp.First());
    if (args.limit != 0 && deleted + entries > args.limit) break;

    const bool remove_node = by_len ? length_ - static_cast<uint64_t>(entries) >= args.maxlen
                                    : LastEntryId(lp, it->first) < args.minid;
    if (remove_node) {
      it = nodes_.erase(it);
      length_ -= static_cast<uint64_t>(entries);
      deleted += entries;
      continue;
    }
    if (args.approx) break;

    // Flag entries one by one. A flag rewrite keeps the element's size (flags are < 128), so
    // positions stay valid while walking.
    const Master m = ReadMaster(lp);
    int64_t from_node = 0;
    for (Pos p = lp.Next(m.terminator); p != Listpack::kNone;) {
      const Entry e = ReadEntry(lp, p, it->first, m.fields);
      const bool stop = by_len ? length_ <= args.maxlen : e.id >= args.minid;
      if (stop) break;
      if (!(e.flags & kFlagDeleted)) {
        lp.ReplaceInt(p, e.flags | kFlagDeleted);
        ++from_node;
        --length_;
      }
      p = lp.Next(e.lpcount);
    }
    deleted += from_node;
    MoveToDeleted(lp, from_node);
    break;
  }
  first_id_ = length_ == 0 ? StreamId::Min() : EdgeId(true, true);
  return deleted;
}

StreamId StreamObject::EdgeId(bool first, bool skip_tombstones) const {
  Iterator it(*this, StreamId::Min(), StreamId::Max(), !first, skip_tombstones);
  if (it.Next()) return it.id();
  return first ? StreamId::Max() : StreamId::Min();
}

StreamId StreamObject::LastValidId() const { return length_ == 0 ? last_id_ : EdgeId(false, true); }

bool StreamObject::HasEntry(StreamId id) const {
  Iterator it(*this, id, id, false);
  return it.Next();
}

int64_t StreamObject::EstimateDistanceFromFirstEverEntry(StreamId id) const {
  if (entries_added_ == 0) return 0;
  const auto added = static_cast<int64_t>(entries_added_);
  if (length_ == 0 && id <= last_id_) return added;
  if (id == last_id_) return added;
  if (id > last_id_) return StreamGroup::kInvalidEntriesRead;
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first_id_) {
    // No tombstone ahead of the first entry: positions before it are counted exactly.
    if (id < first_id_) return added - static_cast<int64_t>(length_);
    if (id == first_id_) return added - static_cast<int64_t>(length_) + 1;
  }
  return StreamGroup::kInvalidEntriesRead;
}

bool StreamObject::RangeHasTombstones(StreamId start, StreamId end) const {
  if (length_ == 0 || max_deleted_id_.IsZero()) return false;
  if (first_id_ > max_deleted_id_) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

// Counts the nodes of a compressed radix tree over the keys [lo, hi) (sorted, distinct, all
// 16 bytes long) below a node that sits at depth `depth`: the node itself, then either a
// compressed run down to where the keys diverge (one more node there) or one child per
// distinct next byte. With equal-length keys every key ends in a leaf of its own, which is
// the shape Redis's rax builds for stream IDs.
static size_t RaxNodes(const std::vector<std::array<unsigned char, 16>>& keys, size_t lo, size_t hi,
                       size_t depth) {
  if (depth == 16) return 1;
  const auto& a = keys[lo];
  const auto& b = keys[hi - 1];
  size_t common = depth;
  while (common < 16 && a[common] == b[common]) ++common;
  if (common > depth) return 1 + RaxNodes(keys, lo, hi, common);
  size_t n = 1;
  for (size_t i = lo; i < hi;) {
    size_t j = i + 1;
    while (j < hi && keys[j][depth] == keys[i][depth]) ++j;
    n += RaxNodes(keys, i, j, depth + 1);
    i = j;
  }
  return n;
}

size_t StreamObject::RaxNodeCount() const {
  if (nodes_.empty()) return 1;
  std::vector<std::array<unsigned char, 16>> keys;
  keys.reserve(nodes_.size());
  for (const auto& [id, lp] : nodes_) {
    keys.emplace_back();
    id.Encode(keys.back().data());
  }
  return RaxNodes(keys, 0, keys.size(), 0);
}

StreamGroup* StreamObject::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* StreamObject::CreateGroup(std::string_view name, StreamId last_id,
                                       int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamGroup>();
  it->second->last_id = last_id;
  it->second->entries_read = entries_read;
  return it->second.get();
}

bool StreamObject::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Iterator: Redis's streamIterator over the node map.

StreamObject::Iterator::Iterator(const StreamObject& s, StreamId start, StreamId end, bool rev,
                                 bool skip_tombstones)
    : s_(s), start_(start), end_(end), rev_(rev), skip_tombstones_(skip_tombstones) {}

bool StreamObject::Iterator::EnterNode() {
  lp_ = &node_->second;
  master_id_ = node_->first;
  const Master m = ReadMaster(*lp_);
  master_fields_count_ = m.fields;
  master_fields_ = m.first_field;
  // Forwards, pos_ sits on the element before the next entry (the master's closing 0 or an
  // entry's lp-count); backwards, on the lp-count of the entry to read next.
  pos_ = rev_ ? lp_->Last() : m.terminator;
  return true;
}

bool StreamObject::Iterator::Next() {
  const auto& nodes = s_.nodes_;
  while (true) {
    if (lp_ == nullptr) {
      if (!started_) {
        started_ = true;
        // The node that may hold the first ID of the range: the last one whose master ID is
        // not above it.
        const StreamId from = rev_ ? end_ : start_;
        node_ = nodes.upper_bound(from);
        if (node_ == nodes.begin()) {
          if (rev_) return false;  // every entry is above the end
        } else {
          --node_;
        }
      } else if (!rev_) {
        ++node_;
      } else {
        if (node_ == nodes.begin()) return false;
        --node_;
      }
      if (node_ == nodes.end()) return false;
      EnterNode();
    } else if (rev_) {
      pos_ = lp_->Prev(flags_pos_);
    }

    while (true) {
      Pos flags_pos;
      if (!rev_) {
        flags_pos = lp_->Next(pos_);
        if (flags_pos == Listpack::kNone) {
          lp_ = nullptr;
          break;
        }
      } else {
        int64_t lp_count = LpInt(*lp_, pos_);
        if (lp_count == 0) {  // the master entry
          lp_ = nullptr;
          break;
        }
        flags_pos = pos_;
        while (lp_count-- > 0) flags_pos = lp_->Prev(flags_pos);
      }
      const Entry e = ReadEntry(*lp_, flags_pos, master_id_, master_fields_count_);
      flags_pos_ = flags_pos;
      const bool visible = !(e.flags & kFlagDeleted) || !skip_tombstones_;
      if (!rev_) {
        pos_ = e.lpcount;
        if (e.id >= start_ && visible) {
          if (e.id > end_) return false;
          id_ = e.id;
          num_fields_ = e.num_fields;
          flags_ = e.flags;
          values_ = e.values;
          return true;
        }
      } else {
        if (e.id <= end_ && visible) {
          if (e.id < start_) return false;
          id_ = e.id;
          num_fields_ = e.num_fields;
          flags_ = e.flags;
          values_ = e.values;
          return true;
        }
        pos_ = lp_->Prev(flags_pos);
      }
    }
  }
}

}  // namespace baozi
