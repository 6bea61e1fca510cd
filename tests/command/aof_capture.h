// A PropagationSink for in-process tests: what it receives, rendered as an AOF would hold it
// (RESP, with a SELECT whenever the database differs from the last command's), so a test can
// compare it byte for byte with the incr AOF redis-server wrote for the same commands.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/propagate.h"

namespace baozi::testing {

class CapturingSink : public PropagationSink {
 public:
  void Feed(int db, std::span<const std::string_view> argv) override {
    if (db != selected_) {
      std::string n = std::to_string(db);
      const std::string_view select[] = {"SELECT", n};
      Append(select);
      selected_ = db;
    }
    Append(argv);
    commands.emplace_back(argv.begin(), argv.end());
    dbs.push_back(db);
  }
  std::string bytes;
  std::vector<std::vector<std::string>> commands;  // every fed command, SELECTs not included
  std::vector<int> dbs;

 private:
  void Append(std::span<const std::string_view> argv) {
    bytes += "*" + std::to_string(argv.size()) + "\r\n";
    for (std::string_view a : argv) {
      bytes += "$" + std::to_string(a.size()) + "\r\n";
      bytes.append(a);
      bytes += "\r\n";
    }
  }
  int selected_ = -1;
};

// An AOF byte stream as one command per line, for readable failure messages.
inline std::string PrettyAof(std::string_view aof) {
  std::string out;
  size_t i = 0;
  while (i < aof.size()) {
    size_t eol = aof.find("\r\n", i);
    if (aof[i] != '*' || eol == std::string_view::npos) {
      return out + "<bad: " + std::string(aof.substr(i)) + ">";
    }
    int n = std::stoi(std::string(aof.substr(i + 1, eol - i - 1)));
    i = eol + 2;
    for (int k = 0; k < n; ++k) {
      eol = aof.find("\r\n", i);
      size_t len = std::stoul(std::string(aof.substr(i + 1, eol - i - 1)));
      out += (k ? " " : "") + std::string(aof.substr(eol + 2, len));
      i = eol + 2 + len + 2;
    }
    out += "\n";
  }
  return out;
}

}  // namespace baozi::testing
