// The process's memory as Redis's zmalloc reports it: one counter of bytes in use, kept by the
// replacement malloc and operator new in allocator.cc, plus the allocator's own statistics.
//
//   size_t used = alloc::UsedBytes();      // INFO used_memory, maxmemory: an atomic load
//   alloc::Stats s = alloc::ReadStats();   // allocator_allocated/active/resident (INFO, STATS)
//   std::string text = alloc::MallocStats();  // MEMORY MALLOC-STATS
//   alloc::Purge();                        // MEMORY PURGE
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace baozi::alloc {

// Bytes currently allocated through malloc/calloc/realloc/aligned allocation and every form of
// operator new, each counted at its allocator size class (what the allocator really hands out,
// not what was asked for). Cheap enough to read after every command.
size_t UsedBytes();

// realloc outside the count, for memory Redis does not count either (the Lua interpreters:
// INFO shows them apart as used_memory_lua/vm_*, and maxmemory ignores them). n == 0 frees.
void* UncountedRealloc(void* p, size_t n);
// INFO's mem_allocator: "jemalloc-5.3.0" (as Redis built with jemalloc says it) or "libc" in
// sanitizer builds, which keep the sanitizer's malloc.
std::string_view Name();
bool IsJemalloc();

// jemalloc's global statistics (mallctl stats.*), refreshed first ("epoch"). A few
// microseconds: fine for INFO and MEMORY STATS, not for every command. All zero with libc.
struct Stats {
  size_t allocated = 0;  // bytes in live allocations, this process's whole heap
  size_t active = 0;     // bytes in active pages (allocated + fragmentation inside them)
  size_t resident = 0;   // bytes of allocator memory resident in RAM
  size_t mapped = 0;     // bytes in extents mapped by the allocator
  size_t retained = 0;   // bytes retained (unmapped from use, kept for reuse)
};
Stats ReadStats();

// jemalloc's malloc_stats_print report; "Stats not supported for the current allocator" with
// libc, as Redis answers.
std::string MallocStats();

// Returns unused dirty pages of every arena to the OS (MEMORY PURGE). True on success; libc has
// nothing to purge and succeeds.
bool Purge();

// Starts jemalloc's background purging thread, as Redis does by default (jemalloc-bg-thread
// yes). Without it, pages freed by a burst (a bulk load's transient buffers, a table that grew)
// are returned to the OS only when later allocations happen, so an idle server keeps them
// resident. Call after daemonizing: a fork does not carry the thread over. False with libc.
bool StartBackgroundPurge();

}  // namespace baozi::alloc
