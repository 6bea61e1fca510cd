#!/usr/bin/env bash
# The integration suite (tests/integration) against one server binary, as CI runs it:
#
#   scripts/integration.sh SERVER [PYTEST ARGS...]
#
# First every test not marked `serial`, spread over INTEGRATION_JOBS pytest-xdist workers
# (default 4: most tests wait on sockets and timers, so four share two cores well and the
# suite takes about a third of its serial time), then the `serial` tests one at a time
# (those that bound the server's answer times). Extra arguments (paths, --ignore, -k, ...)
# go to both passes. Debian's python3 has pytest, pytest-xdist and redis-py; a pyenv or venv
# python3 earlier on PATH would not.
set -uo pipefail
cd "$(dirname "$0")/.."
server=$1
shift
args=("$@")
[[ ${#args[@]} -eq 0 || ${args[0]} == -* ]] && args=(tests/integration "${args[@]}")
jobs=${INTEGRATION_JOBS:-4}

status=0
run() {
  BAOZI_SERVER=$server /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
  local rc=$?
  # 5: nothing collected (a narrowed run with no serial test in it).
  ((rc == 0 || rc == 5)) || status=1
}
parallel=()
((jobs > 1)) && parallel=(-n "$jobs")
run "${parallel[@]}" -m "not serial" "${args[@]}"
run -m serial "${args[@]}"
exit "$status"
