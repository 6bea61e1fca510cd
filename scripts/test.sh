#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, a Release build, the
# Catch2 suites through CTest, then the integration and differential tests
# (pytest + redis-py + redis-cli/redis-benchmark, against Debian's
# redis-server as the oracle).  Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2

status=0
ctest --test-dir build --output-on-failure -j2 || status=1

# Debian's python has python3-redis and python3-pytest; a pyenv or venv
# python3 earlier on PATH would not.
BAOZI_SERVER="${BAOZI_SERVER:-$PWD/build/baozi-server}" \
  /usr/bin/python3 -m pytest tests/integration -q -p no:cacheprovider || status=1

if ((status != 0)); then
  echo "test.sh: FAILED" >&2
else
  echo "test.sh: all tests passed"
fi
exit "$status"
