// Readers for the compact encodings of RDB files older than Redis 7.0: the ziplist (lists,
// hashes and sorted sets up to 6.2) and the zipmap (hashes up to 2.4). Nothing writes them any
// more; the loader walks them once, converting to listpacks or plain values.
//
// Both walkers validate the whole blob before reporting anything (Redis's
// ziplistValidateIntegrity and zipmapValidateIntegrity with `deep`), and never read outside
// the bytes they are given, so any input is safe to hand them.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace baozi::rdb::legacy {

// A ziplist entry: a string, or an integer.
struct ZlItem {
  std::string_view str;
  int64_t ival = 0;
  bool is_int = false;
};

// Checks every entry of the ziplist (header size and tail offset, each entry's prevlen against
// the previous entry, its encoding, its bounds, the entry count unless it saturated) and then
// calls fn for each entry head to tail. False when the blob is invalid or fn returned false.
bool WalkZiplist(std::string_view zl, const std::function<bool(const ZlItem&)>& fn);

// Checks the zipmap (lengths in bounds, free bytes in bounds, at least one pair, the count
// byte unless it saturated, the end byte last) and then calls fn(field, value) for each pair.
// False when the blob is invalid or fn returned false.
bool WalkZipmap(std::string_view zm,
                const std::function<bool(std::string_view, std::string_view)>& fn);

}  // namespace baozi::rdb::legacy
