// Fuzzes the RDB reader two ways, chosen by the input itself so that real files and real
// DUMP payloads are seeds as they are:
//   - input starting with "REDIS": a whole RDB file (rdb::Load, checksum not verified, as a
//     mutated file would never pass it); whatever loads must save and load again;
//   - anything else: a RESTORE payload (object, 2-byte version, 8-byte CRC) with the CRC
//     check skipped (RESTORE checks it first; a corrupt payload with a correct CRC is what an
//     attacker sends); a value that loads must survive DUMP and load again unchanged.
// Reading every element of a loaded value (DescribeValue) catches a structure the loader
// accepted but cannot walk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "persistence/rdb.h"
#include "storage/db.h"
#include "tests/unit/persistence/rdb_test_util.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  __builtin_printf("rdb_fuzz: %s\n", what);
  std::abort();
}

void FuzzFile(std::string_view data) {
  baozi::Keyspace ks(16);
  baozi::rdb::LoadOptions opts;
  opts.verify_checksum = false;
  auto r = baozi::rdb::Load(data, ks, opts);
  if (!r) return;
  std::string out;
  baozi::rdb::StringSink sink(&out);
  baozi::rdb::SaveOptions so;
  if (!baozi::rdb::Save(ks, sink, so)) Fail("save failed");
  baozi::Keyspace again(16);
  baozi::rdb::LoadOptions lo;
  auto r2 = baozi::rdb::Load(out, again, lo);
  if (!r2) {
    __builtin_printf("reload: %s at %llu\n", r2.error().reason.c_str(),
                     static_cast<unsigned long long>(r2.error().offset));
    Fail("a loaded keyspace did not reload");
  }
  for (int i = 0; i < ks.size(); ++i) {
    if (ks.db(i).size() != again.db(i).size()) Fail("reload changed the key count");
  }
}

void FuzzPayload(std::string_view data) {
  if (!baozi::rdb::VerifyPayload(data, /*skip_checksum=*/true)) return;
  baozi::EncodingLimits limits;
  auto v = baozi::rdb::LoadPayload(data, limits);
  if (!v) return;
  std::string before = baozi::rdb::testing::DescribeValue(*v);
  std::string dump = baozi::rdb::DumpPayload(*v, /*compress=*/true);
  if (!baozi::rdb::VerifyPayload(dump)) Fail("DUMP of a loaded value does not verify");
  auto v2 = baozi::rdb::LoadPayload(dump, limits);
  if (!v2) Fail("DUMP of a loaded value does not load");
  if (baozi::rdb::testing::DescribeValue(*v2) != before) Fail("DUMP round trip changed the value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.starts_with("REDIS")) {
    FuzzFile(in);
  } else {
    FuzzPayload(in);
  }
  return 0;
}
