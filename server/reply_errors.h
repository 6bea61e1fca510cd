// Errc -> the exact error text Redis sends. Messages for ERR errors omit the "ERR " prefix (the
// reply builder adds it); other codes carry their "-CODE " prefix.
#pragma once

#include <string_view>

#include "storage/errc.h"

namespace baozi {

std::string_view ErrorText(Errc e);

// Shared texts used by several handlers.
inline constexpr std::string_view kErrWrongType =
    "-WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kErrNoAuth = "-NOAUTH Authentication required.";
inline constexpr std::string_view kErrNotInteger = "value is not an integer or out of range";

}  // namespace baozi
