#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, a Release build, the Catch2 suites through
# CTest, the integration and differential tests (pytest + redis-py + redis-cli/redis-benchmark
# and the other clients, against Debian's redis-server as the oracle), then the sanitizer
# stages (scripts/sanitize.sh: every Catch2 suite and the integration suite once more under
# ASan+UBSan+LSan, the AOF fsync thread under TSan) and a short fuzzing run of every libFuzzer
# target (scripts/fuzz_ci.sh). Exits non-zero if anything fails.
#
# CI's budget is 20 minutes on a fresh 2-core machine; this takes about 15 (the stages print
# their times). BAOZI_SANITIZERS=0 stops after the Release stage, for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
stamp() { echo "test.sh: $1 at $((SECONDS - start)) s"; }

bash scripts/setup.sh
stamp "setup done"
# Line tables only (-g1): the same code as the default -g, built in a third less time.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBAOZI_LINE_TABLES=ON
cmake --build build -j2
stamp "Release build done"

status=0
ctest --test-dir build --output-on-failure -j2 || status=1
scripts/integration.sh "${BAOZI_SERVER:-$PWD/build/baozi-server}" || status=1
stamp "Release stage done"

if [[ ${BAOZI_SANITIZERS:-1} != 0 ]]; then
  # The builds run in the foreground: the parallel tests keep both cores busy, and some bound
  # answer times. The exception is the TSan server, built beside the fuzzing, which is one
  # process on one core; its output goes to a log, shown if it fails.
  bash scripts/sanitize.sh build-asan || status=1
  stamp "ASan build done"
  bash scripts/sanitize.sh asan || status=1
  stamp "ASan stage done"
  nice -n 5 bash scripts/sanitize.sh build-tsan >build-tsan.log 2>&1 &
  tsan_build=$!
  bash scripts/fuzz_ci.sh || status=1
  stamp "fuzzing done"
  if wait "$tsan_build"; then
    tail -n 1 build-tsan.log
    bash scripts/sanitize.sh tsan || status=1
  else
    cat build-tsan.log >&2
    status=1
  fi
  stamp "TSan stage done"
fi

if ((status != 0)); then
  echo "test.sh: FAILED" >&2
else
  echo "test.sh: all tests passed"
fi
exit "$status"
