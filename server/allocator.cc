// used_memory the way Redis keeps it, for the whole process.
//
// Redis counts every zmalloc/zfree into one atomic (used_memory), adding the allocation's real
// size (the allocator's size class, not the size asked for), so maxmemory and INFO read an exact
// figure with a single load. baozi has no zmalloc to route calls through: C++ containers use
// operator new, storage's listpacks, intsets and hash nodes call malloc/realloc directly. So
// this file replaces both families for the whole executable and counts in one place:
//
//   - malloc, calloc, realloc, free, posix_memalign, aligned_alloc, memalign, valloc, pvalloc;
//   - operator new/delete in every form: plain, array, nothrow, aligned, sized.
//
// With jemalloc (the default build) the size of an allocation is known without touching it:
// nallocx(size, flags) is arithmetic on the size-class table, so new and sized delete add and
// subtract exactly what jemalloc hands out, and sdallocx frees without looking the pointer up.
// An unsized free asks sallocx (one radix-tree lookup, the same one free would do), and realloc
// adds the difference between the new and the old usable size. Every path pairs its increment
// with a decrement of the same size class, so the counter returns exactly to where it was.
//
// malloc and operator new call the allocator's own malloc, found once with dlsym(RTLD_NEXT):
// jemalloc's malloc has a fast path its *allocx calls lack, and an LD_PRELOAD malloc shim (which
// tests use to count allocations) stays in the chain. While dlsym itself runs, allocations fall
// back to mallocx / __libc_malloc.
//
// Without jemalloc (-DBAOZI_JEMALLOC=OFF) the same functions wrap glibc's __libc_* entry points
// and count malloc_usable_size. Under Address- or ThreadSanitizer, which must own malloc, only
// operator new/delete are replaced: storage's direct malloc calls go uncounted in those builds.
#include "server/allocator.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <new>

// g++ announces sanitizers with __SANITIZE_*__, clang only through __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BAOZI_CLANG_SANITIZER 1
#endif
#endif
#ifndef BAOZI_CLANG_SANITIZER
#define BAOZI_CLANG_SANITIZER 0
#endif
// clang links TSan's runtime statically, with its own operator new/delete in the same object
// as hooks the program needs: ours would be defined twice. (g++'s shared libtsan lets ours
// win, as ASan's runtimes do.) Under clang's TSan, used_memory then counts malloc only.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BAOZI_KEEP_SANITIZER_NEW 1
#endif
#endif
#ifndef BAOZI_KEEP_SANITIZER_NEW
#define BAOZI_KEEP_SANITIZER_NEW 0
#endif

#if BAOZI_JEMALLOC
#include <jemalloc/jemalloc.h>
#define BAOZI_REPLACE_MALLOC 1
#elif defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || BAOZI_CLANG_SANITIZER
#define BAOZI_REPLACE_MALLOC 0
#else
#define BAOZI_REPLACE_MALLOC 1
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}
#endif

#define BAOZI_STR2(x) #x
#define BAOZI_STR(x) BAOZI_STR2(x)

namespace baozi::alloc {
namespace {

// Allocations start before any constructor runs: the counter must be constant-initialized.
constinit std::atomic<size_t> g_used{0};

inline void Add(size_t n) { g_used.fetch_add(n, std::memory_order_relaxed); }
inline void Sub(size_t n) { g_used.fetch_sub(n, std::memory_order_relaxed); }
[[maybe_unused]] inline void Change(size_t old_size, size_t new_size) {
  if (new_size >= old_size) {
    Add(new_size - old_size);
  } else {
    Sub(old_size - new_size);
  }
}

// The *allocx functions reject size 0; malloc(0) must still return a unique pointer.
inline size_t NonZero(size_t n) { return n != 0 ? n : 1; }
[[maybe_unused]] inline bool PowerOfTwo(size_t align) {
  return align != 0 && (align & (align - 1)) == 0;
}

#if BAOZI_REPLACE_MALLOC
#if BAOZI_JEMALLOC
inline void* FallbackMalloc(size_t n) { return mallocx(n, 0); }
#else
inline void* FallbackMalloc(size_t n) { return __libc_malloc(n); }
#endif

using MallocFn = void* (*)(size_t);
constinit std::atomic<MallocFn> g_next_malloc{nullptr};
constinit std::atomic<int> g_resolve_state{0};  // 0 = not yet, 1 = resolving, 2 = done

void* NextMalloc(size_t n) {
  MallocFn next = g_next_malloc.load(std::memory_order_relaxed);
  if (next != nullptr) return next(n);
  int expected = 0;
  if (g_resolve_state.load(std::memory_order_relaxed) == 0 &&
      g_resolve_state.compare_exchange_strong(expected, 1)) {
    // dlsym may allocate (its error buffer): those calls take the fallback below.
    void* sym = dlsym(RTLD_NEXT, "malloc");
    if (sym != nullptr && sym != reinterpret_cast<void*>(&::malloc)) {
      g_next_malloc.store(reinterpret_cast<MallocFn>(sym), std::memory_order_relaxed);
    }
    g_resolve_state.store(2);
    next = g_next_malloc.load(std::memory_order_relaxed);
    if (next != nullptr) return next(n);
  }
  return FallbackMalloc(n);
}
#endif

#if BAOZI_JEMALLOC

inline void* Allocate(size_t n) {
  n = NonZero(n);
  void* p = NextMalloc(n);
  if (p != nullptr) Add(nallocx(n, 0));
  return p;
}
inline void* AllocateZeroed(size_t n) {
  n = NonZero(n);
  void* p = mallocx(n, MALLOCX_ZERO);
  if (p != nullptr) Add(nallocx(n, 0));
  return p;
}
inline void* AllocateAligned(size_t n, size_t align) {
  n = NonZero(n);
  const int flags = MALLOCX_ALIGN(align);
  void* p = mallocx(n, flags);
  if (p != nullptr) Add(nallocx(n, flags));
  return p;
}
inline void Deallocate(void* p) {
  if (p == nullptr) return;
  const size_t n = sallocx(p, 0);
  Sub(n);
  sdallocx(p, n, 0);
}
inline void DeallocateSized(void* p, size_t n, size_t align) {
  if (p == nullptr) return;
  n = NonZero(n);
  const int flags = align != 0 ? MALLOCX_ALIGN(align) : 0;
  Sub(nallocx(n, flags));
  sdallocx(p, n, flags);
}
// Resizes a live allocation (p != nullptr, n != 0); nullptr leaves p as it was.
inline void* Reallocate(void* p, size_t n) {
  const size_t old_size = sallocx(p, 0);
  void* q = rallocx(p, n, 0);
  if (q != nullptr) Change(old_size, nallocx(n, 0));
  return q;
}

#elif BAOZI_REPLACE_MALLOC  // glibc

inline void* Allocate(size_t n) {
  void* p = NextMalloc(n);
  if (p != nullptr) Add(malloc_usable_size(p));
  return p;
}
inline void* AllocateZeroed(size_t n) {
  void* p = __libc_calloc(1, n);
  if (p != nullptr) Add(malloc_usable_size(p));
  return p;
}
inline void* AllocateAligned(size_t n, size_t align) {
  void* p = __libc_memalign(align, n);
  if (p != nullptr) Add(malloc_usable_size(p));
  return p;
}
inline void Deallocate(void* p) {
  if (p == nullptr) return;
  Sub(malloc_usable_size(p));
  __libc_free(p);
}
inline void DeallocateSized(void* p, size_t, size_t) { Deallocate(p); }
inline void* Reallocate(void* p, size_t n) {
  const size_t old_size = malloc_usable_size(p);
  void* q = __libc_realloc(p, n);
  if (q != nullptr) Change(old_size, malloc_usable_size(q));
  return q;
}

#else  // AddressSanitizer: it keeps malloc; only C++ allocations are counted

inline void* Allocate(size_t n) {
  void* p = std::malloc(NonZero(n));
  if (p != nullptr) Add(malloc_usable_size(p));
  return p;
}
inline void* AllocateAligned(size_t n, size_t align) {
  void* p = nullptr;
  if (posix_memalign(&p, std::max(align, sizeof(void*)), NonZero(n)) != 0) return nullptr;
  Add(malloc_usable_size(p));
  return p;
}
inline void Deallocate(void* p) {
  if (p == nullptr) return;
  Sub(malloc_usable_size(p));
  std::free(p);
}
[[maybe_unused]] inline void DeallocateSized(void* p, size_t, size_t) { Deallocate(p); }

#endif

[[maybe_unused]] void* NewOrThrow(size_t n) {
  for (;;) {
    if (void* p = Allocate(n)) return p;
    std::new_handler h = std::get_new_handler();
    if (h == nullptr) throw std::bad_alloc();
    h();
  }
}

[[maybe_unused]] void* NewAlignedOrThrow(size_t n, std::align_val_t al) {
  for (;;) {
    if (void* p = AllocateAligned(n, static_cast<size_t>(al))) return p;
    std::new_handler h = std::get_new_handler();
    if (h == nullptr) throw std::bad_alloc();
    h();
  }
}

}  // namespace

size_t UsedBytes() { return g_used.load(std::memory_order_relaxed); }

void* UncountedRealloc(void* p, size_t n) {
#if BAOZI_JEMALLOC
  if (n == 0) {
    if (p != nullptr) dallocx(p, 0);
    return nullptr;
  }
  return p == nullptr ? mallocx(n, 0) : rallocx(p, n, 0);
#elif BAOZI_REPLACE_MALLOC
  if (n == 0) {
    __libc_free(p);
    return nullptr;
  }
  return p == nullptr ? __libc_malloc(n) : __libc_realloc(p, n);
#else
  if (n == 0) {
    std::free(p);
    return nullptr;
  }
  return std::realloc(p, n);
#endif
}

#if BAOZI_JEMALLOC

std::string_view Name() {
  return "jemalloc-" BAOZI_STR(JEMALLOC_VERSION_MAJOR) "." BAOZI_STR(
      JEMALLOC_VERSION_MINOR) "." BAOZI_STR(JEMALLOC_VERSION_BUGFIX);
}
bool IsJemalloc() { return true; }

Stats ReadStats() {
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
  auto get = [](const char* name) {
    size_t v = 0;
    size_t len = sizeof(v);
    return mallctl(name, &v, &len, nullptr, 0) == 0 ? v : 0;
  };
  Stats s;
  s.allocated = get("stats.allocated");
  s.active = get("stats.active");
  s.resident = get("stats.resident");
  s.mapped = get("stats.mapped");
  s.retained = get("stats.retained");
  return s;
}

std::string MallocStats() {
  std::string out;
  malloc_stats_print(
      [](void* opaque, const char* text) { static_cast<std::string*>(opaque)->append(text); }, &out,
      nullptr);
  return out;
}

bool Purge() {
  return mallctl("arena." BAOZI_STR(MALLCTL_ARENAS_ALL) ".purge", nullptr, nullptr, nullptr, 0) ==
         0;
}

bool StartBackgroundPurge() {
  bool on = true;
  return mallctl("background_thread", nullptr, nullptr, &on, sizeof(on)) == 0;
}

#else

std::string_view Name() { return "libc"; }
bool IsJemalloc() { return false; }
Stats ReadStats() { return {}; }
std::string MallocStats() { return "Stats not supported for the current allocator"; }
bool Purge() { return true; }
bool StartBackgroundPurge() { return false; }

#endif

}  // namespace baozi::alloc

namespace a = baozi::alloc;

// ---- operator new / delete ----

#if !BAOZI_KEEP_SANITIZER_NEW
void* operator new(size_t n) { return a::NewOrThrow(n); }
void* operator new[](size_t n) { return a::NewOrThrow(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try {
    return a::NewOrThrow(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try {
    return a::NewOrThrow(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t n, std::align_val_t al) { return a::NewAlignedOrThrow(n, al); }
void* operator new[](size_t n, std::align_val_t al) { return a::NewAlignedOrThrow(n, al); }
void* operator new(size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return a::NewAlignedOrThrow(n, al);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  try {
    return a::NewAlignedOrThrow(n, al);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { a::Deallocate(p); }
void operator delete[](void* p) noexcept { a::Deallocate(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { a::Deallocate(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { a::Deallocate(p); }
void operator delete(void* p, size_t n) noexcept { a::DeallocateSized(p, n, 0); }
void operator delete[](void* p, size_t n) noexcept { a::DeallocateSized(p, n, 0); }
void operator delete(void* p, std::align_val_t) noexcept { a::Deallocate(p); }
void operator delete[](void* p, std::align_val_t) noexcept { a::Deallocate(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  a::Deallocate(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  a::Deallocate(p);
}
void operator delete(void* p, size_t n, std::align_val_t al) noexcept {
  a::DeallocateSized(p, n, static_cast<size_t>(al));
}
void operator delete[](void* p, size_t n, std::align_val_t al) noexcept {
  a::DeallocateSized(p, n, static_cast<size_t>(al));
}
#endif  // !BAOZI_KEEP_SANITIZER_NEW

// ---- the C allocation functions ----

#if BAOZI_REPLACE_MALLOC

extern "C" {

void* malloc(size_t n) noexcept {
  void* p = a::Allocate(n);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

void free(void* p) noexcept { a::Deallocate(p); }

void* calloc(size_t count, size_t size) noexcept {
  size_t n;
  void* p = __builtin_mul_overflow(count, size, &n) ? nullptr : a::AllocateZeroed(n);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

// glibc's semantics, which callers here were written against: realloc(p, 0) frees p and
// returns NULL; on failure p is left as it was.
void* realloc(void* p, size_t n) noexcept {
  if (p == nullptr) return malloc(n);
  if (n == 0) {
    a::Deallocate(p);
    return nullptr;
  }
  void* q = a::Reallocate(p, n);
  if (q == nullptr) errno = ENOMEM;
  return q;
}

int posix_memalign(void** out, size_t align, size_t n) noexcept {
  if (!a::PowerOfTwo(align) || align < sizeof(void*)) return EINVAL;
  void* p = a::AllocateAligned(n, align);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* aligned_alloc(size_t align, size_t n) noexcept {
  if (!a::PowerOfTwo(align)) {
    errno = EINVAL;
    return nullptr;
  }
  void* p = a::AllocateAligned(n, align);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

void* memalign(size_t align, size_t n) noexcept { return aligned_alloc(align, n); }

void* valloc(size_t n) noexcept {
  return aligned_alloc(static_cast<size_t>(sysconf(_SC_PAGESIZE)), n);
}

void* pvalloc(size_t n) noexcept {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return aligned_alloc(page, (a::NonZero(n) + page - 1) / page * page);
}

}  // extern "C"

#endif
