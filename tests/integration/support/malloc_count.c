// LD_PRELOAD shim for test_hot_path_allocations.py: counts malloc calls and prints the total
// to stderr when the process exits, so a test can check that serving more commands does not
// allocate more.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static unsigned long count;
static void* (*real_malloc)(size_t);
void* malloc(size_t n) {
  if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
  __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
  return real_malloc(n);
}
__attribute__((destructor)) static void report(void) {
  char buf[64]; int len = snprintf(buf, sizeof buf, "MALLOCS %lu\n", count);
  write(2, buf, len);
}
