#include "server/commands/common.h"

#include <cctype>

#include "storage/glob.h"
#include "storage/numbers.h"

namespace baozi {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  // Redis matches options with strcasecmp, which stops at a NUL: "get\0x" is GET.
  a = a.substr(0, a.find('\0'));
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Result<DbEntry*> FindString(Db& db, std::string_view key, bool for_read) {
  DbEntry* e = for_read ? db.FindRead(key) : db.FindWrite(key);
  if (e != nullptr && !e->value.is_string()) return Fail(Errc::kWrongType);
  return e;
}

std::optional<int64_t> ArgInt(CmdContext& ctx, std::string_view arg) {
  auto v = ParseInt64(arg);
  if (!v) ctx.SendError(Errc::kNotInteger);
  return v;
}

std::optional<int64_t> ArgInt(CmdContext& ctx, std::string_view arg, std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v) ctx.SendError(error);
  return v;
}

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

void ReplyInvalidExpire(CmdContext& ctx) {
  ctx.SendError("invalid expire time in '" + ctx.cmd().full_name() + "' command");
}

void ReplyStringValue(CmdContext& ctx, const Value& v) {
  char buf[kIntBufSize];
  ctx.rb().SendBulk(v.View(buf));
}

bool KeyMatches(std::string_view pattern, std::string_view key) {
  return GlobMatch(pattern, key, false);
}

std::optional<ScanArgs> ParseScanArgs(CmdContext& ctx, size_t cursor_index, bool allow_type) {
  ScanArgs a;
  auto cursor = ParseScanCursor(ctx.arg(cursor_index));
  if (!cursor) {
    ctx.SendError("invalid cursor");
    return std::nullopt;
  }
  a.cursor = *cursor;
  for (size_t i = cursor_index + 1; i < ctx.argc();) {
    size_t left = ctx.argc() - i;
    if (EqualsIgnoreCase(ctx.arg(i), "count") && left >= 2) {
      auto c = ArgInt(ctx, ctx.arg(i + 1));
      if (!c) return std::nullopt;
      if (*c < 1) {
        ctx.SendError(Errc::kSyntax);
        return std::nullopt;
      }
      a.count = *c;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "match") && left >= 2) {
      a.pattern = ctx.arg(i + 1) == "*" ? std::string_view() : ctx.arg(i + 1);
      i += 2;
    } else if (allow_type && EqualsIgnoreCase(ctx.arg(i), "type") && left >= 2) {
      a.type = ctx.arg(i + 1);
      i += 2;
    } else {
      ctx.SendError(Errc::kSyntax);
      return std::nullopt;
    }
  }
  return a;
}

void ReplyScanPage(CmdContext& ctx, uint64_t next, std::span<const std::string> items) {
  auto& rb = ctx.rb();
  rb.StartArray(2);
  char buf[kIntBufSize];
  rb.SendBulk({buf, FormatUint64(next, buf)});
  rb.StartArray(items.size());
  for (const std::string& s : items) rb.SendBulk(s);
}

std::optional<int64_t> ArgPositive(CmdContext& ctx, std::string_view arg, std::string_view error) {
  auto v = ParseInt64(arg);
  if (!v || *v < 1) {
    ctx.SendError(error);
    return std::nullopt;
  }
  return v;
}

std::optional<MPopArgs> ParseMPopArgs(CmdContext& ctx, size_t numkeys_index,
                                      std::string_view where0, std::string_view where1) {
  auto numkeys = ArgPositive(ctx, ctx.arg(numkeys_index), "numkeys should be greater than 0");
  if (!numkeys) return std::nullopt;
  if (static_cast<uint64_t>(*numkeys) > ctx.argc() - numkeys_index - 2) {
    ctx.SendError(Errc::kSyntax);
    return std::nullopt;
  }
  MPopArgs a;
  a.keys = ctx.args().subspan(numkeys_index + 1, static_cast<size_t>(*numkeys));
  size_t where_index = numkeys_index + static_cast<size_t>(*numkeys) + 1;
  if (EqualsIgnoreCase(ctx.arg(where_index), where1)) {
    a.second_where = true;
  } else if (!EqualsIgnoreCase(ctx.arg(where_index), where0)) {
    ctx.SendError(Errc::kSyntax);
    return std::nullopt;
  }
  bool counted = false;
  for (size_t j = where_index + 1; j < ctx.argc(); ++j) {
    if (!counted && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      auto c = ArgPositive(ctx, ctx.arg(++j), "count should be greater than 0");
      if (!c) return std::nullopt;
      a.count = *c;
      counted = true;
    } else {
      ctx.SendError(Errc::kSyntax);
      return std::nullopt;
    }
  }
  return a;
}

}  // namespace baozi
