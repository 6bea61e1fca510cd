// Where the server's memory goes, split as Redis's getMemoryOverheadData splits it: INFO memory,
// MEMORY STATS and MEMORY DOCTOR all read one MemoryOverhead.
//
// Overhead is what the server needs whatever the data: the memory in use when start-up ended,
// the clients (their buffers and bookkeeping), and per database the part of the keyspace that is
// structure rather than keys and values (bucket arrays and the fixed part of every entry, the
// expiry wheel). Features baozi does not have (replication, AOF, scripting, cluster) count 0.
// The dataset is everything else: used memory minus overhead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace baozi {

class Server;
class Client;

struct MemoryOverhead {
  size_t total_allocated = 0;    // used_memory
  size_t peak_allocated = 0;     // the recorded peak (INFO raises it afterwards if lower)
  size_t startup_allocated = 0;  // used_memory_startup
  size_t repl_backlog = 0;
  size_t clients_slaves = 0;
  size_t clients_normal = 0;
  size_t cluster_links = 0;
  size_t aof_buffer = 0;
  size_t lua_caches = 0;
  size_t functions_caches = 0;
  struct Db {
    int dbid = 0;
    size_t overhead_ht_main = 0;
    size_t overhead_ht_expires = 0;
    size_t overhead_ht_slot_to_keys = 0;
  };
  std::vector<Db> db;  // databases that hold keys
  size_t overhead_total = 0;
  size_t total_keys = 0;
  size_t bytes_per_key = 0;  // (used - startup) / keys
  size_t dataset = 0;
  // Redis computes these in single precision; MEMORY STATS prints the float's digits.
  float dataset_perc = 0;
  float peak_perc = 0;

  // The allocator and the process (Redis's cron_malloc_stats, read live here). Without
  // jemalloc's statistics the allocator figures are derived as Redis derives them.
  size_t process_rss = 0;
  size_t allocator_allocated = 0;
  size_t allocator_active = 0;
  size_t allocator_resident = 0;
  float allocator_frag = 0;  // active / allocated
  int64_t allocator_frag_bytes = 0;
  float allocator_rss = 0;  // resident / active
  int64_t allocator_rss_bytes = 0;
  float rss_extra = 0;  // process rss / allocator resident
  int64_t rss_extra_bytes = 0;
  float total_frag = 0;  // process rss / used memory
  int64_t total_frag_bytes = 0;
};

MemoryOverhead GetMemoryOverhead(Server& server);

// A client's memory: the client object, query buffer and arguments, reply buffers, MULTI
// queue, WATCH and subscription bookkeeping (CLIENT LIST's tot-mem).
size_t ClientMemoryUsage(const Client& c);

// Resident set size of this process (/proc/self/statm).
size_t ProcessRss();

}  // namespace baozi
