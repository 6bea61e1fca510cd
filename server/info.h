// INFO: Redis's sections and field names, so monitoring tools, exporters and client ready checks
// (ioredis, Sidekiq, RQ, BullMQ) read baozi as they read Redis.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace baozi {

class Server;
class Client;

// `sections` are INFO's arguments (empty = the default sections).
std::string GenerateInfo(Server& server, std::span<const std::string_view> sections);

// "1.50M" style sizes, as Redis's bytesToHuman prints them.
std::string BytesToHuman(uint64_t n);

}  // namespace baozi
