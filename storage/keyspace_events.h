// Keyspace-notification classes (Redis's NOTIFY_* bits, so masks are interchangeable). They live
// in storage because storage itself raises some events — a key expiring or being evicted, a key
// created ("new"), a read missing ("keymiss") — through Keyspace::on_event; the server raises the
// rest from command handlers and turns both into pub/sub messages.
#pragma once

#include <cstdint>

namespace baozi::notify {

inline constexpr uint32_t kKeyspace = 1u << 0;  // K
inline constexpr uint32_t kKeyevent = 1u << 1;  // E
inline constexpr uint32_t kGeneric = 1u << 2;   // g
inline constexpr uint32_t kString = 1u << 3;    // $
inline constexpr uint32_t kList = 1u << 4;      // l
inline constexpr uint32_t kSet = 1u << 5;       // s
inline constexpr uint32_t kHash = 1u << 6;      // h
inline constexpr uint32_t kZset = 1u << 7;      // z
inline constexpr uint32_t kExpired = 1u << 8;   // x
inline constexpr uint32_t kEvicted = 1u << 9;   // e
inline constexpr uint32_t kStream = 1u << 10;   // t
inline constexpr uint32_t kKeyMiss = 1u << 11;  // m (not part of A)
inline constexpr uint32_t kModule = 1u << 13;   // d
inline constexpr uint32_t kNew = 1u << 14;      // n (not part of A)
// "A": every class except m and n.
inline constexpr uint32_t kAll =
    kGeneric | kString | kList | kSet | kHash | kZset | kExpired | kEvicted | kStream | kModule;

}  // namespace baozi::notify
