// MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP, with Redis 7.0's syntax, replies
// and report texts.
//
// USAGE adds up what a key really occupies, in allocator size classes: the keyspace entry (one
// allocation holding the chain link, the value header and the key's bytes), a string's heap
// buffer, or a collection's object and its parts. Collections estimate from the first SAMPLES
// elements or nodes as Redis does where their size is not already known exactly (see each
// object's MemoryUsage(samples); streams in StreamUsage below, on the stream's public
// interface). Like Redis, the key is found as stored: an expired key that
// is still in memory is reported, and the lookup counts no hit or miss.
//
// STATS and DOCTOR read the overhead/dataset split of server/memory_overhead.h, the same figures
// INFO memory prints.
#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "server/allocator.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/memory_overhead.h"
#include "server/server.h"
#include "storage/alloc_size.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/zset.h"

namespace baozi {
namespace {

constexpr size_t kDefaultSamples = 5;  // Redis OBJ_COMPUTE_SIZE_DEF_SAMPLES

// One node of a std::map: the red-black tree header (colour, parent, left, right) and the pair.
template <class Map>
size_t MapNodeBytes() {
  return AllocSize(4 * sizeof(void*) + sizeof(typename Map::value_type));
}

size_t StringHeapBytes(const std::string& s) {
  return s.capacity() > 15 ? AllocSize(s.capacity() + 1) : 0;
}

// Redis objectComputeSize for streams: the node listpacks are sampled (the first `samples`
// nodes, their average standing for all but the last node, which is added as it is); every
// group and consumer is counted with its PEL, and the NACKs once, in the group's PEL.
size_t StreamUsage(const StreamObject& s, size_t samples) {
  using NodeMap = std::map<StreamId, Listpack>;
  size_t usage = AllocSize(sizeof(StreamObject)) + s.node_count() * MapNodeBytes<NodeMap>();
  size_t sampled = 0;
  size_t lp_bytes = 0;
  size_t last_lp = 0;
  s.ForEachNode([&](StreamId, const Listpack& lp) {
    if (sampled < samples) {
      lp_bytes += lp.MemoryUsage();
      ++sampled;
    }
    last_lp = lp.MemoryUsage();
  });
  if (s.node_count() <= sampled) {
    usage += lp_bytes;
  } else if (sampled > 0) {
    usage += lp_bytes / sampled * (s.node_count() - 1) + last_lp;
  }
  for (const auto& [name, g] : s.groups()) {
    usage += MapNodeBytes<StreamObject::GroupMap>() + StringHeapBytes(name) +
             AllocSize(sizeof(StreamGroup)) +
             g->pel.size() * MapNodeBytes<decltype(StreamGroup::pel)>();
    for (const auto& [cname, c] : g->consumers) {
      usage += MapNodeBytes<decltype(StreamGroup::consumers)>() + StringHeapBytes(cname) +
               AllocSize(sizeof(StreamConsumer)) + StringHeapBytes(c->name) +
               c->pel.size() * MapNodeBytes<decltype(StreamConsumer::pel)>();
    }
  }
  return usage;
}

size_t ValueUsage(const Value& v, size_t samples) {
  switch (v.type()) {
    case ObjType::kString:
      // Integers and short strings live inside the entry; HeapBytes counts longer ones at
      // their allocations' size classes.
      return v.HeapBytes();
    case ObjType::kList:
      return v.list().MemoryUsage(samples);
    case ObjType::kHash:
      return v.hash().MemoryUsage(samples);
    case ObjType::kSet:
      return v.set().MemoryUsage(samples);
    case ObjType::kZset:
      return v.zset().MemoryUsage(samples);
    case ObjType::kStream:
      return StreamUsage(v.stream(), samples);
  }
  return 0;
}

// MEMORY USAGE key [SAMPLES count]
void CmdMemoryUsage(CmdContext& ctx) {
  size_t samples = kDefaultSamples;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "samples") && j + 1 < ctx.argc()) {
      auto n = ArgInt(ctx, ctx.arg(j + 1));
      if (!n) return;
      if (*n < 0) return ctx.SendError("syntax error");
      samples = *n == 0 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(*n);
      ++j;
    } else {
      return ctx.SendError("syntax error");
    }
  }
  DbEntry* e = ctx.db().Peek(ctx.arg(2));
  if (e == nullptr) return ctx.rb().SendNull();
  const size_t usage =
      AllocSize(Dict<DbEntry>::EntryBytes(ctx.arg(2).size())) + ValueUsage(e->value, samples);
  ctx.rb().SendLong(static_cast<int64_t>(usage));
}

// MEMORY STATS
void CmdMemoryStats(CmdContext& ctx) {
  const MemoryOverhead mh = GetMemoryOverhead(ctx.server());
  auto& rb = ctx.rb();
  auto num = [&](std::string_view name, int64_t v) {
    rb.SendBulk(name);
    rb.SendLong(v);
  };
  auto dbl = [&](std::string_view name, float v) {
    rb.SendBulk(name);
    rb.SendDouble(v);
  };
  rb.StartMap(27 + mh.db.size());
  num("peak.allocated", mh.peak_allocated);
  num("total.allocated", mh.total_allocated);
  num("startup.allocated", mh.startup_allocated);
  num("replication.backlog", mh.repl_backlog);
  num("clients.slaves", mh.clients_slaves);
  num("clients.normal", mh.clients_normal);
  num("cluster.links", mh.cluster_links);
  num("aof.buffer", mh.aof_buffer);
  num("lua.caches", mh.lua_caches);
  num("functions.caches", mh.functions_caches);
  for (const MemoryOverhead::Db& d : mh.db) {
    rb.SendBulk("db." + std::to_string(d.dbid));
    rb.StartMap(3);
    num("overhead.hashtable.main", d.overhead_ht_main);
    num("overhead.hashtable.expires", d.overhead_ht_expires);
    num("overhead.hashtable.slot-to-keys", d.overhead_ht_slot_to_keys);
  }
  num("overhead.total", mh.overhead_total);
  num("keys.count", mh.total_keys);
  num("keys.bytes-per-key", mh.bytes_per_key);
  num("dataset.bytes", mh.dataset);
  dbl("dataset.percentage", mh.dataset_perc);
  dbl("peak.percentage", mh.peak_perc);
  num("allocator.allocated", mh.allocator_allocated);
  num("allocator.active", mh.allocator_active);
  num("allocator.resident", mh.allocator_resident);
  dbl("allocator-fragmentation.ratio", mh.allocator_frag);
  num("allocator-fragmentation.bytes", mh.allocator_frag_bytes);
  dbl("allocator-rss.ratio", mh.allocator_rss);
  num("allocator-rss.bytes", mh.allocator_rss_bytes);
  dbl("rss-overhead.ratio", mh.rss_extra);
  num("rss-overhead.bytes", mh.rss_extra_bytes);
  dbl("fragmentation", mh.total_frag);
  num("fragmentation.bytes", mh.total_frag_bytes);
}

// MEMORY DOCTOR: Redis's checks, on baozi's figures. Replicas and scripts do not exist here, so
// their two checks never fire.
std::string MemoryDoctorReport(Server& server) {
  constexpr int64_t kTenMb = int64_t{10} << 20;
  const MemoryOverhead mh = GetMemoryOverhead(server);
  bool empty = false, big_peak = false, high_frag = false, high_alloc_frag = false;
  bool high_alloc_rss = false, high_proc_rss = false, big_client_buf = false;
  int reports = 0;
  if (mh.total_allocated < 5 * 1024 * 1024) {
    empty = true;
    ++reports;
  } else {
    if (static_cast<float>(mh.peak_allocated) / mh.total_allocated > 1.5f) {
      big_peak = true;
      ++reports;
    }
    if (mh.total_frag > 1.4f && mh.total_frag_bytes > kTenMb) {
      high_frag = true;
      ++reports;
    }
    if (mh.allocator_frag > 1.1f && mh.allocator_frag_bytes > kTenMb) {
      high_alloc_frag = true;
      ++reports;
    }
    if (mh.allocator_rss > 1.1f && mh.allocator_rss_bytes > kTenMb) {
      high_alloc_rss = true;
      ++reports;
    }
    if (mh.rss_extra > 1.1f && mh.rss_extra_bytes > kTenMb) {
      high_proc_rss = true;
      ++reports;
    }
    const size_t clients = server.client_count();
    if (clients > 0 && mh.clients_normal / clients > 1024 * 200) {
      big_client_buf = true;
      ++reports;
    }
  }
  if (reports == 0) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
           "occurs on this base.\n";
  }
  if (empty) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector "
           "can't be used in these conditions. Please, leave for your mission on Earth and fill "
           "it with some data. The new Sam and I will be back to our programming as soon as I "
           "finished rebooting.\n";
  }
  std::string s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    s += " * Peak memory: In the past this instance used more than 150% the memory that is "
         "currently using. The allocator is normally not able to release memory after a peak, "
         "so you can expect to see a big fragmentation ratio, however this is actually harmless "
         "and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "
         "is currently bigger than expected, the memory will be used as soon as you fill the "
         "Redis instance with more data. If the memory peak was only occasional and you want to "
         "try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other "
         "option is to shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
         "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
         "than the sum of the logical allocations Redis performed). This problem is usually due "
         "either to a large peak memory (check if there is a peak memory entry above in the "
         "report) or may result from a workload that causes the allocator to fragment memory a "
         "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
         "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
         "currently used allocator is \"";
    s += alloc::Name();
    s += "\".\n\n";
  }
  if (high_alloc_frag) {
    s += " * High allocator fragmentation: This instance has an allocator external "
         "fragmentation greater than 1.1. This problem is usually due either to a large peak "
         "memory (check if there is a peak memory entry above in the report) or may result from "
         "a workload that causes the allocator to fragment memory a lot. You can try enabling "
         "'activedefrag' config option.\n\n";
  }
  if (high_alloc_rss) {
    s += " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
         "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
         "the sum what the allocator actually holds). This problem is usually due to a large "
         "peak memory (check if there is a peak memory entry above in the report), you can try "
         "the MEMORY PURGE command to reclaim it.\n\n";
  }
  if (high_proc_rss) {
    s += " * High process RSS overhead: This instance has non-allocator RSS memory overhead is "
         "greater than 1.1 (this means that the Resident Set Size of the Redis process is much "
         "larger than the RSS the allocator holds). This problem may be due to Lua scripts or "
         "Modules.\n\n";
  }
  if (big_client_buf) {
    s += " * Big client buffers: The clients output buffers in this instance are greater than "
         "200K per client (on average). This may result from different causes, like Pub/Sub "
         "clients subscribed to channels bot not receiving data fast enough, so that data piles "
         "on the Redis instance output buffer, or clients sending commands with large replies "
         "or very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
         "command in order to investigate the issue if it causes problems in your instance, or "
         "to understand better why certain clients are using a big amount of memory.\n\n";
  }
  s += "I'm here to keep you safe, Sam. I want to help you.\n";
  return s;
}

// MEMORY DOCTOR
void CmdMemoryDoctor(CmdContext& ctx) { ctx.rb().SendVerbatim(MemoryDoctorReport(ctx.server())); }

// MEMORY MALLOC-STATS
void CmdMemoryMallocStats(CmdContext& ctx) {
  if (alloc::IsJemalloc()) return ctx.rb().SendVerbatim(alloc::MallocStats());
  ctx.rb().SendBulk(alloc::MallocStats());
}

// MEMORY PURGE
void CmdMemoryPurge(CmdContext& ctx) {
  if (!alloc::Purge()) return ctx.SendError("Error purging dirty pages");
  ctx.rb().SendOk();
}

// MEMORY HELP.
void CmdMemoryHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DOCTOR",
                    "    Return memory problems reports.",
                    "MALLOC-STATS",
                    "    Return internal statistics report from the memory allocator.",
                    "PURGE",
                    "    Attempt to purge dirty pages for reclamation by the allocator.",
                    "STATS",
                    "    Return information about the memory usage of the server.",
                    "USAGE <key> [SAMPLES <count>]",
                    "    Return memory in bytes used by <key> and its value. Nested values are",
                    "    sampled up to <count> times (default: 5, 0 means sample all).",
                });
}

}  // namespace

void RegisterMemoryCommands(CommandRegistry& r) {
  Command* memory = r.Add({"memory", -2, 0, {}, CmdContainer, "server"});
  memory->AddSubcommand({"doctor", 2, 0, {}, CmdMemoryDoctor, "server"});
  memory->AddSubcommand({"malloc-stats", 2, 0, {}, CmdMemoryMallocStats, "server"});
  memory->AddSubcommand({"purge", 2, 0, {}, CmdMemoryPurge, "server"});
  memory->AddSubcommand({"stats", 2, 0, {}, CmdMemoryStats, "server"});
  memory->AddSubcommand({"usage", -3, kReadOnly, {2, 2, 1}, CmdMemoryUsage, "server"});
  memory->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdMemoryHelp, "server"});
}

}  // namespace baozi
