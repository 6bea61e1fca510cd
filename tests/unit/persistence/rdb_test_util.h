// Helpers shared by the RDB tests: reading fixture files and describing a whole keyspace in
// one canonical text form (the format of tests/fixtures/rdb/dataset.expected), so a load can
// be compared with what Redis reported, and a round trip with its source.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/numbers.h"
#include "storage/set.h"
#include "storage/stream.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace baozi::rdb::testing {

inline std::filesystem::path FixtureDir() {
  return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "fixtures" / "rdb";
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// type, encoding and contents of one value, as dataset.expected spells them.
inline std::string DescribeValue(const Value& v) {
  std::vector<std::string> items;
  switch (v.type()) {
    case ObjType::kString:
      items.push_back(v.ToString());
      break;
    case ObjType::kList:
      v.list().ForEach([&](std::string_view e) { items.emplace_back(e); });
      break;
    case ObjType::kSet: {
      v.set().ForEach([&](std::string_view m) { items.emplace_back(m); });
      std::sort(items.begin(), items.end());
      break;
    }
    case ObjType::kHash: {
      std::vector<std::pair<std::string, std::string>> pairs;
      v.hash().ForEach([&](std::string_view f, std::string_view val) {
        pairs.emplace_back(std::string(f), std::string(val));
      });
      std::sort(pairs.begin(), pairs.end());
      for (auto& [f, val] : pairs) {
        items.push_back(f);
        items.push_back(val);
      }
      break;
    }
    case ObjType::kZset:
      v.zset().ForEach([&](std::string_view m, double score) {
        items.emplace_back(m);
        items.push_back(DoubleToString(score));
      });
      break;
    case ObjType::kStream:
      for (StreamObject::Iterator it(v.stream(), StreamId::Min(), StreamId::Max(), false);
           it.Next();) {
        items.push_back(it.id().ToString());
        it.ForEachField([&](std::string_view f, std::string_view val) {
          items.emplace_back(f);
          items.emplace_back(val);
        });
      }
      break;
  }
  std::string out =
      std::string(TypeName(v.type())) + "\t" + std::string(EncodingName(v.encoding()));
  out += "\t";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += Hex(items[i]);
  }
  return out;
}

// Every key of every database: "db\tkey-hex" -> "type\tencoding\tdeadline\tcontents".
inline std::map<std::string, std::string> Snapshot(Keyspace& ks) {
  std::map<std::string, std::string> out;
  for (int i = 0; i < ks.size(); ++i) {
    Db& db = ks.db(i);
    db.ForEach([&](std::string_view key, DbEntry& e) {
      std::string d = DescribeValue(e.value);
      // Put the deadline between encoding and contents, as the expected file does.
      const size_t second_tab = d.find('\t', d.find('\t') + 1);
      d.insert(second_tab, "\t" + std::to_string(db.ExpireOf(e)));
      out[std::to_string(i) + "\t" + Hex(key)] = d;
    });
  }
  return out;
}

struct ExpectedDataset {
  EncodingLimits limits;
  std::map<std::string, std::string> keys;  // as Snapshot
};

inline ExpectedDataset ReadExpected(const std::filesystem::path& p) {
  ExpectedDataset out;
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  std::istringstream head(line);
  std::string word;
  head >> word >> out.limits.hash_max_listpack_entries >> out.limits.hash_max_listpack_value >>
      out.limits.zset_max_listpack_entries >> out.limits.zset_max_listpack_value >>
      out.limits.set_max_intset_entries >> out.limits.list_max_listpack_size;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t t1 = line.find('\t');
    const size_t t2 = line.find('\t', t1 + 1);
    out.keys[line.substr(0, t2)] = line.substr(t2 + 1);
  }
  return out;
}

}  // namespace baozi::rdb::testing
