#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, a Release build, the
# Catch2 suites through CTest, then the integration and differential tests
# (pytest + redis-py + redis-cli/redis-benchmark, against Debian's
# redis-server as the oracle); with BAOZI_SANITIZERS=1, the sanitizer stages (scripts/sanitize.sh:
# every Catch2 suite and a chosen part of pytest under ASan+UBSan+LSan, the
# AOF fsync thread under TSan) and, when present, the short fuzzing run
# (scripts/fuzz_ci.sh).  Exits non-zero if anything fails.
# BAOZI_SANITIZERS=1 adds the sanitizer and fuzzing stages (not yet in CI: see below).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2

status=0
# Off by default until the stages fit CI's 20-minute budget (see scripts/sanitize.sh): an ASan
# build of every suite alone costs about 11 minutes on 2 cores. BAOZI_SANITIZERS=1 runs them.
sanitizers=${BAOZI_SANITIZERS:-0}
if [[ $sanitizers != 0 ]]; then
  # The ASan build overlaps the Release tests, which mostly wait on sockets and timers; its
  # output goes to a log so it does not interleave with pytest's (shown if it fails).
  nice -n 5 bash scripts/sanitize.sh build-asan >build-asan.log 2>&1 &
  asan_build=$!
fi
ctest --test-dir build --output-on-failure -j2 || status=1

# Debian's python has python3-redis and python3-pytest; a pyenv or venv
# python3 earlier on PATH would not.
BAOZI_SERVER="${BAOZI_SERVER:-$PWD/build/baozi-server}" \
  /usr/bin/python3 -m pytest tests/integration -q -p no:cacheprovider || status=1

echo "test.sh: Release stage done at $((SECONDS - start)) s"

if [[ $sanitizers != 0 ]]; then
  # CI must stay under 20 minutes in total on a fresh 2-core machine: scripts/sanitize.sh says
  # what runs where and why.
  if ! wait "$asan_build"; then
    cat build-asan.log >&2
    status=1
  fi
  tail -n 1 build-asan.log
  bash scripts/sanitize.sh all || status=1
  echo "test.sh: sanitizer stages done at $((SECONDS - start)) s"
  if [[ -f scripts/fuzz_ci.sh ]]; then
    bash scripts/fuzz_ci.sh || status=1
    echo "test.sh: fuzzing done at $((SECONDS - start)) s"
  fi
fi

if ((status != 0)); then
  echo "test.sh: FAILED" >&2
else
  echo "test.sh: all tests passed"
fi
exit "$status"
