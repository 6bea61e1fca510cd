#!/usr/bin/env bash
# Installs everything baozi needs to build and test, from Debian packages only.
# Idempotent: when every package is already installed it changes nothing, so
# reruns take a fraction of a second.  Runs as root (CI does); otherwise uses
# sudo when it is available.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libasio-dev libxxhash-dev libjemalloc-dev liblzf-dev catch2
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
  redis-server redis-tools
  python3 python3-redis python3-pytest python3-pytest-xdist
  # The sanitizer and fuzzing stages (scripts/sanitize.sh, scripts/fuzz.sh): clang 19 with its
  # sanitizer and libFuzzer runtimes.
  clang-19 libclang-rt-19-dev
  # The clients and tools the drop-in tests run unchanged (tests/integration, tests/clients).
  tmux python3-gevent python3-celery python3-rq nutcracker prometheus-redis-exporter nodejs
)

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    echo "setup.sh: missing packages (${missing[*]}) and not root without sudo" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
fi

# The redis-server package starts Debian's own service on 6379, which would
# take baozi's port.  Tests start their own redis-server on free ports, so the
# service is stopped and kept from starting again.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  if systemctl is-active --quiet redis-server 2>/dev/null; then
    "${SUDO[@]}" systemctl stop redis-server
  fi
  if systemctl is-enabled --quiet redis-server 2>/dev/null; then
    "${SUDO[@]}" systemctl disable redis-server >/dev/null 2>&1 || true
  fi
else
  # No systemd (containers): apt may have started it through its init script,
  # which records the pid here.
  pidfile=/run/redis/redis-server.pid
  if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
      [[ $(readlink -f "/proc/$pid/exe" 2>/dev/null) == */redis-check-rdb ||
         $(readlink -f "/proc/$pid/exe" 2>/dev/null) == */redis-server ]]; then
      echo "setup.sh: stopping Debian's redis-server service (pid $pid)"
      if [[ -x /etc/init.d/redis-server ]]; then
        "${SUDO[@]}" /etc/init.d/redis-server stop >/dev/null 2>&1 || "${SUDO[@]}" kill "$pid"
      else
        "${SUDO[@]}" kill "$pid"
      fi
    fi
  fi
fi

# npm: Debian's package, unless the installed nodejs brings its own (NodeSource's does, and
# conflicts with Debian's npm).
if ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: installing npm"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get install -y --no-install-recommends npm
fi

# The node clients (node-redis v4 and v5, ioredis) at the versions package-lock.json pins,
# installed again only when the lock file changed since the last install.
node_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/clients/node"
if [[ -f $node_dir/package-lock.json ]] &&
  ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.baozi-installed-lock" 2>/dev/null; then
  echo "setup.sh: npm ci in $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$node_dir/package-lock.json" "$node_dir/node_modules/.baozi-installed-lock"
fi
