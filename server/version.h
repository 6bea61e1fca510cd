// The identity baozi reports. Clients gate features on redis_version (Sidekiq >= 7.0.0, BullMQ,
// RQ), so baozi reports the Redis release whose behaviour it follows for client-visible features.
#pragma once

#include <string_view>

namespace baozi {

inline constexpr std::string_view kRedisVersion = "7.2.4";
inline constexpr std::string_view kBaoziVersion = "0.1.0";

}  // namespace baozi
