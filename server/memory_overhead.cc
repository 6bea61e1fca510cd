#include "server/memory_overhead.h"

#include <unistd.h>

#include <cstdio>

#include "server/allocator.h"
#include "server/aof.h"
#include "server/scripting/functions.h"
#include "server/scripting/scripting.h"
#include "server/server.h"
#include "storage/alloc_size.h"

namespace baozi {
namespace {

// Subscription sets: bucket arrays, a node per name, names too long for the inline buffer.
size_t SubscriptionMemory(const ClientPubSub& ps) {
  size_t mem = sizeof(ClientPubSub);
  for (const auto* set : {&ps.channels, &ps.patterns, &ps.shard_channels}) {
    mem += set->bucket_count() * sizeof(void*);
    for (const std::string& name : *set) {
      mem += sizeof(std::string) + 2 * sizeof(void*);
      if (name.capacity() > 15) mem += name.capacity() + 1;
    }
  }
  return mem;
}

// Queued MULTI commands: argument bytes plus a pointer per argument (Redis's argv_len_sums).
size_t MultiMemory(const Client& c) {
  if (!c.multi) return 0;
  size_t mem = sizeof(MultiState) + c.multi->commands.capacity() * sizeof(QueuedCommand);
  for (const QueuedCommand& q : c.multi->commands) {
    for (const std::string& a : q.argv) mem += a.size() + sizeof(void*);
  }
  return mem;
}

float Ratio(size_t a, size_t b) { return static_cast<float>(a) / static_cast<float>(b); }
int64_t Diff(size_t a, size_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); }

}  // namespace

size_t ProcessRss() {
  long pages = 0, rss_pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &rss_pages) != 2) rss_pages = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(rss_pages) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t ClientMemoryUsage(const Client& c) {
  size_t mem = sizeof(Client) + c.qbuf + c.qbuf_free + c.argv_mem + c.out().capacity() +
               c.pending_push.capacity() + c.pending_write_capacity + c.shared_bytes +
               c.watched.capacity() * sizeof(WatchedKey) + MultiMemory(c);
  if (c.pubsub) mem += SubscriptionMemory(*c.pubsub);
  return mem;
}

MemoryOverhead GetMemoryOverhead(Server& server) {
  MemoryOverhead mh;
  const size_t used = server.UsedMemory();
  mh.total_allocated = used;
  mh.startup_allocated = server.startup_memory();
  mh.peak_allocated = server.peak_memory();

  mh.process_rss = ProcessRss();
  if (alloc::IsJemalloc()) {
    const alloc::Stats st = alloc::ReadStats();
    mh.allocator_allocated = st.allocated;
    mh.allocator_active = st.active;
    mh.allocator_resident = st.resident;
  } else {
    // Redis's stand-ins when the allocator reports nothing: the process RSS as resident (no
    // scripting memory to take off here), resident as active, used memory as allocated.
    mh.allocator_resident = mh.process_rss;
    mh.allocator_active = mh.allocator_resident;
    mh.allocator_allocated = used;
  }
  mh.total_frag = Ratio(mh.process_rss, used);
  mh.total_frag_bytes = Diff(mh.process_rss, used);
  mh.allocator_frag = Ratio(mh.allocator_active, mh.allocator_allocated);
  mh.allocator_frag_bytes = Diff(mh.allocator_active, mh.allocator_allocated);
  mh.allocator_rss = Ratio(mh.allocator_resident, mh.allocator_active);
  mh.allocator_rss_bytes = Diff(mh.allocator_resident, mh.allocator_active);
  mh.rss_extra = Ratio(mh.process_rss, mh.allocator_resident);
  mh.rss_extra_bytes = Diff(mh.process_rss, mh.allocator_resident);

  size_t total = mh.startup_allocated;
  // O(clients), like CLIENT LIST; Redis keeps this sum incrementally.
  for (const auto& [id, c] : server.clients()) mh.clients_normal += ClientMemoryUsage(*c);
  total += mh.clients_normal;
  // The AOF's pending buffer (Redis: aof_buf plus the rewrite buffer, gone in 7.0).
  mh.aof_buffer = server.aof().buffer_bytes();
  total += mh.aof_buffer;
  // EVAL's script cache (Redis evalScriptsMemory); the interpreter itself is not counted.
  mh.lua_caches = server.scripting().scripts_memory();
  total += mh.lua_caches;
  mh.functions_caches = server.scripting().functions().MemoryOverhead();
  total += mh.functions_caches;

  // Per key, the entry's fixed part (chain link, value header, TTL handle, key length) is
  // overhead and the key's bytes are data, as Redis counts dictEntry and robj but not the sds.
  const size_t entry_header = Dict<DbEntry>::EntryHeaderBytes();
  Keyspace& ks = server.keyspace();
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    MemoryOverhead::Db d;
    d.dbid = i;
    d.overhead_ht_main = db.size() * entry_header + AllocSize(db.bucket_count() * sizeof(void*));
    d.overhead_ht_expires = db.ExpiryMemoryUsage();
    total += d.overhead_ht_main + d.overhead_ht_expires;
    mh.total_keys += db.size();
    mh.db.push_back(d);
  }

  mh.overhead_total = total;
  mh.dataset = used > total ? used - total : 0;
  mh.peak_perc = mh.peak_allocated ? static_cast<float>(used) * 100 / mh.peak_allocated : 0;
  const size_t net = used > mh.startup_allocated ? used - mh.startup_allocated : 1;
  mh.dataset_perc = static_cast<float>(mh.dataset) * 100 / net;
  mh.bytes_per_key = mh.total_keys ? net / mh.total_keys : 0;
  return mh;
}

}  // namespace baozi
