// MEMORY USAGE's per-object estimates: allocator size classes and Redis-style sampling.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "storage/alloc_size.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

using baozi::AllocSize;

TEST_CASE("AllocSize rounds up to a size class", "[memory_usage]") {
  CHECK(AllocSize(0) == 0);
  size_t prev = 0;
  for (size_t n = 1; n < 100000; n += n / 8 + 1) {
    const size_t a = AllocSize(n);
    CHECK(a >= n);
    CHECK(a >= prev);
    CHECK(AllocSize(a) == a);  // a size class is its own class
    prev = a;
  }
}

TEST_CASE("sampled estimates of uniform collections are close to the full walk", "[memory_usage]") {
  const baozi::EncodingLimits limits;
  constexpr size_t kAll = SIZE_MAX;
  baozi::ListObject list(-2);
  baozi::HashObject hash;
  baozi::SetObject set;
  baozi::ZsetObject zset;
  for (int i = 0; i < 20000; ++i) {
    std::string m = "element-" + std::to_string(100000 + i);
    list.PushTail(m);
    hash.Set(m, "v", limits);
    set.Add(m, limits.set_max_intset_entries);
    zset.Insert(m, i, limits);
  }
  REQUIRE(set.encoding() == baozi::Encoding::kHashtable);
  REQUIRE(zset.encoding() == baozi::Encoding::kSkiplist);
  auto close = [](size_t estimate, size_t exact) {
    return estimate > exact * 95 / 100 && estimate < exact * 105 / 100;
  };
  CHECK(close(list.MemoryUsage(5), list.MemoryUsage(kAll)));
  CHECK(close(set.MemoryUsage(5), set.MemoryUsage(kAll)));
  // Skiplist node heights vary: a handful of samples is rougher.
  CHECK(close(zset.MemoryUsage(1000), zset.MemoryUsage(kAll)));
  // Hashes know their size exactly: samples do not matter.
  CHECK(hash.MemoryUsage(1) == hash.MemoryUsage(kAll));
  // In size classes, never less than the unrounded byte counts.
  CHECK(list.MemoryUsage(kAll) >= list.MemoryUsage());
  CHECK(hash.MemoryUsage(kAll) >= hash.MemoryUsage());
  CHECK(set.MemoryUsage(kAll) >= set.MemoryUsage());
  CHECK(zset.MemoryUsage(kAll) >= zset.MemoryUsage());
  // Each element costs at least its bytes.
  CHECK(set.MemoryUsage(kAll) > 20000 * 14);
  // An empty object is just the object.
  CHECK(baozi::SetObject().MemoryUsage(5) == AllocSize(sizeof(baozi::SetObject)));
}
