// Hash containers keyed by std::string that are looked up with a std::string_view without
// building a std::string first (C++20 heterogeneous lookup): the per-command paths that ask
// "is anyone waiting on / watching / subscribed to this name?" allocate nothing.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace baozi {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

}  // namespace baozi
