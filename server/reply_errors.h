// Errc -> the exact error text Redis sends. Messages for ERR errors omit the "ERR " prefix (the
// reply builder adds it); other codes carry their "-CODE " prefix.
#pragma once

#include <string>
#include <string_view>

#include "storage/errc.h"

namespace baozi {

std::string_view ErrorText(Errc e);

// "wrong number of arguments for 'config|get' command": the dispatcher's arity check and the
// few handlers whose argument count has a shape arity cannot express (MSET pairs) share it.
inline std::string ArityError(std::string_view full_name) {
  return "wrong number of arguments for '" + std::string(full_name) + "' command";
}

// Shared texts used by several handlers.
inline constexpr std::string_view kErrWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNoAuth = "-NOAUTH Authentication required.";
// Redis shared.bgsaveerr: writes refused after a failed background save.
inline constexpr std::string_view kErrMisconf =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.";
inline constexpr std::string_view kErrNotInteger = "value is not an integer or out of range";

}  // namespace baozi
