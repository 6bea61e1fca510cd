// LATENCY command family, latency tracking configs and INFO latencystats. Histogram numbers
// are the ones redis-server 7.0.15 printed for the same recorded durations.
#include "server/latency.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/command/harness.h"

namespace baozi {
namespace {

using testing::CommandHarness;

std::string Pct(const LatencyHistogram& h, double p) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(h.ValueAtPercentile(p)) / 1000.0);
  return buf;
}

// (bucket us, cumulative count) pairs as LATENCY HISTOGRAM prints them.
std::vector<std::pair<int64_t, int64_t>> Buckets(const LatencyHistogram& h) {
  std::vector<std::pair<int64_t, int64_t>> out;
  int64_t prev = 0;
  for (const auto& b : h.LogBuckets(1024, 2)) {
    if (b.cumulative_count > prev)
      out.emplace_back(b.highest_equivalent_value / 1000, b.cumulative_count);
    prev = b.cumulative_count;
  }
  return out;
}

using Pairs = std::vector<std::pair<int64_t, int64_t>>;

}  // namespace

TEST_CASE("latency histogram: percentiles and buckets as Redis's HdrHistogram", "[latency]") {
  struct Case {
    int64_t ns;
    const char* p0;
    const char* p50;
    int64_t bucket;
  };
  // Observed on redis-server 7.0.15 (INFO latencystats with percentiles "0 50", LATENCY
  // HISTOGRAM) for commands that took that many microseconds.
  const Case cases[] = {
      {1000, "1.000", "1.003", 1},      {2000, "2.000", "2.007", 2},
      {9000, "8.960", "9.023", 16},     {78000, "77.824", "78.335", 132},
      {93000, "92.672", "93.183", 132}, {17000, "16.896", "17.023", 33},
  };
  for (const Case& c : cases) {
    LatencyHistogram h;
    h.Record(c.ns);
    CHECK(h.total_count() == 1);
    CHECK(Pct(h, 0) == c.p0);
    CHECK(Pct(h, 50) == c.p50);
    CHECK(Pct(h, 100) == c.p50);
    CHECK(Buckets(h) == Pairs{{c.bucket, 1}});
  }
}

TEST_CASE("latency histogram: clamping, ranks and cumulative buckets", "[latency]") {
  LatencyHistogram zero;
  zero.Record(0);  // a 0 us call is recorded as 1 ns
  CHECK(Pct(zero, 50) == "0.001");
  CHECK(Buckets(zero) == Pairs{{1, 1}});

  LatencyHistogram big;
  big.Record(5'000'000'000);  // over 1 s: recorded as 1 s
  CHECK(Pct(big, 50) == "1002438.655");
  CHECK(Pct(big, 0) == "998244.352");

  LatencyHistogram h;
  h.Record(2000);
  h.Record(9000);
  h.Record(78000);
  // count at percentile = p/100 * total rounded half up, at least 1.
  CHECK(Pct(h, 0) == "2.000");
  CHECK(Pct(h, 0.0001) == "2.007");
  CHECK(Pct(h, 1) == "2.007");
  CHECK(Pct(h, 50) == "9.023");
  CHECK(Pct(h, 99) == "78.335");
  CHECK(Pct(h, 99.9) == "78.335");
  CHECK(Buckets(h) == Pairs{{2, 1}, {16, 2}, {132, 3}});
}

TEST_CASE("latency percentiles print as %f without trailing zeros", "[latency]") {
  CHECK(FormatPercentile(50) == "50");
  CHECK(FormatPercentile(99.9) == "99.9");
  CHECK(FormatPercentile(0.0001) == "0.0001");
  CHECK(FormatPercentile(1.23456789) == "1.234568");
  CHECK(FormatPercentile(0) == "0");
}

TEST_CASE("latency monitor: one sample per second, max kept, ring of 160", "[latency]") {
  LatencyMonitor m;
  m.AddSample("command", 5, 100);
  m.AddSample("command", 3, 100);  // same second, lower: ignored
  m.AddSample("command", 7, 100);  // same second, higher: raises it
  m.AddSample("command", 2, 101);
  const LatencyEvent* e = m.Find("command");
  REQUIRE(e != nullptr);
  CHECK(e->ts.max == 7);
  CHECK(e->ts.samples[0].latency == 7);
  CHECK(e->ts.samples[1].time == 101);
  CHECK(m.Find("COMMAND") == nullptr);  // lookups are exact...
  CHECK(m.Reset("COMMAND") == 1);       // ...resets are not
  CHECK(m.events().empty());
  for (int i = 0; i < 200; ++i) m.AddSample("fork", i + 1, 1000 + i);
  e = m.Find("fork");
  REQUIRE(e != nullptr);
  CHECK(e->ts.idx == 200 % LatencyTimeSeries::kLen);
  CHECK(e->ts.max == 200);
  // The oldest kept sample is the 41st.
  CHECK(e->ts.samples[e->ts.idx].time == 1040);
}

TEST_CASE("LATENCY: argument errors and empty replies", "[latency]") {
  CommandHarness h;
  CHECK(h.Run({"LATENCY"}) == "(error) ERR wrong number of arguments for 'latency' command");
  CHECK(h.Run({"LATENCY", "nope"}) == "(error) ERR unknown subcommand 'nope'. Try LATENCY HELP.");
  CHECK(h.Run({"LATENCY", "GRAPH"}) ==
        "(error) ERR wrong number of arguments for 'latency|graph' command");
  CHECK(h.Run({"LATENCY", "HISTORY"}) ==
        "(error) ERR wrong number of arguments for 'latency|history' command");
  CHECK(h.Run({"LATENCY", "LATEST", "x"}) ==
        "(error) ERR wrong number of arguments for 'latency|latest' command");
  CHECK(h.Run({"LATENCY", "LATEST"}) == "[]");
  CHECK(h.Run({"LATENCY", "HISTORY", "command"}) == "[]");
  CHECK(h.Run({"LATENCY", "RESET"}) == "0");
  CHECK(h.Run({"LATENCY", "RESET", "a", "b"}) == "0");
  CHECK(h.Run({"LATENCY", "GRAPH", "a\r\nb"}) ==
        "(error) ERR No samples available for event 'a  b'");
  CHECK(h.raw().starts_with("-ERR No samples"));
  std::string help = h.Run({"LATENCY", "HELP"});
  CHECK(help.starts_with("[LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, "));
  CHECK(help.find("HISTOGRAM [COMMAND ...]") != std::string::npos);
  CHECK(help.ends_with("HELP,     Prints this help.]"));
}

TEST_CASE("LATENCY DOCTOR: the three canned texts", "[latency]") {
  CommandHarness h;
  h.Run({"LATENCY", "DOCTOR"});
  CHECK(h.raw().starts_with("$288\r\nI'm sorry, Dave, I can't do that."));
  h.Run({"HELLO", "3"});
  h.Run({"LATENCY", "DOCTOR"});
  CHECK(h.raw().starts_with("=292\r\ntxt:I'm sorry, Dave"));
  h.Run({"CONFIG", "SET", "latency-monitor-threshold", "100"});
  std::string r = h.Run({"LATENCY", "DOCTOR"});
  // Either no spike at all, or (on a host using transparent huge pages) the THP advice.
  CHECK((r.find("Dave, no latency spike was observed") != std::string::npos ||
         r.find("anonymous huge pages") != std::string::npos));
}

TEST_CASE("LATENCY LATEST/HISTORY/GRAPH/RESET over recorded events", "[latency]") {
  CommandHarness h("latency-monitor-threshold 5");
  Server& s = h.server();
  const int64_t now = h.clock().NowMs() / 1000;
  LatencyAddSampleIfNeeded(s, "command", 4);  // under the threshold
  CHECK(h.Run({"LATENCY", "LATEST"}) == "[]");
  LatencyAddSampleIfNeeded(s, "command", 9);
  h.clock().AdvanceUs(2'000'000);
  LatencyAddSampleIfNeeded(s, "command", 6);
  const std::string t0 = std::to_string(now), t1 = std::to_string(now + 2);
  CHECK(h.Run({"LATENCY", "LATEST"}) == "[[\"command\", " + t1 + ", 6, 9]]");
  CHECK(h.Run({"LATENCY", "HISTORY", "command"}) == "[[" + t0 + ", 9], [" + t1 + ", 6]]");
  CHECK(h.Run({"LATENCY", "HISTORY", "COMMAND"}) == "[]");
  h.Run({"LATENCY", "GRAPH", "command"});
  const std::string graph = "command - high 9 ms, low 6 ms (all time high 9 ms)\n" +
                            std::string(80, '-') +
                            "\n"
                            "# \n"
                            "| \n"
                            "| \n"
                            "|_\n"
                            "  \n"
                            "20\n"
                            "ss\n";
  CHECK(h.raw() == "$" + std::to_string(graph.size()) + "\r\n" + graph + "\r\n");
  std::string doctor = h.Run({"LATENCY", "DOCTOR"});
  CHECK(doctor.find("1. command: 2 latency spikes (average 7ms, mean deviation 1ms, period "
                    "1.00 sec). Worst all time event 9ms.") != std::string::npos);
  CHECK(doctor.find("slowlog-log-slower-than 5000") != std::string::npos);
  CHECK(h.Run({"LATENCY", "RESET", "Command", "command"}) == "1");
  CHECK(h.Run({"LATENCY", "LATEST"}) == "[]");
}

TEST_CASE("LATENCY HISTOGRAM and INFO latencystats", "[latency]") {
  CommandHarness h;
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"SET", "a", "b"});
  h.Run({"SET", "a", "b"});
  // Durations depend on the host: check the shape and the counts.
  auto v = h.RunValue({"LATENCY", "HISTOGRAM", "set", "nosuch", "a|b|c"});
  CHECK(h.raw().starts_with(
      "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*"));
  h.Run({"HELLO", "3"});
  h.Run({"LATENCY", "HISTOGRAM", "config"});
  CHECK(h.raw().starts_with(
      "%1\r\n$16\r\nconfig|resetstat\r\n%2\r\n$5\r\ncalls\r\n:1\r\n$14\r\nhistogram_usec\r\n%"));
  h.Run({"LATENCY", "HISTOGRAM", "CONFIG|RESETSTAT"});
  CHECK(h.raw().starts_with("%1\r\n$16\r\nconfig|resetstat\r\n"));
  std::string info = h.Run({"INFO", "latencystats"});
  CHECK(info.find("# Latencystats\\r\\nlatency_percentiles_usec_") != std::string::npos);
  CHECK(info.find("latency_percentiles_usec_set:p50=") != std::string::npos);
  CHECK(info.find(",p99=") != std::string::npos);
  CHECK(info.find(",p99.9=") != std::string::npos);
  CHECK(h.Run({"CONFIG", "SET", "latency-tracking-info-percentiles", ""}) == "OK");
  info = h.Run({"INFO", "latencystats"});
  CHECK(info.find("latency_percentiles_usec_set:\\r\\n") != std::string::npos);
  // Not part of the default INFO.
  CHECK(h.Run({"INFO"}).find("Latencystats") == std::string::npos);
  CHECK(h.Run({"INFO", "everything"}).find("# Errorstats\\r\\n\\r\\n# Latencystats") !=
        std::string::npos);

  // latency-tracking no: nothing recorded, and the section is empty.
  h.Run({"CONFIG", "SET", "latency-tracking", "no"});
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"GET", "a"});
  CHECK(h.Run({"LATENCY", "HISTOGRAM"}) == "{}");
  CHECK(h.Run({"INFO", "latencystats"}) == "(verbatim) \"# Latencystats\\r\\n\"");
  h.Run({"CONFIG", "SET", "latency-tracking", "yes"});
  h.Run({"CONFIG", "RESETSTAT"});
  CHECK(h.Run({"LATENCY", "HISTOGRAM", "config", "get"}).starts_with("{\"config|resetstat\" => "));
}

TEST_CASE("latency configs: CONFIG GET/SET as redis-server 7.0.15", "[latency]") {
  CommandHarness h;
  CHECK(h.Run({"CONFIG", "GET", "latency*"}) ==
        "[\"latency-monitor-threshold\", \"0\", \"latency-tracking\", \"yes\", "
        "\"latency-tracking-info-percentiles\", \"50 99 99.9\"]");
  const std::string prefix =
      "(error) ERR CONFIG SET failed (possibly related to argument "
      "'latency-tracking-info-percentiles') - ";
  auto set = [&](std::string_view v) {
    return h.Run({"CONFIG", "SET", "latency-tracking-info-percentiles", v});
  };
  auto get = [&] { return h.Run({"CONFIG", "GET", "latency-tracking-info-percentiles"}); };
  CHECK(set("abc") == prefix + "Invalid latency-tracking-info-percentiles parameters");
  CHECK(set("50  99") == prefix + "Invalid latency-tracking-info-percentiles parameters");
  CHECK(set(" 50") == prefix + "Invalid latency-tracking-info-percentiles parameters");
  CHECK(set("nan") == prefix + "Invalid latency-tracking-info-percentiles parameters");
  CHECK(set("1e400") == prefix + "Invalid latency-tracking-info-percentiles parameters");
  CHECK(set("101") ==
        prefix + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  CHECK(set("-1") ==
        prefix + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  CHECK(set("50 inf") ==
        prefix + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  CHECK(get() == "[\"latency-tracking-info-percentiles\", \"50 99 99.9\"]");
  CHECK(set("1e1 0.0001 100.000 0x10 1.23456789") == "OK");
  CHECK(get() == "[\"latency-tracking-info-percentiles\", \"10 0.0001 100 16 1.234568\"]");
  CHECK(set("") == "OK");
  CHECK(get() == "[\"latency-tracking-info-percentiles\", \"\"]");
  CHECK(h.Run({"CONFIG", "SET", "latency-monitor-threshold", "-1"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument 'latency-monitor-threshold') "
        "- argument must be between 0 and 9223372036854775807 inclusive");
  CHECK(h.Run({"CONFIG", "SET", "latency-tracking", "maybe"}) ==
        "(error) ERR CONFIG SET failed (possibly related to argument 'latency-tracking') - "
        "argument must be 'yes' or 'no'");
}

}  // namespace baozi
