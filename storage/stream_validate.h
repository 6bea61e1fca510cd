// Deep validation of one stream node (a listpack of entries under a master ID) read from an
// untrusted source: an RDB file or a RESTORE payload.
//
// Redis's streamValidateListpackIntegrity checks the shape of a node: the master entry (count,
// deleted, num-fields, the field names, a zero), then exactly count + deleted entries, each
// with integer flags and ID differences, its fields or only its values (SAMEFIELDS), and an
// lp-count equal to the number of elements the entry took; nothing may follow. We check that
// and what the stream code relies on beyond it, since a node that passes here is walked by
// iterators with no further checks:
//   - every number (count, deleted, field counts, flags, ID differences, lp-count) is an
//     integer entry (Redis writes them with lpAppendInteger), field counts are not negative
//     and flags hold only DELETED and SAMEFIELDS;
//   - `count` and `deleted` are the numbers of entries without and with the DELETED flag;
//   - every entry's ID (master + differences, in unsigned arithmetic as Redis adds them) is at
//     or above the master ID, and the live entries ascend strictly. Tombstones are not held to
//     the order: after XDEL of the top entry, XSETID may lower the last ID below the tombstone
//     and a later XADD lands behind it, which Redis itself produces.
#pragma once

#include <cstddef>
#include <cstdint>

#include "storage/listpack.h"
#include "storage/stream.h"

namespace baozi {

// What a valid node holds, for the checks across nodes (live IDs ascend over the whole stream,
// the live entries add up to the stream's length).
struct StreamNodeSummary {
  uint64_t live = 0;     // entries without the DELETED flag
  uint64_t deleted = 0;  // tombstones
  StreamId first_live;   // meaningful when live > 0
  StreamId last_live;    // meaningful when live > 0
};

// Checks the listpack bytes [lp, lp + len) of the node keyed `master`. With `deep` false only
// the listpack header is checked (Redis's shallow mode); with `deep` the whole structure above
// plus the listpack's own entry-by-entry validation. `summary` (optional) is filled in deep mode.
bool ValidateStreamNode(StreamId master, const unsigned char* lp, size_t len, bool deep,
                        StreamNodeSummary* summary = nullptr);

// The stream-level checks of a listpack that already passed Listpack::Validate(..., deep=true)
// (Listpack::TryFromBytes with deep), so that a loader validates and copies the bytes once.
bool ValidateStreamNode(StreamId master, const Listpack& lp, StreamNodeSummary* summary = nullptr);

}  // namespace baozi
