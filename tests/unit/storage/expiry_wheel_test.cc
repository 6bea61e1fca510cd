#include "storage/expiry_wheel.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <vector>

namespace baozi {
namespace {

// An owner as the keyspace uses one: it stores its handle, the wheel stores a pointer to it.
struct Item {
  ExpiryWheel::Handle handle = ExpiryWheel::kNoHandle;
  int64_t when = 0;
  int expired = 0;  // times handed out by Run
};

void Relocate(void* owner, ExpiryWheel::Handle h) { static_cast<Item*>(owner)->handle = h; }

constexpr int64_t kT0 = 1'700'000'000'000;  // a realistic unix ms clock
constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

class Fixture {
 public:
  ExpiryWheel wheel{&Relocate};
  std::vector<std::unique_ptr<Item>> items;
  std::vector<Item*> order;  // as handed out

  Item* Add(int64_t when, int64_t now) {
    items.push_back(std::make_unique<Item>());
    Item* it = items.back().get();
    it->when = when;
    it->handle = wheel.Insert(when, it, now);
    return it;
  }
  size_t Run(int64_t now, size_t max_work = kUnlimited) {
    return wheel.Run(now, max_work, [&](void* owner, int64_t when) {
      auto* it = static_cast<Item*>(owner);
      CHECK(when == it->when);
      CHECK(when < now);
      it->expired++;
      it->handle = ExpiryWheel::kNoHandle;
      order.push_back(it);
    });
  }
  void Cancel(Item* it) {
    wheel.Remove(it->handle);
    it->handle = ExpiryWheel::kNoHandle;
  }
  // Every live item's handle leads back to it with its deadline.
  void CheckHandles() {
    size_t live = 0;
    for (auto& it : items) {
      if (it->handle == ExpiryWheel::kNoHandle) continue;
      ++live;
      REQUIRE(wheel.Owner(it->handle) == it.get());
      REQUIRE(wheel.When(it->handle) == it->when);
    }
    REQUIRE(live == wheel.size());
  }
};

TEST_CASE("ExpiryWheel: a record is due once the clock is past its deadline", "[wheel]") {
  Fixture f;
  Item* a = f.Add(kT0 + 100, kT0);
  CHECK(f.wheel.size() == 1);
  CHECK(f.Run(kT0 + 99) == 0);
  CHECK(f.Run(kT0 + 100) == 0);  // at the deadline the key is still alive (now > when)
  CHECK(a->expired == 0);
  CHECK(f.Run(kT0 + 101) == 1);
  CHECK(a->expired == 1);
  CHECK(f.wheel.empty());
  CHECK(f.Run(kT0 + 10'000) == 0);
}

TEST_CASE("ExpiryWheel: deadlines already past go straight to the due list", "[wheel]") {
  Fixture f;
  f.Run(kT0);
  Item* past = f.Add(kT0 - 5000, kT0);
  Item* negative = f.Add(-1, kT0);
  CHECK(f.wheel.HasBacklog());
  CHECK(f.wheel.NextEventMs() == kT0);
  CHECK(f.Run(kT0) == 2);
  CHECK(past->expired == 1);
  CHECK(negative->expired == 1);
}

TEST_CASE("ExpiryWheel: update moves a record earlier and later", "[wheel]") {
  Fixture f;
  Item* a = f.Add(kT0 + 60'000, kT0);
  Item* b = f.Add(kT0 + 50, kT0);
  a->when = kT0 + 10;
  f.wheel.Update(a->handle, a->when);
  b->when = kT0 + 3'600'000;
  f.wheel.Update(b->handle, b->when);
  CHECK(f.Run(kT0 + 11) == 1);
  CHECK(a->expired == 1);
  CHECK(f.Run(kT0 + 60'001) == 0);
  CHECK(b->expired == 0);
  CHECK(f.Run(kT0 + 3'600'001) == 1);
  CHECK(b->expired == 1);
}

TEST_CASE("ExpiryWheel: cancel removes a record and relocates the last one", "[wheel]") {
  Fixture f;
  std::vector<Item*> all;
  for (int i = 0; i < 5000; ++i) all.push_back(f.Add(kT0 + 1 + i % 700, kT0));
  std::mt19937_64 rng(7);
  std::set<Item*> cancelled;
  for (int i = 0; i < 2500; ++i) {
    Item* it = all[rng() % all.size()];
    if (cancelled.insert(it).second) f.Cancel(it);
  }
  f.CheckHandles();
  f.Run(kT0 + 10'000);
  for (Item* it : all) CHECK(it->expired == (cancelled.count(it) ? 0 : 1));
  CHECK(f.wheel.empty());
}

TEST_CASE("ExpiryWheel: far deadlines cascade down the levels and expire on time", "[wheel]") {
  Fixture f;
  const int64_t kDay = 86'400'000;
  Item* minute = f.Add(kT0 + 60'000, kT0);
  Item* day = f.Add(kT0 + kDay, kT0);
  Item* year = f.Add(kT0 + 365 * kDay, kT0);
  Item* forever = f.Add(std::numeric_limits<int64_t>::max(), kT0);
  CHECK(f.wheel.LevelOf(minute->handle) >= 2);
  CHECK(f.wheel.LevelOf(year->handle) > f.wheel.LevelOf(day->handle));
  // Walk the clock forward in uneven steps; each record must expire in the first run after its
  // deadline and never before.
  std::mt19937_64 rng(11);
  int64_t now = kT0;
  while (now < kT0 + 366 * kDay) {
    now += static_cast<int64_t>(rng() % (kDay / 3)) + 1;
    f.Run(now);
    for (Item* it : {minute, day, year}) CHECK(it->expired == (it->when < now ? 1 : 0));
  }
  CHECK(forever->expired == 0);
  CHECK(f.wheel.size() == 1);
}

TEST_CASE("ExpiryWheel: random deadlines, runs and cancels match a model", "[wheel]") {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Fixture f;
    std::mt19937_64 rng(seed);
    int64_t now = kT0;
    auto deadline = [&] {
      // A mix of scales: milliseconds to months.
      static const int64_t kScales[] = {64, 4096, 262'144, 16'777'216, 4'000'000'000};
      return now + static_cast<int64_t>(rng() % kScales[rng() % 5]) - 10;
    };
    for (int step = 0; step < 400; ++step) {
      int op = static_cast<int>(rng() % 10);
      if (op < 5) {
        f.Add(deadline(), now);
      } else if (op < 7 && !f.items.empty()) {
        Item* it = f.items[rng() % f.items.size()].get();
        if (it->handle != ExpiryWheel::kNoHandle) {
          it->when = deadline();
          f.wheel.Update(it->handle, it->when);
        }
      } else if (op < 8 && !f.items.empty()) {
        Item* it = f.items[rng() % f.items.size()].get();
        if (it->handle != ExpiryWheel::kNoHandle) f.Cancel(it);
      } else {
        now += static_cast<int64_t>(rng() % (rng() % 2 ? 100 : 50'000'000));
        f.Run(now);
        for (auto& it : f.items) {
          bool live = it->handle != ExpiryWheel::kNoHandle;
          // A live record is not yet due; a handed-out one was due.
          if (live) REQUIRE(it->when >= now);
          REQUIRE(it->expired <= 1);
        }
        f.CheckHandles();
      }
    }
  }
}

TEST_CASE("ExpiryWheel: NextEventMs is the earliest slot start", "[wheel]") {
  Fixture f;
  CHECK(f.wheel.NextEventMs() == std::numeric_limits<int64_t>::max());
  f.Add(kT0 + 30, kT0);
  // Level 0 slots are exact: the first millisecond past the deadline.
  int64_t next = f.wheel.NextEventMs();
  CHECK(next <= kT0 + 31);
  CHECK(next > kT0);
  // Running at each advertised time eventually hands the record out, never early.
  int64_t now = kT0;
  int runs = 0;
  while (f.order.empty()) {
    now = std::max(now, f.wheel.NextEventMs());
    f.Run(now);
    ++runs;
    REQUIRE(runs < 20);
  }
  CHECK(now == kT0 + 31);
}

TEST_CASE("ExpiryWheel: a million records due in one second go in bounded portions", "[wheel]") {
  Fixture f;
  constexpr int kN = 1'000'000;
  f.items.reserve(kN);
  std::mt19937_64 rng(3);
  // Filed an hour ahead, so every record starts high in the wheel and has to cascade.
  for (int i = 0; i < kN; ++i) f.Add(kT0 + 3'600'000 + static_cast<int64_t>(rng() % 1000), kT0);
  CHECK(f.wheel.size() == kN);
  CHECK(f.Run(kT0 + 3'599'999) == 0);
  constexpr size_t kPortion = 1000;
  int64_t now = kT0 + 3'600'000;
  size_t total = 0;
  int portions = 0;
  while (!f.wheel.empty()) {
    now += 1;
    do {
      size_t n = f.Run(now, kPortion);
      REQUIRE(n <= kPortion);
      total += n;
      ++portions;
    } while (f.wheel.HasBacklog());
  }
  CHECK(total == kN);
  CHECK(now <= kT0 + 3'601'001);
  // Cascading costs at most a few moves per record on top of the expiry itself.
  CHECK(portions < 12 * kN / static_cast<int>(kPortion));
  // Expired in deadline order, to the millisecond.
  for (size_t i = 1; i < f.order.size(); ++i) REQUIRE(f.order[i - 1]->when <= f.order[i]->when);
}

TEST_CASE("ExpiryWheel: a clock that goes backwards never expires early", "[wheel]") {
  Fixture f;
  Item* a = f.Add(kT0 + 100, kT0);
  f.Run(kT0 + 50);
  CHECK(f.Run(kT0 + 10) == 0);
  CHECK(f.Run(kT0 + 101) == 1);
  CHECK(a->expired == 1);
}

TEST_CASE("ExpiryWheel: swap and clear", "[wheel]") {
  Fixture f, g;
  Item* a = f.Add(kT0 + 10, kT0);
  Item* b = g.Add(kT0 + 20, kT0);
  Item* c = g.Add(kT0 + 30, kT0);
  f.wheel.Swap(g.wheel);
  CHECK(f.wheel.size() == 2);
  CHECK(g.wheel.size() == 1);
  CHECK(g.wheel.Owner(a->handle) == a);
  CHECK(f.wheel.Owner(b->handle) == b);
  f.wheel.Clear();
  CHECK(f.wheel.empty());
  CHECK(f.wheel.NextEventMs() == std::numeric_limits<int64_t>::max());
  (void)c;
  // A cleared wheel starts over.
  Item* d = f.Add(kT0 + 5, kT0);
  CHECK(f.Run(kT0 + 6) == 1);
  CHECK(d->expired == 1);
}

TEST_CASE("ExpiryWheel: RandomHandle covers every record", "[wheel]") {
  Fixture f;
  CHECK(f.wheel.RandomHandle(42) == ExpiryWheel::kNoHandle);
  for (int i = 0; i < 50; ++i) f.Add(kT0 + 1000 + i, kT0);
  std::set<void*> seen;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) seen.insert(f.wheel.Owner(f.wheel.RandomHandle(rng())));
  CHECK(seen.size() == 50);
}

}  // namespace
}  // namespace baozi
