#!/usr/bin/env bash
# The sanitizer stages of CI (scripts/test.sh runs them after the Release tests), or one of them
# on demand:
#
#   scripts/sanitize.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer in
#                              build-asan: every CTest suite, then the integration tests
#                              (less ASAN_PYTEST_SKIP below) against the ASan server.
#   scripts/sanitize.sh tsan   ThreadSanitizer in build-tsan: the pytest files that drive the AOF
#                              fsync thread (the only thread beside the event loop) against a
#                              TSan server.
#   scripts/sanitize.sh all    both (the default).
#   scripts/sanitize.sh build-asan   only build build-asan (test.sh overlaps it with pytest).
#
# Every sanitizer report is fatal: the builds use -fno-sanitize-recover, the options below make
# ASan/LSan/TSan exit non-zero, and the pytest fixtures fail a test whose server did not exit 0
# on SIGTERM (a clean shutdown runs every destructor, so what LSan reports at exit is a leak).
# `pytest -k`-style narrowing: SANITIZE_PYTEST_ARGS="-k foo" scripts/sanitize.sh asan.
set -euo pipefail
cd "$(dirname "$0")/.."

# Integration tests under ASan: all of tests/integration except these (they all still run in
# the Release stage; the C++ suites all run under ASan). Measured on the 2-core CI machine, the
# whole integration suite takes about 1.8x as long under ASan as in Release.
ASAN_PYTEST_SKIP=(
  # Counts mallocs with an LD_PRELOAD shim, which ASan refuses (its runtime must come first).
  --ignore=tests/integration/test_hot_path_allocations.py
  # Bounds the server's RSS while a client does not read: ASan's quarantine keeps ~200 MB of
  # freed memory mapped, so RSS says nothing about baozi there.
  --deselect=tests/integration/test_output_buffers.py::test_pipelining_client_that_does_not_read_stays_bounded
  # Third-party clients and tools driving the server (benchmark throughput, node clients,
  # celery/rq workers, twemproxy, the examples): they reach no code the other files do not,
  # and cost ~45 s under ASan.
  --ignore=tests/integration/test_redis_benchmark.py
  --ignore=tests/integration/test_node_clients.py
  --ignore=tests/integration/test_job_queues.py
  --ignore=tests/integration/test_rq.py
  --ignore=tests/integration/test_twemproxy.py
  --ignore=tests/integration/test_examples.py
)
# The AOF fsync thread runs only with appendonly yes and appendfsync everysec (the default);
# these files start servers that way, rewrite, kill and restart them (~35 s under TSan). The
# appendfsync always case of the SIGKILL test is left out: it asserts the writers got 100 writes
# acknowledged before the kill, which a TSan server fsyncing every write does not reach, and it
# never touches the fsync thread.
TSAN_PYTEST=(
  tests/integration/test_aof.py tests/integration/test_stream_persistence.py
  "--deselect=tests/integration/test_aof.py::test_sigkill_at_random_moments[always]"
)

export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:abort_on_error=0:halt_on_error=1:print_summary=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# exitcode 66, as ASan's 1 would look like an ordinary failure in a server log.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"

stage=${1:-all}
status=0

build() {  # dir, cmake flags..., then targets after --
  local dir=$1
  shift
  local flags=()
  while [[ $1 != -- ]]; do
    flags+=("$1")
    shift
  done
  shift
  local t0=$SECONDS
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "${flags[@]}" >/dev/null
  cmake --build "$dir" -j2 ${1:+--target "$@"}
  echo "sanitize.sh: built $dir in $((SECONDS - t0)) s"
}

run_pytest() {  # server binary, pytest arguments...
  local server=$1
  shift
  # shellcheck disable=SC2086  # SANITIZE_PYTEST_ARGS is a list of words on purpose
  BAOZI_SERVER=$server /usr/bin/python3 -m pytest "$@" -q -p no:cacheprovider \
    ${SANITIZE_PYTEST_ARGS:-}
}

if [[ $stage == build-asan ]]; then
  # test.sh starts this in the background while the Release tests run: they mostly wait on
  # sockets and timers, leaving most of both cores to the compiler.
  build build-asan -DBAOZI_SANITIZE=ON -DBAOZI_BENCH=OFF --
  exit 0
fi

if [[ $stage == asan || $stage == all ]]; then
  t0=$SECONDS
  build build-asan -DBAOZI_SANITIZE=ON -DBAOZI_BENCH=OFF --
  ctest --test-dir build-asan --output-on-failure -j2 || status=1
  echo "sanitize.sh: ASan ctest done at $((SECONDS - t0)) s"
  run_pytest "$PWD/build-asan/baozi-server" tests/integration "${ASAN_PYTEST_SKIP[@]}" || status=1
  echo "sanitize.sh: ASan stage took $((SECONDS - t0)) s"
fi

if [[ $stage == tsan || $stage == all ]]; then
  t0=$SECONDS
  build build-tsan -DBAOZI_SANITIZE_THREAD=ON -DBAOZI_TESTS=OFF -DBAOZI_BENCH=OFF -- baozi-server
  run_pytest "$PWD/build-tsan/baozi-server" "${TSAN_PYTEST[@]}" || status=1
  echo "sanitize.sh: TSan stage took $((SECONDS - t0)) s"
fi

exit "$status"
