// LCS (longest common subsequence) of two string values, as Redis 7.0's LCS command computes it,
// including which of several equally long subsequences it picks and the order and grouping of
// the IDX match ranges. A pure function: the handler looks the keys up and formats the reply.
//
//   // LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
//   auto r = Lcs(a, b, /*want_string=*/!idx && !len, /*want_matches=*/idx, min_len, max_bulk);
//   if (!r) reply error r.error();
//   LEN -> :r->len    IDX -> {"matches": [[[a_start,a_end],[b_start,b_end](,len)]...], "len": n}
//   otherwise -> bulk r->lcs
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace baozi {

struct LcsResult {
  std::string lcs;  // only filled when want_string
  size_t len = 0;   // LCS length, always filled
  struct Match {
    size_t a_start, a_end;  // inclusive byte range in `a`
    size_t b_start, b_end;  // inclusive byte range in `b`
    size_t len;             // a_end - a_start + 1 (WITHMATCHLEN)
  };
  // Only filled when want_matches: contiguous runs of the chosen subsequence, from the end of
  // the strings towards the start (Redis's order), dropping runs shorter than min_match_len.
  std::vector<Match> matches;
};

// Fails (error text without "ERR ") exactly where Redis does, after the option checks:
// "String too long for LCS" when either string is >= UINT32_MAX-1 bytes;
// "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len" when the
// (len_a+1)*(len_b+1) table of 4-byte cells would exceed `max_bulk_len` bytes (even for LEN);
// "Insufficient memory, failed allocating transient memory for LCS" when the table cannot be
// allocated. `min_match_len` 0 keeps every run (Redis turns a negative MINMATCHLEN into 0).
std::expected<LcsResult, std::string> Lcs(std::string_view a, std::string_view b, bool want_string,
                                          bool want_matches, size_t min_match_len,
                                          uint64_t max_bulk_len);

}  // namespace baozi
