#include "server/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <set>

#include "server/allocator.h"
#include "server/aof.h"
#include "server/command.h"
#include "server/commands/common.h"
#include "server/memory_overhead.h"
#include "server/scripting/functions.h"
#include "server/scripting/scripting.h"
#include "server/server.h"
#include "server/snapshot.h"
#include "server/version.h"

namespace baozi {
namespace {

void Field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out += ':';
  out.append(value);
  out += "\r\n";
}
void Field(std::string& out, std::string_view name, int64_t value) {
  Field(out, name, std::to_string(value));
}
void FieldU(std::string& out, std::string_view name, uint64_t value) {
  Field(out, name, std::to_string(value));
}
void FieldF(std::string& out, std::string_view name, double value, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  Field(out, name, buf);
}

size_t TotalSystemMemory() {
  return static_cast<size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::string ExecutablePath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

void ServerSection(Server& s, std::string& out) {
  struct utsname u;
  uname(&u);
  int64_t now_ms = s.clock().NowMs();
  int64_t uptime = (now_ms - s.start_time_ms()) / 1000;
  out += "# Server\r\n";
  Field(out, "redis_version", kRedisVersion);
  Field(out, "redis_git_sha1", "00000000");
  Field(out, "redis_git_dirty", "0");
  Field(out, "redis_build_id", "0000000000000000");
  Field(out, "redis_mode", "standalone");
  Field(out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  Field(out, "arch_bits", 64);
  Field(out, "monotonic_clock", "POSIX clock_gettime");
  Field(out, "multiplexing_api", "epoll");
  Field(out, "atomicvar_api", "c11-builtin");
  Field(out, "gcc_version",
        std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
            std::to_string(__GNUC_PATCHLEVEL__));
  Field(out, "process_id", static_cast<int64_t>(getpid()));
  Field(out, "process_supervised", "no");
  Field(out, "run_id", s.run_id());
  Field(out, "tcp_port", s.config().port);
  Field(out, "server_time_usec", s.clock().NowUs());
  Field(out, "uptime_in_seconds", uptime);
  Field(out, "uptime_in_days", uptime / 86400);
  Field(out, "hz", s.config().hz);
  Field(out, "configured_hz", s.config().hz);
  Field(out, "lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
  Field(out, "executable", ExecutablePath());
  Field(out, "config_file", s.config_table().config_file());
  Field(out, "io_threads_active", 0);
  Field(out, "baozi_version", kBaoziVersion);
}

void ClientsSection(Server& s, std::string& out) {
  // Redis's getExpansiveClientsInfo: the biggest query buffer (allocation plus argument bytes)
  // and unsent output any client had in the last 8 seconds, sampled by the clients cron.
  size_t max_in = 0, max_out = 0;
  const ServerStats& st = s.stats();
  for (int i = 0; i < ServerStats::kClientPeakSlots; ++i) {
    max_in = std::max(max_in, st.client_peak_input[i]);
    max_out = std::max(max_out, st.client_peak_output[i]);
  }
  out += "# Clients\r\n";
  FieldU(out, "connected_clients", s.client_count());
  Field(out, "cluster_connections", 0);
  FieldU(out, "maxclients", s.config().maxclients);
  FieldU(out, "client_recent_max_input_buffer", max_in);
  FieldU(out, "client_recent_max_output_buffer", max_out);
  Field(out, "blocked_clients", s.blocking().blocked_clients());
  FieldU(out, "tracking_clients", s.tracking().clients());
  Field(out, "clients_in_timeout_table", s.blocking().clients_with_timeout());
  FieldU(out, "paused_clients", s.paused_clients().size());
}

// Redis 7.0's "%.2f%%" fields.
void FieldPercent(std::string& out, std::string_view name, double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f%%", value);
  Field(out, name, buf);
}

// Redis 7.0.15's INFO memory, field for field. Replication does not exist here: its fields
// report the 0 that is true for baozi.
void MemorySection(Server& s, std::string& out) {
  const MemoryOverhead mh = GetMemoryOverhead(s);
  const size_t used = mh.total_allocated;
  // The peak is sampled by the cron and after start-up; like Redis, raise it here when the
  // current figure is above it (the percentage above still compares with the recorded peak).
  s.UpdatePeakMemory();
  const size_t peak = std::max(s.peak_memory(), used);
  const size_t system = TotalSystemMemory();
  std::string_view policy_name[] = {"maxmemory-policy"};
  auto policy = s.config_table().Get(policy_name);
  out += "# Memory\r\n";
  FieldU(out, "used_memory", used);
  Field(out, "used_memory_human", BytesToHuman(used));
  FieldU(out, "used_memory_rss", mh.process_rss);
  Field(out, "used_memory_rss_human", BytesToHuman(mh.process_rss));
  FieldU(out, "used_memory_peak", peak);
  Field(out, "used_memory_peak_human", BytesToHuman(peak));
  FieldPercent(out, "used_memory_peak_perc", mh.peak_perc);
  FieldU(out, "used_memory_overhead", mh.overhead_total);
  FieldU(out, "used_memory_startup", mh.startup_allocated);
  FieldU(out, "used_memory_dataset", mh.dataset);
  FieldPercent(out, "used_memory_dataset_perc", mh.dataset_perc);
  FieldU(out, "allocator_allocated", mh.allocator_allocated);
  FieldU(out, "allocator_active", mh.allocator_active);
  FieldU(out, "allocator_resident", mh.allocator_resident);
  FieldU(out, "total_system_memory", system);
  Field(out, "total_system_memory_human", BytesToHuman(system));
  const size_t vm_eval = s.scripting().EvalVmMemory();
  FieldU(out, "used_memory_lua", vm_eval);
  FieldU(out, "used_memory_vm_eval", vm_eval);
  Field(out, "used_memory_lua_human", BytesToHuman(vm_eval));
  FieldU(out, "used_memory_scripts_eval", mh.lua_caches);
  FieldU(out, "number_of_cached_scripts", s.scripting().cached_scripts());
  const FunctionRegistry& fns = s.scripting().functions();
  FieldU(out, "number_of_functions", fns.libraries().function_count());
  FieldU(out, "number_of_libraries", fns.libraries().library_count());
  const size_t vm_functions = fns.VmMemory();
  FieldU(out, "used_memory_vm_functions", vm_functions);
  FieldU(out, "used_memory_vm_total", vm_eval + vm_functions);
  Field(out, "used_memory_vm_total_human", BytesToHuman(vm_eval + vm_functions));
  const size_t functions_caches = fns.MemoryOverhead();
  FieldU(out, "used_memory_functions", functions_caches);
  FieldU(out, "used_memory_scripts", mh.lua_caches + functions_caches);
  Field(out, "used_memory_scripts_human", BytesToHuman(mh.lua_caches + functions_caches));
  FieldU(out, "maxmemory", s.config().maxmemory);
  Field(out, "maxmemory_human", BytesToHuman(s.config().maxmemory));
  Field(out, "maxmemory_policy", policy.empty() ? "noeviction" : policy[0].second);
  FieldF(out, "allocator_frag_ratio", mh.allocator_frag);
  // Redis prints this one unsigned and the other byte differences signed.
  FieldU(out, "allocator_frag_bytes", static_cast<uint64_t>(mh.allocator_frag_bytes));
  FieldF(out, "allocator_rss_ratio", mh.allocator_rss);
  Field(out, "allocator_rss_bytes", mh.allocator_rss_bytes);
  FieldF(out, "rss_overhead_ratio", mh.rss_extra);
  Field(out, "rss_overhead_bytes", mh.rss_extra_bytes);
  FieldF(out, "mem_fragmentation_ratio", mh.total_frag);
  Field(out, "mem_fragmentation_bytes", mh.total_frag_bytes);
  Field(out, "mem_not_counted_for_evict", 0);
  FieldU(out, "mem_replication_backlog", mh.repl_backlog);
  Field(out, "mem_total_replication_buffers", 0);
  FieldU(out, "mem_clients_slaves", mh.clients_slaves);
  FieldU(out, "mem_clients_normal", mh.clients_normal);
  FieldU(out, "mem_cluster_links", mh.cluster_links);
  FieldU(out, "mem_aof_buffer", mh.aof_buffer);
  Field(out, "mem_allocator", alloc::Name());
  Field(out, "active_defrag_running", 0);
  Field(out, "lazyfree_pending_objects", 0);
  Field(out, "lazyfreed_objects", 0);
}

// Redis 7.0.15's INFO persistence, field for field. Loading is synchronous (before the first
// client at start-up, inside the command for DEBUG RELOAD), so INFO never sees it in progress.
// A saving child reports its progress about once a second, as Redis's does.
void PersistenceSection(Server& s, std::string& out) {
  const Snapshot::Info si = s.snapshot().info();
  out += "# Persistence\r\n";
  Field(out, "loading", 0);
  Field(out, "async_loading", 0);
  FieldU(out, "current_cow_peak", si.current_cow_peak);
  FieldU(out, "current_cow_size", si.current_cow_size);
  Field(out, "current_cow_size_age", si.current_cow_size_age);
  FieldF(out, "current_fork_perc",
         si.current_save_keys_total == 0
             ? 0.0
             : static_cast<double>(si.current_save_keys_processed) /
                   static_cast<double>(si.current_save_keys_total) * 100);
  FieldU(out, "current_save_keys_processed", si.current_save_keys_processed);
  FieldU(out, "current_save_keys_total", si.current_save_keys_total);
  FieldU(out, "rdb_changes_since_last_save", s.keyspace().stats().dirty);
  Field(out, "rdb_bgsave_in_progress", si.bgsave_in_progress ? 1 : 0);
  Field(out, "rdb_last_save_time", s.lastsave_s());
  Field(out, "rdb_last_bgsave_status", si.last_bgsave_ok ? "ok" : "err");
  Field(out, "rdb_last_bgsave_time_sec", si.last_bgsave_time_sec);
  Field(out, "rdb_current_bgsave_time_sec", si.current_bgsave_time_sec);
  FieldU(out, "rdb_saves", si.rdb_saves);
  FieldU(out, "rdb_last_cow_size", si.last_cow_size);
  FieldU(out, "rdb_last_load_keys_expired", si.keys_expired);
  FieldU(out, "rdb_last_load_keys_loaded", si.keys_loaded);
  const AofWriter::Info ai = s.aof().info();
  Field(out, "aof_enabled", ai.enabled ? 1 : 0);
  Field(out, "aof_rewrite_in_progress", ai.rewrite_in_progress ? 1 : 0);
  Field(out, "aof_rewrite_scheduled", ai.rewrite_scheduled ? 1 : 0);
  Field(out, "aof_last_rewrite_time_sec", ai.last_rewrite_time_sec);
  Field(out, "aof_current_rewrite_time_sec", ai.current_rewrite_time_sec);
  Field(out, "aof_last_bgrewrite_status", ai.last_bgrewrite_ok ? "ok" : "err");
  FieldU(out, "aof_rewrites", ai.rewrites);
  FieldU(out, "aof_rewrites_consecutive_failures", ai.consecutive_failures);
  Field(out, "aof_last_write_status", ai.last_write_ok ? "ok" : "err");
  FieldU(out, "aof_last_cow_size", ai.last_cow_size);
  Field(out, "module_fork_in_progress", 0);
  Field(out, "module_fork_last_cow_size", 0);
  // Redis prints these while `appendonly` is set (even before the first rewrite finished).
  if (s.config().appendonly) {
    Field(out, "aof_current_size", ai.current_size);
    Field(out, "aof_base_size", ai.base_size);
    Field(out, "aof_pending_rewrite", ai.rewrite_scheduled ? 1 : 0);
    FieldU(out, "aof_buffer_length", ai.buffer_length);
    FieldU(out, "aof_pending_bio_fsync", ai.pending_bio_fsync);
    FieldU(out, "aof_delayed_fsync", ai.delayed_fsync);
  }
}

void StatsSection(Server& s, std::string& out) {
  const ServerStats& st = s.stats();
  const KeyspaceStats& ks = s.keyspace().stats();
  out += "# Stats\r\n";
  FieldU(out, "total_connections_received", st.total_connections_received);
  FieldU(out, "total_commands_processed", st.total_commands_processed);
  FieldU(out, "instantaneous_ops_per_sec", InstantaneousMetric(st.ops));
  FieldU(out, "total_net_input_bytes", st.total_net_input_bytes);
  FieldU(out, "total_net_output_bytes", st.total_net_output_bytes);
  // Replication, active defrag, io threads and MIGRATE do not exist in
  // baozi: their counters are the 0 that is true of it, in Redis 7.0.15's places (monitoring,
  // redis_exporter's metrics among them, reads them by name).
  Field(out, "total_net_repl_input_bytes", 0);
  Field(out, "total_net_repl_output_bytes", 0);
  FieldF(out, "instantaneous_input_kbps", InstantaneousMetric(st.net_input) / 1024.0);
  FieldF(out, "instantaneous_output_kbps", InstantaneousMetric(st.net_output) / 1024.0);
  FieldF(out, "instantaneous_input_repl_kbps", 0);
  FieldF(out, "instantaneous_output_repl_kbps", 0);
  FieldU(out, "rejected_connections", st.rejected_connections);
  Field(out, "sync_full", 0);
  Field(out, "sync_partial_ok", 0);
  Field(out, "sync_partial_err", 0);
  FieldU(out, "expired_keys", ks.expired_keys);
  FieldF(out, "expired_stale_perc", s.expire_stats().stale_perc * 100);
  FieldU(out, "expired_time_cap_reached_count", s.expire_stats().time_cap_reached_count);
  FieldU(out, "expire_cycle_cpu_milliseconds", s.expire_stats().cpu_us / 1000);
  FieldU(out, "evicted_keys", st.evicted_keys);
  FieldU(out, "evicted_clients", 0);
  // Redis reports milliseconds; the total includes the stretch still running.
  const int64_t since_us = st.eviction_exceeded_since_us;
  const uint64_t exceeded_us =
      since_us == 0 ? 0 : static_cast<uint64_t>(std::max<int64_t>(s.clock().NowUs() - since_us, 0));
  FieldU(out, "total_eviction_exceeded_time", (st.total_eviction_exceeded_us + exceeded_us) / 1000);
  FieldU(out, "current_eviction_exceeded_time", exceeded_us / 1000);
  FieldU(out, "keyspace_hits", ks.keyspace_hits);
  FieldU(out, "keyspace_misses", ks.keyspace_misses);
  FieldU(out, "pubsub_channels", s.pubsub().Count(PubSub::kChannel));
  FieldU(out, "pubsub_patterns", s.pubsub().Count(PubSub::kPattern));
  FieldU(out, "pubsubshard_channels", s.pubsub().Count(PubSub::kShard));
  Field(out, "latest_fork_usec", s.stats().latest_fork_usec);
  FieldU(out, "total_forks", s.stats().total_forks);
  for (const char* zero :
       {"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
        "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
        "total_active_defrag_time", "current_active_defrag_time"}) {
    Field(out, zero, 0);
  }
  FieldU(out, "tracking_total_keys", s.tracking().total_keys());
  FieldU(out, "tracking_total_items", s.tracking().total_items());
  FieldU(out, "tracking_total_prefixes", s.tracking().total_prefixes());
  FieldU(out, "unexpected_error_replies", st.unexpected_error_replies);
  FieldU(out, "total_error_replies", st.total_error_replies);
  // RESTORE payloads are always checked whole before use; there is no separate deep
  // sanitization pass (sanitize-dump-payload) to count.
  Field(out, "dump_payload_sanitizations", 0);
  FieldU(out, "total_reads_processed", st.total_reads_processed);
  FieldU(out, "total_writes_processed", st.total_writes_processed);
  Field(out, "io_threaded_reads_processed", 0);
  Field(out, "io_threaded_writes_processed", 0);
  // Redis resizes each client's fixed reply buffer from its cron; baozi's output buffer has no
  // such fixed part, so nothing is ever shrunk or expanded that way.
  Field(out, "reply_buffer_shrinks", 0);
  Field(out, "reply_buffer_expands", 0);
  FieldU(out, "client_query_buffer_limit_disconnections",
         st.client_query_buffer_limit_disconnections);
}

void ReplicationSection(Server& s, std::string& out) {
  out += "# Replication\r\n";
  Field(out, "role", "master");
  Field(out, "connected_slaves", 0);
  Field(out, "master_failover_state", "no-failover");
  Field(out, "master_replid", s.run_id());
  Field(out, "master_replid2", std::string(40, '0'));
  Field(out, "master_repl_offset", 0);
  Field(out, "second_repl_offset", -1);
  Field(out, "repl_backlog_active", 0);
  Field(out, "repl_backlog_size", 1048576);
  Field(out, "repl_backlog_first_byte_offset", 0);
  Field(out, "repl_backlog_histlen", 0);
}

double TimevalSeconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

void CpuSection(Server&, std::string& out) {
  rusage self{}, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  out += "# CPU\r\n";
  FieldF(out, "used_cpu_sys", TimevalSeconds(self.ru_stime), 6);
  FieldF(out, "used_cpu_user", TimevalSeconds(self.ru_utime), 6);
  FieldF(out, "used_cpu_sys_children", TimevalSeconds(children.ru_stime), 6);
  FieldF(out, "used_cpu_user_children", TimevalSeconds(children.ru_utime), 6);
  FieldF(out, "used_cpu_sys_main_thread", TimevalSeconds(thread.ru_stime), 6);
  FieldF(out, "used_cpu_user_main_thread", TimevalSeconds(thread.ru_utime), 6);
}

void ModulesSection(Server&, std::string& out) { out += "# Modules\r\n"; }

void ErrorstatsSection(Server& s, std::string& out) {
  out += "# Errorstats\r\n";
  for (auto& [code, count] : s.stats().error_codes) {
    Field(out, "errorstat_" + code, "count=" + std::to_string(count));
  }
}

// One line per command with a latency histogram: the configured percentiles, in
// microseconds with three decimals (the histogram counts nanoseconds).
void LatencystatsSection(Server& s, std::string& out) {
  out += "# Latencystats\r\n";
  if (!s.config().latency_tracking) return;
  const std::vector<double>& percentiles = s.config().latency_tracking_info_percentiles;
  s.registry().ForEachIncludingSubcommands([&](const Command& c) {
    const LatencyHistogram* h = c.latency_histogram();
    if (h == nullptr) return;
    out += "latency_percentiles_usec_";
    out += c.full_name();
    out += ':';
    for (size_t j = 0; j < percentiles.size(); ++j) {
      if (j > 0) out += ',';
      char buf[64];
      std::snprintf(buf, sizeof(buf), "=%.3f",
                    static_cast<double>(h->ValueAtPercentile(percentiles[j])) / 1000.0);
      out += 'p';
      out += FormatPercentile(percentiles[j]);
      out += buf;
    }
    out += "\r\n";
  });
}

void ClusterSection(Server&, std::string& out) {
  out += "# Cluster\r\n";
  Field(out, "cluster_enabled", 0);
}

void KeyspaceSection(Server& s, std::string& out) {
  out += "# Keyspace\r\n";
  Keyspace& ks = s.keyspace();
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    char buf[128];
    std::snprintf(buf, sizeof(buf), "keys=%zu,expires=%zu,avg_ttl=%" PRId64, db.size(),
                  db.expires_count(), db.AvgTtl(s.clock().NowMs()));
    Field(out, "db" + std::to_string(i), buf);
  }
}

void CommandstatsSection(Server& s, std::string& out) {
  out += "# Commandstats\r\n";
  s.registry().ForEachIncludingSubcommands([&](const Command& c) {
    const CommandStats& st = c.stats();
    if (st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0) return;
    std::string name = c.full_name();
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
                  ",failed_calls=%" PRIu64,
                  st.calls, st.usec, st.calls ? static_cast<double>(st.usec) / st.calls : 0.0,
                  st.rejected_calls, st.failed_calls);
    Field(out, "cmdstat_" + name, buf);
  });
}

struct Section {
  std::string_view name;
  void (*fn)(Server&, std::string&);
  bool in_default;
};

constexpr Section kSections[] = {
    {"server", ServerSection, true},
    {"clients", ClientsSection, true},
    {"memory", MemorySection, true},
    {"persistence", PersistenceSection, true},
    {"stats", StatsSection, true},
    {"replication", ReplicationSection, true},
    {"cpu", CpuSection, true},
    {"modules", ModulesSection, true},
    {"commandstats", CommandstatsSection, false},
    {"errorstats", ErrorstatsSection, true},
    {"latencystats", LatencystatsSection, false},
    {"cluster", ClusterSection, true},
    {"keyspace", KeyspaceSection, true},
};

}  // namespace

std::string BytesToHuman(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  } else if (n < 1024ULL * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024ULL * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024.0 * 1024));
  } else if (n < 1024ULL * 1024 * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  } else if (n < 1024ULL * 1024 * 1024 * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fP", d / (1024.0 * 1024 * 1024 * 1024 * 1024));
  }
  return buf;
}

std::string GenerateInfo(Server& server, std::span<const std::string_view> args) {
  std::set<std::string, std::less<>> wanted;
  bool all = false, defaults = args.empty();
  for (std::string_view a : args) {
    const std::string lower = Lowercase(a);
    if (lower == "all" || lower == "everything") {
      all = true;
    } else if (lower == "default") {
      defaults = true;
    } else {
      wanted.insert(lower);
    }
  }
  std::string out;
  for (const Section& sec : kSections) {
    bool include = all || (defaults && sec.in_default) || wanted.count(sec.name) > 0;
    if (!include) continue;
    if (!out.empty()) out += "\r\n";
    sec.fn(server, out);
  }
  return out;
}

}  // namespace baozi
