#include "server/latency.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "server/server.h"

namespace baozi {
namespace {

// HdrHistogram_c's configuration for (1, 1e9, 2): 2 * 10^2 = 200 values need single-unit
// resolution, so sub-buckets come 256 to a bucket (half of them, 128, per power of two once
// past the first bucket), unit magnitude log2(1) = 0, and 23 buckets reach 1e9.
constexpr int32_t kSubBucketHalfCountMagnitude = 7;
constexpr int32_t kSubBucketCount = 256;
constexpr int32_t kSubBucketHalfCount = 128;
constexpr int64_t kSubBucketMask = kSubBucketCount - 1;
constexpr int32_t kBucketCount = 23;
constexpr int32_t kCountsLen = (kBucketCount + 1) * kSubBucketHalfCount;

int32_t SubBucketIndex(int64_t value, int32_t bucket_index) {
  return static_cast<int32_t>(value >> bucket_index);
}

int64_t SizeOfEquivalentRange(int32_t bucket_index, int32_t sub_bucket_index) {
  int32_t adjusted = sub_bucket_index >= kSubBucketCount ? bucket_index + 1 : bucket_index;
  return int64_t{1} << adjusted;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kCountsLen, 0) {}

int32_t LatencyHistogram::BucketIndex(int64_t value) const {
  int32_t pow2ceiling = 64 - __builtin_clzll(static_cast<uint64_t>(value | kSubBucketMask));
  return pow2ceiling - (kSubBucketHalfCountMagnitude + 1);
}

int32_t LatencyHistogram::CountsIndexFor(int64_t value) const {
  int32_t bucket = BucketIndex(value);
  int32_t sub = SubBucketIndex(value, bucket);
  return ((bucket + 1) << kSubBucketHalfCountMagnitude) + (sub - kSubBucketHalfCount);
}

int64_t LatencyHistogram::ValueAtIndex(int32_t index) const {
  int32_t bucket = (index >> kSubBucketHalfCountMagnitude) - 1;
  int32_t sub = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub -= kSubBucketHalfCount;
    bucket = 0;
  }
  return static_cast<int64_t>(sub) << bucket;
}

int64_t LatencyHistogram::LowestEquivalent(int64_t value) const {
  int32_t bucket = BucketIndex(value);
  return static_cast<int64_t>(SubBucketIndex(value, bucket)) << bucket;
}

int64_t LatencyHistogram::HighestEquivalent(int64_t value) const {
  int32_t bucket = BucketIndex(value);
  int32_t sub = SubBucketIndex(value, bucket);
  return LowestEquivalent(value) + SizeOfEquivalentRange(bucket, sub) - 1;
}

void LatencyHistogram::Record(int64_t value_ns) {
  value_ns = std::clamp(value_ns, kMinValue, kMaxValue);
  int32_t index = CountsIndexFor(value_ns);
  if (index < 0 || index >= kCountsLen) return;
  counts_[index]++;
  total_count_++;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  double requested = percentile < 100.0 ? percentile : 100.0;
  auto wanted = static_cast<int64_t>((requested / 100) * static_cast<double>(total_count_) + 0.5);
  wanted = std::min(std::max<int64_t>(wanted, 1), total_count_);
  int64_t seen = 0;
  int64_t value = 0;
  for (int32_t i = 0; i < kCountsLen && seen < wanted; ++i) {
    seen += counts_[i];
    value = ValueAtIndex(i);
  }
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

std::vector<LatencyHistogram::LogBucket> LatencyHistogram::LogBuckets(int64_t first_bucket,
                                                                      double base) const {
  // The state of an hdr_iter driven by log_iter_next.
  int32_t index = -1;
  int64_t cumulative = 0;
  int64_t value = 0;
  int64_t highest = 0;
  int64_t level = first_bucket;
  int64_t level_lowest = LowestEquivalent(level);
  auto move_next = [&]() {
    ++index;
    if (index >= kCountsLen) return false;
    cumulative += counts_[index];
    value = ValueAtIndex(index);
    highest = HighestEquivalent(value);
    return true;
  };
  std::vector<LogBucket> out;
  while (true) {
    bool more =
        cumulative < total_count_ || (index < kCountsLen && ValueAtIndex(index + 1) > level_lowest);
    if (!more) break;
    while (true) {
      if (value >= level_lowest) {
        level = static_cast<int64_t>(static_cast<double>(level) * base);
        level_lowest = LowestEquivalent(level);
        break;
      }
      if (!move_next()) break;
    }
    out.push_back({highest, cumulative});
    if (index >= kCountsLen) break;
  }
  return out;
}

void LatencyMonitor::AddSample(std::string_view event, uint32_t latency_ms, int64_t now_s) {
  LatencyEvent* e = nullptr;
  for (auto& ev : events_) {
    if (ev->name == event) {
      e = ev.get();
      break;
    }
  }
  if (e == nullptr) {
    events_.push_back(std::make_unique<LatencyEvent>());
    e = events_.back().get();
    e->name = std::string(event);
  }
  LatencyTimeSeries& ts = e->ts;
  if (latency_ms > ts.max) ts.max = latency_ms;
  // One sample per second: a later report in the same second can only raise it.
  LatencySample& prev =
      ts.samples[(ts.idx + LatencyTimeSeries::kLen - 1) % LatencyTimeSeries::kLen];
  if (prev.time == now_s) {
    prev.latency = std::max(prev.latency, latency_ms);
    return;
  }
  ts.samples[ts.idx] = {now_s, latency_ms};
  ts.idx = (ts.idx + 1) % LatencyTimeSeries::kLen;
}

int LatencyMonitor::Reset(std::string_view event) {
  auto same = [event](const std::unique_ptr<LatencyEvent>& e) {
    return e->name.size() == event.size() &&
           strncasecmp(e->name.data(), event.data(), event.size()) == 0;
  };
  auto n = std::erase_if(events_, same);
  return static_cast<int>(n);
}

int LatencyMonitor::ResetAll() {
  int n = static_cast<int>(events_.size());
  events_.clear();
  return n;
}

const LatencyEvent* LatencyMonitor::Find(std::string_view event) const {
  for (const auto& e : events_) {
    if (e->name == event) return e.get();
  }
  return nullptr;
}

void LatencyAddSampleIfNeeded(Server& server, std::string_view event, int64_t latency_ms) {
  int64_t threshold = server.config().latency_monitor_threshold;
  if (threshold == 0 || latency_ms < threshold) return;
  server.latency().AddSample(event, static_cast<uint32_t>(latency_ms),
                             server.clock().NowMs() / 1000);
}

std::string FormatPercentile(double p) {
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "%f", p);
  std::string s(buf, n);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

namespace {

// Redis's sparkline renderer (sparkline.c) with the options LATENCY GRAPH uses: filled
// characters, linear scale, `rows` rows of three levels each, then the labels written
// vertically one character per row below a blank spacing row.
struct SparkSample {
  double value;
  std::string label;
};

void RenderSparkRange(std::string& out, const std::vector<SparkSample>& seq, double min, double max,
                      int rows, size_t offset, size_t len) {
  static constexpr char kFill[] = "_o#";
  constexpr int kCharsetLen = 3;
  constexpr int kLabelMarginTop = 1;
  double relmax = max - min;
  if (relmax == 0) relmax = 1;
  const int steps = kCharsetLen * rows;
  bool has_labels = false;
  for (const auto& s : seq) has_labels |= !s.label.empty();
  std::string chars(len, ' ');
  int row = 0;
  bool loop = true;
  while (loop) {
    loop = false;
    std::fill(chars.begin(), chars.end(), ' ');
    for (size_t j = 0; j < len; ++j) {
      const SparkSample& s = seq[j + offset];
      double relval = s.value - min;
      int step = static_cast<int>(static_cast<int>(relval * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < rows) {
        int charidx = step - ((rows - row - 1) * kCharsetLen);
        loop = true;
        if (charidx >= 0 && charidx < kCharsetLen) {
          chars[j] = kFill[charidx];
        } else if (charidx >= kCharsetLen) {
          chars[j] = '|';
        }
      } else {
        if (has_labels && row - rows < kLabelMarginTop) {
          loop = true;
          break;
        }
        if (!s.label.empty()) {
          int label_char = row - rows - kLabelMarginTop;
          if (static_cast<int>(s.label.size()) > label_char) {
            loop = true;
            chars[j] = s.label[label_char];
          }
        }
      }
    }
    if (loop) {
      row++;
      out += chars;
      out += '\n';
    }
  }
}

int64_t AnonHugePagesBytes() {
  std::ifstream in("/proc/self/smaps");
  std::string line;
  int64_t total = 0;
  constexpr std::string_view kField = "AnonHugePages:";
  while (std::getline(in, line)) {
    if (line.compare(0, kField.size(), kField) == 0) {
      total += std::strtoll(line.c_str() + kField.size(), nullptr, 10) * 1024;
    }
  }
  return total;
}

struct EventStats {
  uint32_t all_time_high = 0;
  uint64_t avg = 0;
  uint64_t mad = 0;
  int samples = 0;
  int64_t period = 0;
};

EventStats Analyze(const LatencyTimeSeries& ts, int64_t now_s) {
  EventStats ls;
  ls.all_time_high = ts.max;
  uint64_t sum = 0;
  uint32_t min = 0, max = 0;
  for (const LatencySample& s : ts.samples) {
    if (s.time == 0) continue;
    ls.samples++;
    if (ls.samples == 1) {
      min = max = s.latency;
    } else {
      min = std::min(min, s.latency);
      max = std::max(max, s.latency);
    }
    sum += s.latency;
    if (ls.period == 0 || s.time < ls.period) ls.period = s.time;
  }
  if (ls.samples != 0) {
    ls.avg = sum / ls.samples;
    ls.period = now_s - ls.period;
    if (ls.period == 0) ls.period = 1;
  }
  sum = 0;
  for (const LatencySample& s : ts.samples) {
    if (s.time == 0) continue;
    int64_t delta = static_cast<int64_t>(ls.avg) - s.latency;
    sum += static_cast<uint64_t>(delta < 0 ? -delta : delta);
  }
  if (ls.samples != 0) ls.mad = sum / ls.samples;
  return ls;
}

bool SameEvent(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string LatencyGraph(const LatencyEvent& event, int64_t now_s) {
  constexpr size_t kCols = 80;
  const LatencyTimeSeries& ts = event.ts;
  std::vector<SparkSample> seq;
  uint32_t min = 0, max = 0;
  double seq_min = 0, seq_max = 0;
  for (int j = 0; j < LatencyTimeSeries::kLen; ++j) {
    const LatencySample& s = ts.samples[(ts.idx + j) % LatencyTimeSeries::kLen];
    if (s.time == 0) continue;
    if (seq.empty()) {
      min = max = s.latency;
    } else {
      max = std::max(max, s.latency);
      min = std::min(min, s.latency);
    }
    auto elapsed = static_cast<int>(now_s - s.time);
    char buf[64];
    if (elapsed < 60) {
      std::snprintf(buf, sizeof(buf), "%ds", elapsed);
    } else if (elapsed < 3600) {
      std::snprintf(buf, sizeof(buf), "%dm", elapsed / 60);
    } else if (elapsed < 3600 * 24) {
      std::snprintf(buf, sizeof(buf), "%dh", elapsed / 3600);
    } else {
      std::snprintf(buf, sizeof(buf), "%dd", elapsed / (3600 * 24));
    }
    double v = s.latency;
    if (seq.empty()) {
      seq_min = seq_max = v;
    } else if (v < seq_min) {
      seq_min = v;
    } else if (v > seq_max) {
      seq_max = v;
    }
    seq.push_back({v, buf});
  }
  char head[256];
  std::snprintf(head, sizeof(head), "%s - high %lu ms, low %lu ms (all time high %lu ms)\n",
                event.name.c_str(), static_cast<unsigned long>(max),
                static_cast<unsigned long>(min), static_cast<unsigned long>(ts.max));
  std::string out = head;
  out.append(kCols, '-');
  out += '\n';
  for (size_t j = 0; j < seq.size(); j += kCols) {
    if (j != 0) out += '\n';
    RenderSparkRange(out, seq, seq_min, seq_max, 4, j, std::min(kCols, seq.size() - j));
  }
  return out;
}

std::string LatencyDoctorReport(Server& server) {
  const Config& cfg = server.config();
  const auto& events = server.latency().events();
  if (events.empty() && cfg.latency_monitor_threshold == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  const int64_t now_s = server.clock().NowMs() / 1000;
  bool better_vm = false, slowlog_enabled = false, slowlog_tuning = false, slowlog_inspect = false,
       disk_contention = false, scheduler = false, data_writeback = false, no_appendfsync = false,
       local_disk = false, ssd = false, write_load_info = false, hz = false, large_objects = false,
       mass_eviction = false, relax_fsync_policy = false, disable_thp = false;
  int advices = 0;
  int eventnum = 0;
  std::string report;
  char buf[512];
  for (const auto& e : events) {
    const std::string& event = e->name;
    eventnum++;
    if (eventnum == 1) {
      report +=
          "Dave, I have observed latency spikes in this Redis instance. You don't mind talking "
          "about it, do you Dave?\n\n";
    }
    EventStats ls = Analyze(e->ts, now_s);
    std::snprintf(buf, sizeof(buf),
                  "%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f "
                  "sec). Worst all time event %lums.",
                  eventnum, event.c_str(), ls.samples, static_cast<unsigned long>(ls.avg),
                  static_cast<unsigned long>(ls.mad), static_cast<double>(ls.period) / ls.samples,
                  static_cast<unsigned long>(e->ts.max));
    report += buf;
    if (SameEvent(event, "fork")) {
      const ServerStats& st = server.stats();
      double rate = st.latest_fork_usec == 0
                        ? 0.0
                        : static_cast<double>(server.UsedMemory()) * 1000000 /
                              static_cast<double>(st.latest_fork_usec) / (1024 * 1024 * 1024);
      const char* quality;
      if (rate < 10) {
        quality = "terrible";
        better_vm = true;
        advices++;
      } else if (rate < 25) {
        quality = "poor";
        better_vm = true;
        advices++;
      } else if (rate < 100) {
        quality = "good";
      } else {
        quality = "excellent";
      }
      std::snprintf(buf, sizeof(buf), " Fork rate is %.2f GB/sec (%s).", rate, quality);
      report += buf;
    }
    if (SameEvent(event, "command")) {
      if (cfg.slowlog_log_slower_than < 0) {
        slowlog_enabled = true;
        advices++;
      } else if (cfg.slowlog_log_slower_than / 1000 > cfg.latency_monitor_threshold) {
        slowlog_tuning = true;
        advices++;
      }
      slowlog_inspect = true;
      large_objects = true;
      advices += 2;
    }
    if (SameEvent(event, "fast-command")) {
      scheduler = true;
      advices++;
    }
    if (SameEvent(event, "aof-write-pending-fsync")) {
      local_disk = disk_contention = ssd = data_writeback = true;
      advices += 4;
    }
    if (SameEvent(event, "aof-write-active-child")) {
      no_appendfsync = data_writeback = ssd = true;
      advices += 3;
    }
    if (SameEvent(event, "aof-write-alone")) {
      local_disk = data_writeback = ssd = true;
      advices += 3;
    }
    if (SameEvent(event, "aof-fsync-always")) {
      relax_fsync_policy = true;
      advices++;
    }
    if (SameEvent(event, "aof-fstat") || SameEvent(event, "rdb-unlink-temp-file")) {
      disk_contention = local_disk = true;
      advices += 2;
    }
    if (SameEvent(event, "aof-rewrite-diff-write") || SameEvent(event, "aof-rename")) {
      write_load_info = data_writeback = ssd = local_disk = true;
      advices += 4;
    }
    if (SameEvent(event, "expire-cycle")) {
      hz = large_objects = true;
      advices += 2;
    }
    if (SameEvent(event, "eviction-del")) {
      large_objects = true;
      advices++;
    }
    if (SameEvent(event, "eviction-cycle")) {
      mass_eviction = true;
      advices++;
    }
    report += '\n';
  }
  if (AnonHugePagesBytes() > 0) {
    disable_thp = true;
    advices++;
  }
  if (eventnum == 0 && advices == 0) {
    report +=
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, "
        "and think things over.\n";
    return report;
  }
  if (eventnum > 0 && advices == 0) {
    report +=
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please "
        "use the Redis community to get some help, providing this report in your help "
        "request.\n";
    return report;
  }
  const auto threshold_us = static_cast<unsigned long long>(cfg.latency_monitor_threshold) * 1000;
  report += "\nI have a few advices for you:\n\n";
  if (better_vm) {
    report +=
        "- If you are using a virtual machine, consider upgrading it with a faster one using a "
        "hypervisior that provides less latency during fork() calls. Xen is known to have poor "
        "fork() performance. Even in the context of the same VM provider, certain kinds of "
        "instances can execute fork faster than others.\n";
  }
  if (slowlog_enabled) {
    std::snprintf(buf, sizeof(buf),
                  "- There are latency issues with potentially slow commands you are using. Try "
                  "to enable the Slow Log Redis feature using the command 'CONFIG SET "
                  "slowlog-log-slower-than %llu'. If the Slow log is disabled Redis is not able "
                  "to log slow commands execution for you.\n",
                  threshold_us);
    report += buf;
  }
  if (slowlog_tuning) {
    std::snprintf(buf, sizeof(buf),
                  "- Your current Slow Log configuration only logs events that are slower than "
                  "your configured latency monitor threshold. Please use 'CONFIG SET "
                  "slowlog-log-slower-than %llu'.\n",
                  threshold_us);
    report += buf;
  }
  if (slowlog_inspect) {
    report +=
        "- Check your Slow Log to understand what are the commands you are running which are too "
        "slow to execute. Please check https://redis.io/commands/slowlog for more "
        "information.\n";
  }
  if (scheduler) {
    report +=
        "- The system is slow to execute Redis code paths not containing system calls. This "
        "usually means the system does not provide Redis CPU time to run for long periods. You "
        "should try to:\n"
        "  1) Lower the system load.\n"
        "  2) Use a computer / VM just for Redis if you are running other software in the same "
        "system.\n"
        "  3) Check if you have a \"noisy neighbour\" problem.\n"
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in "
        "your system.\n"
        "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if "
        "you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (local_disk) {
    report +=
        "- It is strongly advised to use local disks for persistence, especially if you are "
        "using AOF. Remote disks provided by platform-as-a-service providers are known to be "
        "slow.\n";
  }
  if (ssd) {
    report +=
        "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting "
        "and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite "
        "buffer flushes). With extremely high write load SSD disks can be a good option. "
        "However Redis should perform reasonably with high load using normal disks. Use this "
        "advice as a last resort.\n";
  }
  if (data_writeback) {
    report +=
        "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost "
        "compared to data=ordered, however this mode of operation provides less guarantees, and "
        "sometimes it can happen that after a hard crash the AOF file will have a half-written "
        "command at the end and will require to be repaired before Redis restarts.\n";
  }
  if (disk_contention) {
    report +=
        "- Try to lower the disk contention. This is often caused by other disk intensive "
        "processes running in the same computer (including other Redis instances).\n";
  }
  if (no_appendfsync) {
    report +=
        "- Assuming from the point of view of data safety this is viable in your environment, "
        "you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not "
        "be performed while there is a child rewriting the AOF file or producing an RDB file "
        "(the moment where there is high disk contention).\n";
  }
  if (relax_fsync_policy && cfg.appendfsync == AppendFsync::kAlways) {
    report +=
        "- Your fsync policy is set to 'always'. It is very hard to get good performances with "
        "such a setup, if possible try to relax the fsync policy to 'onesec'.\n";
  }
  if (write_load_info) {
    report +=
        "- Latency during the AOF atomic rename operation or when the final difference is "
        "flushed to the AOF file at the end of the rewrite, sometimes is caused by very high "
        "write load, causing the AOF buffer to get very large. If possible try to send less "
        "commands to accomplish the same work, or use Lua scripts to group multiple operations "
        "into a single EVALSHA call.\n";
  }
  if (hz && cfg.hz < 100) {
    report +=
        "- In order to make the Redis keys expiring process more incremental, try to set the "
        "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (large_objects) {
    report +=
        "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a "
        "blocking operation. If you have very large objects that are often deleted, expired, or "
        "evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (mass_eviction) {
    report +=
        "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large "
        "objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster "
        "large keys migrations (RESTORE command), may create sudden memory pressure forcing the "
        "server to block trying to evict keys. \n";
  }
  if (disable_thp) {
    report +=
        "- I detected a non zero amount of anonymous huge pages used by your process. This "
        "creates very serious latency events in different conditions, especially when Redis is "
        "persisting on disk. To disable THP support use the command 'echo never > "
        "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into "
        "/etc/rc.local so that the command will be executed again after a reboot. Note that "
        "even if you have already disabled THP, you still need to restart the Redis process to "
        "get rid of the huge pages already created.\n";
  }
  return report;
}

}  // namespace baozi
