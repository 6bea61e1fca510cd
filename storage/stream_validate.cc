// Stream node validation: one forward walk over a listpack that Listpack::Validate has already
// bounds-checked entry by entry, so every Next/Get below stays inside the buffer; the walk only
// has to check that the elements it meets make up a master entry and a run of entries as the
// stream code reads them (see stream_validate.h for the list of rules).
#include "storage/stream_validate.h"

namespace baozi {
namespace {

// The integer at `p`, advancing `p`; false at the end or on a string element.
bool NextInt(const Listpack& lp, Listpack::Pos& p, int64_t* v) {
  if (p == Listpack::kNone) return false;
  const LpEntry e = lp.Get(p);
  if (!e.is_int()) return false;
  *v = e.ival;
  p = lp.Next(p);
  return true;
}

// Skips `n` elements of any kind; false when the listpack ends first.
bool Skip(const Listpack& lp, Listpack::Pos& p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (p == Listpack::kNone) return false;
    p = lp.Next(p);
  }
  return true;
}

}  // namespace

bool ValidateStreamNode(StreamId master, const Listpack& lp, StreamNodeSummary* summary) {
  Listpack::Pos p = lp.First();
  int64_t count, deleted, master_fields, zero;
  if (!NextInt(lp, p, &count) || !NextInt(lp, p, &deleted) || !NextInt(lp, p, &master_fields)) {
    return false;
  }
  if (master_fields < 0 || !Skip(lp, p, master_fields)) return false;
  if (!NextInt(lp, p, &zero) || zero != 0) return false;

  uint64_t live = 0, dead = 0;
  StreamId first_live, last_live;
  while (p != Listpack::kNone) {
    int64_t flags, ms_diff, seq_diff;
    if (!NextInt(lp, p, &flags) || !NextInt(lp, p, &ms_diff) || !NextInt(lp, p, &seq_diff)) {
      return false;
    }
    if (flags < 0 || flags > (StreamObject::kFlagDeleted | StreamObject::kFlagSameFields)) {
      return false;
    }
    int64_t fields = master_fields;
    int64_t elements = 3;  // flags and the two ID differences
    if (!(flags & StreamObject::kFlagSameFields)) {
      if (!NextInt(lp, p, &fields) || fields < 0 || !Skip(lp, p, fields)) return false;
      elements += fields + 1;
    }
    if (!Skip(lp, p, fields)) return false;
    elements += fields;
    int64_t lp_count;
    if (!NextInt(lp, p, &lp_count) || lp_count != elements) return false;

    const StreamId id{master.ms + static_cast<uint64_t>(ms_diff),
                      master.seq + static_cast<uint64_t>(seq_diff)};
    if (id < master) return false;
    if (flags & StreamObject::kFlagDeleted) {
      ++dead;
      continue;
    }
    if (live > 0 && id <= last_live) return false;
    if (live == 0) first_live = id;
    last_live = id;
    ++live;
  }
  if (count < 0 || deleted < 0 || static_cast<uint64_t>(count) != live ||
      static_cast<uint64_t>(deleted) != dead) {
    return false;
  }
  if (summary != nullptr) *summary = {live, dead, first_live, last_live};
  return true;
}

bool ValidateStreamNode(StreamId master, const unsigned char* lp, size_t len, bool deep,
                        StreamNodeSummary* summary) {
  if (!Listpack::Validate(lp, len, deep)) return false;
  if (!deep) return true;
  const Listpack copy = Listpack::FromBytes(lp, len);
  if (copy.empty()) return false;
  return ValidateStreamNode(master, copy, summary);
}

}  // namespace baozi
