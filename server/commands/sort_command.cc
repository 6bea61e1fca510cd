// SORT and SORT_RO.
//
// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
//          [STORE destination]
//
// Redis's algorithm, kept step for step because each step is observable:
//  - options are parsed left to right, the last ASC/DESC wins; a bad LIMIT number is reported
//    as Redis's integer error; only then is the key looked up (WRONGTYPE for strings/hashes);
//  - BY without '*' means "don't sort": lists and sorted sets come out in their own order
//    (reversed by DESC), sets in iteration order — except when STORE is given, where a set is
//    sorted ALPHA so the stored result does not depend on hash order;
//  - sort keys come from the element itself or from the BY pattern ('*' replaced by the
//    element, "->field" reading a hash field); numeric sorting parses them with strtod and
//    fails the whole command on the first one that is not a number, missing BY keys count as
//    0; ties fall back to comparing the elements, so numeric results are deterministic;
//  - LIMIT is clamped to the number of elements before anything is allocated, so huge offsets
//    and counts cost nothing (CVE-2022-35977);
//  - GET patterns are resolved per output element ("#" is the element itself), nil (or "" when
//    storing) where the key or field is missing; STORE writes a list (deleting the
//    destination when the result is empty) and replies its length.
// A sorted set being sorted is converted to its skiplist encoding first, as Redis does.
#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace baozi {
namespace {

struct SortItem {
  std::string elem;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the looked-up sort key, if any
};

// The part of a C string before its first NUL: Redis's patterns go through strchr/strstr.
std::string_view CString(std::string_view s) { return s.substr(0, s.find('\0')); }

// Resolves a BY/GET pattern for one element (Redis lookupKeyByPattern): the string value of
// the key with '*' replaced by `elem`, or with "->field" a field of the hash stored there.
std::optional<std::string> LookupByPattern(Db& db, std::string_view pattern,
                                           std::string_view elem) {
  if (CString(pattern) == "#") return std::string(elem);
  std::string_view c = CString(pattern);
  size_t star = c.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t arrow = c.find("->", star + 1);
  std::string_view field;
  if (arrow != std::string_view::npos && arrow + 2 < c.size()) {
    field = pattern.substr(arrow + 2);  // the field runs to the pattern's real end
  } else {
    arrow = std::string_view::npos;
  }
  size_t postfix_end = arrow == std::string_view::npos ? pattern.size() : arrow;
  std::string key;
  key.reserve(pattern.size() + elem.size());
  key.append(pattern.substr(0, star));
  key.append(elem);
  key.append(pattern.substr(star + 1, postfix_end - star - 1));

  DbEntry* e = db.FindRead(key);
  if (e == nullptr) return std::nullopt;
  if (arrow != std::string_view::npos) {
    if (e->value.type() != ObjType::kHash) return std::nullopt;
    char buf[kIntBufSize];
    auto v = e->value.hash().Get(field, buf);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (!e->value.is_string()) return std::nullopt;
  return e->value.ToString();
}

// strtod as Redis applies it to a sort key: the whole C string must parse, with no range
// error and no NaN. An empty string is 0.
std::optional<double> SortScore(const std::string& s) {
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  double d = std::strtod(p, &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(d)) return std::nullopt;
  return d;
}

// Redis's compareStringObjects: binary, shorter first on a common prefix.
int CompareBinary(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// strcoll on the C strings (collateStringObjects), in the locale the server started with.
int Collate(const std::string& a, const std::string& b) {
  return std::strcoll(a.c_str(), b.c_str());
}

// Collects the elements of the value to sort in its native order.
std::vector<SortItem> LoadElements(const Value& v) {
  std::vector<SortItem> items;
  auto add = [&](std::string_view s) {
    items.push_back(SortItem{std::string(s), 0, std::nullopt});
  };
  switch (v.type()) {
    case ObjType::kList:
      items.reserve(v.list().size());
      v.list().ForEach(add);
      break;
    case ObjType::kSet:
      items.reserve(v.set().size());
      v.set().ForEach(add);
      break;
    case ObjType::kZset:
      items.reserve(v.zset().size());
      v.zset().ForEach([&](std::string_view m, double) { add(m); });
      break;
    default:
      break;
  }
  return items;
}

void SortGeneric(CmdContext& ctx, bool readonly) {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> store, sortby;
  std::vector<std::string_view> gets;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(opt, "asc")) {
      desc = false;
    } else if (EqualsIgnoreCase(opt, "desc")) {
      desc = true;
    } else if (EqualsIgnoreCase(opt, "alpha")) {
      alpha = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      auto s = ArgInt(ctx, ctx.arg(j + 1));
      if (!s) return;
      auto c = ArgInt(ctx, ctx.arg(j + 2));
      if (!c) return;
      limit_start = *s;
      limit_count = *c;
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(opt, "store") && left >= 1) {
      store = ctx.arg(++j);
    } else if (EqualsIgnoreCase(opt, "by") && left >= 1) {
      sortby = ctx.arg(++j);
      dontsort = CString(*sortby).find('*') == std::string_view::npos;
    } else if (EqualsIgnoreCase(opt, "get") && left >= 1) {
      gets.push_back(ctx.arg(++j));
    } else {
      return ctx.SendError(Errc::kSyntax);
    }
  }

  Db& db = ctx.db();
  DbEntry* e = db.FindRead(ctx.arg(1));
  if (e != nullptr && e->value.type() != ObjType::kList && e->value.type() != ObjType::kSet &&
      e->value.type() != ObjType::kZset) {
    return ctx.SendError(Errc::kWrongType);
  }
  ObjType type = e != nullptr ? e->value.type() : ObjType::kList;
  if (dontsort && type == ObjType::kSet && store) {
    // A stored result must not depend on hash order.
    dontsort = false;
    alpha = true;
    sortby.reset();
  }
  if (type == ObjType::kZset) e->value.zset().ConvertToSkiplist();

  std::vector<SortItem> items;
  if (e != nullptr) items = LoadElements(e->value);
  if (dontsort && desc && type != ObjType::kSet) std::reverse(items.begin(), items.end());

  // Clamp LIMIT to the element count first: huge values must not cost anything.
  auto len = static_cast<int64_t>(items.size());
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), len);
  int64_t count = std::min(std::max<int64_t>(limit_count, -1), len);
  int64_t end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  bool conversion_error = false;
  if (!dontsort) {
    for (SortItem& it : items) {
      std::optional<std::string> byval;
      if (sortby) {
        byval = LookupByPattern(db, *sortby, it.elem);
        if (!byval) continue;
      }
      if (alpha) {
        if (sortby) it.by = std::move(byval);
      } else {
        auto score = SortScore(sortby ? *byval : it.elem);
        if (score) {
          it.score = *score;
        } else {
          conversion_error = true;
        }
      }
    }
    bool by_pattern = sortby.has_value();
    bool storing = store.has_value();
    auto cmp = [&](const SortItem& a, const SortItem& b) {
      int c;
      if (!alpha) {
        c = a.score > b.score ? 1 : (a.score < b.score ? -1 : CompareBinary(a.elem, b.elem));
      } else if (by_pattern) {
        if (!a.by || !b.by) {
          c = a.by.has_value() == b.by.has_value() ? 0 : (!a.by ? -1 : 1);
        } else {
          c = storing ? CompareBinary(*a.by, *b.by) : Collate(*a.by, *b.by);
        }
      } else {
        c = storing ? CompareBinary(a.elem, b.elem) : Collate(a.elem, b.elem);
      }
      return desc ? c > 0 : c < 0;
    };
    std::stable_sort(items.begin(), items.end(), cmp);
  }

  int64_t selected = end - start + 1;
  int64_t outputlen = gets.empty() ? selected : static_cast<int64_t>(gets.size()) * selected;
  if (conversion_error) return ctx.SendError("One or more scores can't be converted into double");

  if (!store) {
    auto& rb = ctx.rb();
    rb.StartArray(static_cast<size_t>(outputlen));
    for (int64_t j = start; j <= end; ++j) {
      if (gets.empty()) rb.SendBulk(items[j].elem);
      for (std::string_view g : gets) {
        auto val = LookupByPattern(db, g, items[j].elem);
        if (val) {
          rb.SendBulk(*val);
        } else {
          rb.SendNull();
        }
      }
    }
    return;
  }

  auto* list = new ListObject(ctx.server().keyspace().limits.list_max_listpack_size);
  Value result = Value::Wrap(list);
  for (int64_t j = start; j <= end; ++j) {
    if (gets.empty()) list->PushTail(items[j].elem);
    for (std::string_view g : gets) {
      auto val = LookupByPattern(db, g, items[j].elem);
      list->PushTail(val ? std::string_view(*val) : std::string_view());
    }
  }
  if (outputlen > 0) {
    db.Set(*store, std::move(result));
    ctx.server().keyspace().stats().dirty += static_cast<uint64_t>(outputlen) - 1;
    ctx.SignalModifiedKey(*store);
    ctx.Notify(notify::kList, "sortstore", *store);
  } else if (db.Remove(*store)) {
    ctx.SignalModifiedKey(*store);
    ctx.Notify(notify::kGeneric, "del", *store);
  }
  ctx.rb().SendLong(outputlen);
}

void CmdSort(CmdContext& ctx) { SortGeneric(ctx, /*readonly=*/false); }
void CmdSortRo(CmdContext& ctx) { SortGeneric(ctx, /*readonly=*/true); }

}  // namespace

void RegisterSortCommands(CommandRegistry& r) {
  r.Add({"sort", -2, kWrite | kDenyOom, {1, 1, 1}, CmdSort, "generic"});
  r.Add({"sort_ro", -2, kReadOnly, {1, 1, 1}, CmdSortRo, "generic"});
}

}  // namespace baozi
