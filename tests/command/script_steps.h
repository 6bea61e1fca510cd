// Step tables for the scripting command tests: a command on a named connection and the exact reply
// bytes redis-server 7.0.15 sent for it. script_test.cc and script_replies_test.cc hold tables
// produced by running their steps against Redis on a fresh keyspace (FLUSHALL, SCRIPT FLUSH, new
// connections), so the expected bytes, SHAs in error texts included, are Redis's own.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/command/harness.h"

namespace baozi::testing {

// One command on a connection ("default" unless named) and the exact reply bytes Redis sent, or
// nothing when the reply is not compared (HELLO, which names the server).
struct Step {
  Step(std::vector<std::string> a, std::optional<std::string> w)
      : argv(std::move(a)), want(std::move(w)) {}
  Step(std::string c, std::vector<std::string> a, std::optional<std::string> w)
      : conn(std::move(c)), argv(std::move(a)), want(std::move(w)) {}
  std::string conn = "default";
  std::vector<std::string> argv;
  std::optional<std::string> want;
};

// Bytes with CR, LF, backslashes and other control bytes spelled out, for failure messages.
inline std::string Visible(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

using StepSetup = std::function<void(CommandHarness&)>;

// Runs `steps` on a fresh harness (after `setup`), checking each compared reply byte for byte.
inline void RunSteps(const std::vector<Step>& steps, const StepSetup& setup = {}) {
  CommandHarness h;
  if (setup) setup(h);
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    std::vector<std::string_view> argv(s.argv.begin(), s.argv.end());
    h.Run(argv, s.conn);
    if (!s.want) continue;
    std::string shown;
    for (const std::string& a : s.argv) shown += Visible(a) + " ";
    INFO("step " << i << " on " << s.conn << ": " << shown);
    CHECK(Visible(h.raw()) == Visible(*s.want));
  }
}

}  // namespace baozi::testing
