// LATENCY DOCTOR | GRAPH | HISTOGRAM | HISTORY | LATEST | RESET | HELP.
//
// The data lives in server/latency.h: the monitor's events on the Server, each command's
// latency histogram on its Command. Arity is checked per subcommand by the dispatcher, so the
// handlers only shape replies: maps where Redis uses maps (HISTOGRAM), arrays elsewhere, and
// verbatim text for DOCTOR and GRAPH (a bulk string in RESP2, "=" with "txt:" in RESP3).
#include <string>

#include "server/cmd_context.h"
#include "server/command.h"
#include "server/commands/common.h"
#include "server/commands/help.h"
#include "server/latency.h"
#include "server/server.h"

namespace baozi {
namespace {

// LATENCY HISTORY <event>: the (time, latency) samples, oldest first; empty for an unknown
// event.
void CmdLatencyHistory(CmdContext& ctx) {
  const LatencyEvent* e = ctx.server().latency().Find(ctx.arg(2));
  if (e == nullptr) {
    ctx.rb().StartArray(0);
    return;
  }
  const LatencyTimeSeries& ts = e->ts;
  auto len = ctx.rb().DeferArrayLen();
  size_t n = 0;
  for (int j = 0; j < LatencyTimeSeries::kLen; ++j) {
    const LatencySample& s = ts.samples[(ts.idx + j) % LatencyTimeSeries::kLen];
    if (s.time == 0) continue;
    ctx.rb().StartArray(2);
    ctx.rb().SendLong(s.time);
    ctx.rb().SendLong(s.latency);
    ++n;
  }
  ctx.rb().SetDeferredLen(len, n);
}

// LATENCY LATEST: per event its name, the latest sample's time and latency, and the all-time
// maximum.
void CmdLatencyLatest(CmdContext& ctx) {
  const auto& events = ctx.server().latency().events();
  ctx.rb().StartArray(events.size());
  for (const auto& e : events) {
    const LatencyTimeSeries& ts = e->ts;
    const LatencySample& last =
        ts.samples[(ts.idx + LatencyTimeSeries::kLen - 1) % LatencyTimeSeries::kLen];
    ctx.rb().StartArray(4);
    ctx.rb().SendBulk(e->name);
    ctx.rb().SendLong(last.time);
    ctx.rb().SendLong(last.latency);
    ctx.rb().SendLong(ts.max);
  }
}

// LATENCY GRAPH <event>
void CmdLatencyGraph(CmdContext& ctx) {
  const LatencyEvent* e = ctx.server().latency().Find(ctx.arg(2));
  if (e == nullptr) {
    // Redis formats the name with %s (it stops at a NUL) and turns line breaks into spaces.
    std::string name(ctx.arg(2).substr(0, ctx.arg(2).find('\0')));
    for (char& c : name) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return ctx.SendError("No samples available for event '" + name + "'");
  }
  ctx.rb().SendVerbatim(LatencyGraph(*e, ctx.server().clock().NowMs() / 1000), "txt");
}

// LATENCY DOCTOR
void CmdLatencyDoctor(CmdContext& ctx) {
  ctx.rb().SendVerbatim(LatencyDoctorReport(ctx.server()), "txt");
}

// LATENCY RESET [event ...]: how many events were dropped.
void CmdLatencyReset(CmdContext& ctx) {
  LatencyMonitor& m = ctx.server().latency();
  if (ctx.argc() == 2) {
    ctx.rb().SendLong(m.ResetAll());
    return;
  }
  int64_t resets = 0;
  for (size_t i = 2; i < ctx.argc(); ++i) resets += m.Reset(ctx.arg(i));
  ctx.rb().SendLong(resets);
}

// One command's entry: {calls, histogram_usec: {bucket upper bound in us: cumulative count}},
// the buckets those of a log-2 walk from 1024 ns, empty ones left out.
void SendCommandHistogram(CmdContext& ctx, const Command& c) {
  const LatencyHistogram& h = *c.latency_histogram();
  ctx.rb().SendBulk(c.full_name());
  ctx.rb().StartMap(2);
  ctx.rb().SendBulk("calls");
  ctx.rb().SendLong(h.total_count());
  ctx.rb().SendBulk("histogram_usec");
  auto len = ctx.rb().DeferMapLen();
  size_t n = 0;
  int64_t previous = 0;
  for (const auto& b : h.LogBuckets(1024, 2)) {
    if (b.cumulative_count > previous) {
      ctx.rb().SendLong(b.highest_equivalent_value / 1000);
      ctx.rb().SendLong(b.cumulative_count);
      ++n;
    }
    previous = b.cumulative_count;
  }
  ctx.rb().SetDeferredLen(len, n);
}

// The command a LATENCY HISTOGRAM argument names: "get", or "config|get" for a subcommand.
const Command* LookupByFullName(const CommandRegistry& r, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return r.Find(name);
  std::string_view rest = name.substr(bar + 1);
  if (rest.find('|') != std::string_view::npos) return nullptr;
  const Command* parent = r.Find(name.substr(0, bar));
  if (parent == nullptr) return nullptr;
  return parent->FindSubcommand(rest);
}

// LATENCY HISTOGRAM [command ...]: every command (and subcommand) with a histogram, or the
// named ones (a container also brings its subcommands); unknown names are skipped.
void CmdLatencyHistogram(CmdContext& ctx) {
  const CommandRegistry& r = ctx.server().registry();
  auto len = ctx.rb().DeferMapLen();
  size_t n = 0;
  auto visit = [&](const Command& c) {
    if (c.latency_histogram() == nullptr) return;
    SendCommandHistogram(ctx, c);
    ++n;
  };
  if (ctx.argc() == 2) {
    r.ForEachIncludingSubcommands(visit);
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const Command* c = LookupByFullName(r, ctx.arg(i));
      if (c == nullptr) continue;
      visit(*c);
      for (const auto& sub : c->subcommands()) visit(*sub);
    }
  }
  ctx.rb().SetDeferredLen(len, n);
}

void CmdLatencyHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "DOCTOR",
                    "    Return a human readable latency analysis report.",
                    "GRAPH <event>",
                    "    Return an ASCII latency graph for the <event> class.",
                    "HISTORY <event>",
                    "    Return time-latency samples for the <event> class.",
                    "LATEST",
                    "    Return the latest latency samples for all events.",
                    "RESET [<event> ...]",
                    "    Reset latency data of one or more <event> classes.",
                    "    (default: reset all data for all event classes)",
                    "HISTOGRAM [COMMAND ...]",
                    "    Return a cumulative distribution of latencies in the format of a "
                    "histogram for the specified command names.",
                    "    If no commands are specified then all histograms are replied.",
                });
}

}  // namespace

void RegisterLatencyCommands(CommandRegistry& r) {
  constexpr uint32_t kFlags = kAdmin | kNoScript | kLoading | kStale;
  Command* latency = r.Add({"latency", -2, 0, {}, CmdContainer, "server"});
  latency->AddSubcommand({"doctor", 2, kFlags, {}, CmdLatencyDoctor, "server"});
  latency->AddSubcommand({"graph", 3, kFlags, {}, CmdLatencyGraph, "server"});
  latency->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdLatencyHelp, "server"});
  latency->AddSubcommand({"histogram", -2, kFlags, {}, CmdLatencyHistogram, "server"});
  latency->AddSubcommand({"history", 3, kFlags, {}, CmdLatencyHistory, "server"});
  latency->AddSubcommand({"latest", 2, kFlags, {}, CmdLatencyLatest, "server"});
  latency->AddSubcommand({"reset", -2, kFlags, {}, CmdLatencyReset, "server"});
}

}  // namespace baozi
