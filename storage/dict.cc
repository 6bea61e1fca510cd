#include "storage/dict.h"

#include <sys/random.h>

#include <chrono>

// Inlined so each key hash is one call, not a call into the shared library.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace baozi {
namespace {

uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) == static_cast<ssize_t>(sizeof(seed))) return seed;
  // No entropy source: still differ between runs and processes.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return XXH3_64bits_withSeed(&now, sizeof(now), reinterpret_cast<uintptr_t>(&seed));
}

// A function-local static so a Dict used during another file's static initialisation still
// sees the final seed.
uint64_t& SeedSlot() {
  static uint64_t seed = RandomSeed();
  return seed;
}

}  // namespace

uint64_t HashKey(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), SeedSlot());
}

uint64_t HashSeed() { return SeedSlot(); }

void SetHashSeed(uint64_t seed) { SeedSlot() = seed; }

}  // namespace baozi
