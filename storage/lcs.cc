// How LCS works, and why it is shaped exactly like Redis's.
//
// The classic dynamic program: T[i][j] is the LCS length of the first i bytes of `a` and the
// first j bytes of `b`. Row 0 and column 0 are 0; when a[i-1] == b[j-1] the cell extends the
// diagonal (T[i-1][j-1] + 1), otherwise it takes the larger of the cell above and the cell to
// the left. T[alen][blen] is the answer's length.
//
// Many subsequences can share that length, and clients see which one we pick (the string reply)
// and how it is split into runs (IDX). Redis walks back from (alen, blen): on equal bytes it
// takes the byte and moves diagonally; otherwise it moves up (i-1) only when T[i-1][j] is
// strictly larger than T[i][j-1], else left (j-1). We keep that tie-break. The walk visits the
// chosen bytes from last to first, so the string is filled from its end and the IDX runs come
// out last-run-first. A run grows while consecutive steps are diagonal; it is closed (emitted,
// if at least min_match_len long) on the first non-diagonal step or when it reaches the start
// of either string.
//
// The table is (alen+1)*(blen+1) 4-byte cells. Redis refuses to build it when that exceeds
// proto-max-bulk-len, for every mode including LEN, and so must we for identical errors; within
// that limit, LEN alone needs only two rows, which is what we use for it.
#include "storage/lcs.h"

#include <algorithm>
#include <memory>
#include <new>

namespace baozi {
namespace {

constexpr char kTooLong[] = "String too long for LCS";
constexpr char kExceedsBulk[] =
    "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
constexpr char kAllocFailed[] = "Insufficient memory, failed allocating transient memory for LCS";

uint32_t LengthOnly(std::string_view a, std::string_view b) {
  std::vector<uint32_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    const char ca = a[i - 1];
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = ca == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::expected<LcsResult, std::string> Lcs(std::string_view a, std::string_view b, bool want_string,
                                          bool want_matches, size_t min_match_len,
                                          uint64_t max_bulk_len) {
  constexpr uint64_t kLimit = UINT32_MAX - 1;
  if (a.size() >= kLimit || b.size() >= kLimit) return std::unexpected<std::string>(kTooLong);

  const uint64_t alen = a.size(), blen = b.size();
  // Both factors are below 2^32, so the cell count fits; the byte count might not.
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells > SIZE_MAX / sizeof(uint32_t)) return std::unexpected<std::string>(kAllocFailed);
  const uint64_t table_bytes = cells * sizeof(uint32_t);
  if (table_bytes > max_bulk_len) return std::unexpected<std::string>(kExceedsBulk);

  LcsResult result;
  if (!want_string && !want_matches) {
    result.len = LengthOnly(a, b);
    return result;
  }

  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) return std::unexpected<std::string>(kAllocFailed);
  const size_t width = blen + 1;
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * width + j]; };
  std::fill_n(&at(0, 0), width, 0u);
  for (size_t i = 1; i <= alen; ++i) {
    uint32_t* row = &at(i, 0);
    const uint32_t* up = &at(i - 1, 0);
    const char ca = a[i - 1];
    row[0] = 0;
    for (size_t j = 1; j <= blen; ++j) {
      row[j] = ca == b[j - 1] ? up[j - 1] + 1 : std::max(up[j], row[j - 1]);
    }
  }

  const uint32_t total = at(alen, blen);
  result.len = total;
  if (want_string) result.lcs.resize(total);

  size_t i = alen, j = blen, idx = total;
  bool in_run = false;
  size_t a_start = 0, a_end = 0, b_start = 0, b_end = 0;
  while (i > 0 && j > 0) {
    bool close_run = false;
    if (a[i - 1] == b[j - 1]) {
      if (want_string) result.lcs[idx - 1] = a[i - 1];
      if (!in_run) {
        in_run = true;
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;
        --b_start;
      } else {
        close_run = true;  // a diagonal step that does not continue the run (as Redis)
      }
      if (a_start == 0 || b_start == 0) close_run = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (in_run) close_run = true;
    }
    if (close_run) {
      size_t run_len = a_end - a_start + 1;
      if (want_matches && (min_match_len == 0 || run_len >= min_match_len)) {
        result.matches.push_back({a_start, a_end, b_start, b_end, run_len});
      }
      in_run = false;
    }
  }
  return result;
}

}  // namespace baozi
