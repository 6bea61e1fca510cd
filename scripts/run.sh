#!/usr/bin/env bash
# Installs dependencies, builds baozi (Release) into build/ and runs it in the
# foreground on the settings of redis.conf.example (port 6379).  Extra
# arguments override directives the way redis-server's do, e.g.
#   ./scripts/run.sh --port 7000 --save ""
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build --target baozi-server -j2

if [[ -f redis.conf.example ]]; then
  exec build/baozi-server redis.conf.example "$@"
else
  exec build/baozi-server --port 6379 "$@"
fi
