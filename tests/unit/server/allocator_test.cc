// The used-memory counter (server/allocator.cc) is linked into this binary as into the server:
// every allocation path must move it by the allocation's real size and give back exactly that.
#include "server/allocator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "storage/alloc_size.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/zset.h"

namespace alloc = baozi::alloc;

namespace {
// Keeps the compiler from pairing up and deleting an allocation and its release.
void Escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }
}  // namespace

TEST_CASE("operator new moves the counter by the allocation and back", "[allocator]") {
  const size_t before = alloc::UsedBytes();
  auto p = std::make_unique<char[]>(100000);
  Escape(p.get());
  const size_t during = alloc::UsedBytes();
  p.reset();
  const size_t after = alloc::UsedBytes();
  CHECK(during - before >= 100000);
#if BAOZI_JEMALLOC
  CHECK(during - before == baozi::AllocSize(100000));
#endif
  CHECK(after == before);
}

TEST_CASE("malloc, calloc, realloc and free are counted exactly", "[allocator]") {
  const size_t before = alloc::UsedBytes();
  void* a = std::malloc(24);
  Escape(a);
  const size_t after_malloc = alloc::UsedBytes();
  void* b = std::calloc(10, 100);
  Escape(b);
  const size_t after_calloc = alloc::UsedBytes();
  a = std::realloc(a, 5000);
  Escape(a);
  const size_t after_grow = alloc::UsedBytes();
  a = std::realloc(a, 10);
  Escape(a);
  const size_t after_shrink = alloc::UsedBytes();
  std::free(a);
  std::free(b);
  const size_t after = alloc::UsedBytes();
  std::free(nullptr);
  const size_t after_null = alloc::UsedBytes();
#if BAOZI_JEMALLOC
  CHECK(after_malloc - before == baozi::AllocSize(24));
  CHECK(after_calloc - after_malloc == baozi::AllocSize(1000));
  CHECK(after_grow - before == baozi::AllocSize(5000) + baozi::AllocSize(1000));
  CHECK(after_shrink - before == baozi::AllocSize(10) + baozi::AllocSize(1000));
#else
  // Sanitizer builds count C++ allocations only.
  (void)after_malloc, (void)after_calloc, (void)after_grow, (void)after_shrink;
#endif
  CHECK(after == before);
  CHECK(after_null == before);
}

TEST_CASE("aligned, nothrow and sized forms pair up", "[allocator]") {
  struct alignas(64) Wide {
    char bytes[100];
  };
  const size_t before = alloc::UsedBytes();
  auto* w = new Wide;
  auto* ws = new Wide[3];
  auto* n = new (std::nothrow) int[7];
  void* al = ::operator new (300, std::align_val_t{256});
  const size_t during = alloc::UsedBytes();
  const bool aligned = reinterpret_cast<uintptr_t>(w) % 64 == 0 &&
                       reinterpret_cast<uintptr_t>(ws) % 64 == 0 &&
                       reinterpret_cast<uintptr_t>(al) % 256 == 0;
  delete w;
  delete[] ws;
  delete[] n;
  ::operator delete (al, 300, std::align_val_t{256});
  const size_t after = alloc::UsedBytes();
  CHECK(aligned);
  CHECK(during - before >= sizeof(Wide) * 4 + 7 * sizeof(int) + 300);
  CHECK(after == before);
}

TEST_CASE("a churn of mixed sizes returns to the same count", "[allocator]") {
  std::mt19937 rng(7);
  const size_t before = alloc::UsedBytes();
  {
    std::vector<std::unique_ptr<std::string>> strings;
    std::vector<void*> blocks;
    strings.reserve(5000);
    blocks.reserve(5000);
    for (int i = 0; i < 5000; ++i) {
      strings.push_back(std::make_unique<std::string>(rng() % 3000, 'x'));
      blocks.push_back(std::malloc(rng() % 70000));
      Escape(blocks.back());
      if (i % 3 == 0) strings.back()->append(rng() % 500, 'y');
      if (i % 5 == 0) blocks.back() = std::realloc(blocks.back(), rng() % 9000 + 1);
    }
    std::shuffle(strings.begin(), strings.end(), rng);
    std::shuffle(blocks.begin(), blocks.end(), rng);
    for (void* b : blocks) std::free(b);
  }
  const size_t after = alloc::UsedBytes();
  CHECK(after == before);
}

TEST_CASE("allocator name, statistics, report and purge", "[allocator]") {
#if BAOZI_JEMALLOC
  CHECK(alloc::Name() == "jemalloc-5.3.0");
  CHECK(alloc::IsJemalloc());
  const alloc::Stats s = alloc::ReadStats();
  CHECK(s.allocated > 0);
  CHECK(s.active >= s.allocated);
  CHECK(s.resident >= s.active);
  CHECK(s.mapped >= s.active);
  CHECK(alloc::MallocStats().find("___ Begin jemalloc statistics ___") != std::string::npos);
  // The counter sees what this process allocates; jemalloc's total can only be larger (its own
  // metadata aside, every counted byte is an allocated byte).
  CHECK(alloc::UsedBytes() <= s.allocated);
#else
  CHECK(alloc::Name() == "libc");
  CHECK(alloc::MallocStats() == "Stats not supported for the current allocator");
#endif
  CHECK(alloc::Purge());
}

// MEMORY USAGE's per-object estimates, walking every element, must be what the objects really
// took from the allocator: the counter's growth while building them.
TEST_CASE("collection MemoryUsage(all) matches the bytes allocated for them", "[allocator]") {
#if BAOZI_JEMALLOC
  const baozi::EncodingLimits limits;
  constexpr size_t kAll = SIZE_MAX;
  auto member = [](int i) { return "member:" + std::to_string(i) + std::string(i % 40, 'x'); };
  for (int n : {5, 3000}) {
    INFO("elements " << n);
    std::vector<std::string> members;
    for (int i = 0; i < n; ++i) members.push_back(member(i));

    size_t before = alloc::UsedBytes();
    auto* list = new baozi::ListObject(-2);
    for (const auto& m : members) list->PushTail(m);
    size_t grown = alloc::UsedBytes() - before;
    CHECK(list->MemoryUsage(kAll) == grown);
    delete list;

    before = alloc::UsedBytes();
    auto* hash = new baozi::HashObject();
    for (const auto& m : members) hash->Set(m, "value", limits);
    grown = alloc::UsedBytes() - before;
    CHECK(hash->MemoryUsage(kAll) == grown);
    delete hash;

    before = alloc::UsedBytes();
    auto* zset = new baozi::ZsetObject();
    for (int i = 0; i < n; ++i) zset->Insert(members[i], i, limits);
    grown = alloc::UsedBytes() - before;
    CHECK(zset->MemoryUsage(kAll) == grown);
    delete zset;

    before = alloc::UsedBytes();
    auto* set = new baozi::SetObject();
    for (const auto& m : members) set->Add(m, limits.set_max_intset_entries);
    grown = alloc::UsedBytes() - before;
    // During an incremental rehash the two bucket arrays are rounded as one: allow 1%.
    CHECK(set->MemoryUsage(kAll) <= grown + grown / 100);
    CHECK(set->MemoryUsage(kAll) + grown / 100 >= grown);
    delete set;

    before = alloc::UsedBytes();
    auto* ints = new baozi::SetObject();
    for (int i = 0; i < std::min(n, 500); ++i) {
      ints->Add(std::to_string(i * 1000), limits.set_max_intset_entries);
    }
    grown = alloc::UsedBytes() - before;
    CHECK(ints->MemoryUsage(kAll) == grown);
    delete ints;
  }
#endif
}
