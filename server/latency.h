// Latency monitoring, as Redis 7.0 does it: the LATENCY command family's data.
//
// Two independent things live here.
//
// 1. The latency monitor (LATENCY LATEST/HISTORY/GRAPH/DOCTOR/RESET). Code paths that may be
//    slow (a command, fork, an expire cycle, an eviction, an AOF write...) report how long they
//    took in milliseconds under an event name; a report at or above latency-monitor-threshold
//    (0 = off) is kept. Each event has a ring of 160 (time, latency) samples at one-second
//    resolution — a second report within the same second only raises that second's sample —
//    plus the all-time maximum. Events are created on their first sample.
//
// 2. Per-command latency histograms (LATENCY HISTOGRAM, INFO latencystats). Every call's
//    duration, in nanoseconds clamped to [1 ns, 1 s], goes into an HdrHistogram with Redis's
//    parameters: lowest discernible value 1, highest trackable 10^9, 2 significant figures.
//    That layout is reproduced here (Debian ships no C HdrHistogram): values below 256 are
//    exact, and above that each power-of-two range [2^k, 2^(k+1)) is cut into 128 equal
//    sub-buckets, so a value is known to within 1/128 of itself. The counts array is indexed
//    exactly as HdrHistogram_c indexes it, and the two queries Redis makes — a value at a
//    percentile, and a logarithmic walk starting at 1024 ns doubling each step — follow the
//    library's algorithms step for step, so bucket boundaries and percentiles print the same
//    numbers as Redis.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace baozi {

class Server;

// HdrHistogram_c's layout for (lowest 1, highest 1e9, 2 significant figures).
class LatencyHistogram {
 public:
  static constexpr int64_t kMinValue = 1;           // ns
  static constexpr int64_t kMaxValue = 1000000000;  // ns

  LatencyHistogram();

  // Records one value; values outside [kMinValue, kMaxValue] are clamped into it first.
  void Record(int64_t value_ns);
  int64_t total_count() const { return total_count_; }
  // hdr_value_at_percentile: the highest value equivalent to the one at `percentile` (the
  // lowest for percentile 0).
  int64_t ValueAtPercentile(double percentile) const;

  struct LogBucket {
    int64_t highest_equivalent_value;  // ns
    int64_t cumulative_count;
  };
  // hdr_iter_log_init(first_bucket, base) iteration: one entry per reporting level.
  std::vector<LogBucket> LogBuckets(int64_t first_bucket, double base) const;

 private:
  int32_t BucketIndex(int64_t value) const;
  int32_t CountsIndexFor(int64_t value) const;
  int64_t ValueAtIndex(int32_t index) const;
  int64_t LowestEquivalent(int64_t value) const;
  int64_t HighestEquivalent(int64_t value) const;

  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
};

struct LatencySample {
  int64_t time = 0;      // unix seconds; 0 = unused slot
  uint32_t latency = 0;  // ms
};

struct LatencyTimeSeries {
  static constexpr int kLen = 160;
  int idx = 0;  // next slot to write
  uint32_t max = 0;
  std::array<LatencySample, kLen> samples{};
};

struct LatencyEvent {
  std::string name;
  LatencyTimeSeries ts;
};

// The events seen so far, in order of first appearance (Redis's order is its dict's, which
// depends on a random hash seed).
class LatencyMonitor {
 public:
  void AddSample(std::string_view event, uint32_t latency_ms, int64_t now_s);
  // Case-insensitive, as LATENCY RESET matches; returns how many events were dropped.
  int Reset(std::string_view event);
  int ResetAll();
  // Exact name match, as Redis's dict lookups do.
  const LatencyEvent* Find(std::string_view event) const;
  const std::vector<std::unique_ptr<LatencyEvent>>& events() const { return events_; }

 private:
  std::vector<std::unique_ptr<LatencyEvent>> events_;
};

// latencyAddSampleIfNeeded: keeps the sample when latency-monitor-threshold is set and the
// latency reaches it.
void LatencyAddSampleIfNeeded(Server& server, std::string_view event, int64_t latency_ms);

// LATENCY GRAPH's text and LATENCY DOCTOR's report.
std::string LatencyGraph(const LatencyEvent& event, int64_t now_s);
std::string LatencyDoctorReport(Server& server);

// "%f" with trailing zeros (and a trailing '.') removed: how Redis prints percentiles.
std::string FormatPercentile(double p);

}  // namespace baozi
