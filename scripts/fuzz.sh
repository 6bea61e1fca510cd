#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang, ASan and UBSan, then fuzzes each for a
# while and reports executions per second and any crash.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 60 s each, every target
#   scripts/fuzz.sh 300 rdb dispatch
#
# Targets: resp_parser inline glob config rdb aof dispatch. Seeds come from fuzz/corpus/<t>/;
# new inputs go to <build>/corpus/<t>/ (kept between runs, never into the repo), crash inputs
# to <build>/artifacts/. A crash input worth keeping goes into fuzz/corpus/<t>/ as a
# regression once the bug is fixed.
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (make -j, default 2),
# FUZZ_REPLAY_ONLY=1 (replay the seed corpora, do not fuzz), FUZZ_SEED (libFuzzer's -seed;
# default random), CXX (default clang++-19).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
[[ $# -gt 0 ]] && shift
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(resp_parser inline glob config rdb aof dispatch)
build=${FUZZ_BUILD_DIR:-build-fuzz}
[[ $build = /* ]] || build="$root/$build"

# clang 19: libstdc++ 12 offers std::expected only to a compiler with full C++20 concepts.
cxx=${CXX:-}
if [[ -z $cxx || $cxx != *clang* ]]; then
  cxx=$(command -v clang++-19 || true)
fi
if [[ -z $cxx ]]; then
  echo "fuzz.sh: clang++-19 not found (Debian packages clang-19 libclang-rt-19-dev)" >&2
  exit 2
fi

t0=$(date +%s)
# A build directory already configured for fuzzing (scripts/sanitize.sh's build-asan, which
# also holds the test suites) is used as it is; any other is configured with the targets only.
if ! grep -qs '^BAOZI_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  CXX=$cxx cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBAOZI_FUZZ=ON \
    -DBAOZI_SANITIZE=ON -DBAOZI_TESTS=OFF >"$build.cmake.log" 2>&1 ||
    { cat "$build.cmake.log"; exit 2; }
fi
make -C "$build" -j"${FUZZ_JOBS:-2}" $(printf '%s_fuzz ' "${targets[@]}") >"$build.make.log" 2>&1 ||
  { tail -50 "$build.make.log"; exit 2; }
echo "fuzz: built ${#targets[@]} targets in $(($(date +%s) - t0)) s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$build/artifacts"
failed=()

for t in "${targets[@]}"; do
  exe="$build/fuzz/${t}_fuzz"
  seeds="$root/fuzz/corpus/$t"
  log="$build/$t.log"
  # Replay: every seed and regression input once, by name.
  mapfile -t files < <(find "$seeds" -type f | sort)
  if ! "$exe" -rss_limit_mb=2560 "${files[@]}" >"$log.replay" 2>&1; then
    echo "fuzz: $t: REPLAY FAILED (log $log.replay)"
    grep -E "ERROR|SUMMARY|runtime error|_fuzz: |Running: " "$log.replay" | tail -8
    failed+=("$t")
    continue
  fi
  [[ ${FUZZ_REPLAY_ONLY:-0} = 1 ]] && { echo "fuzz: $t: replayed ${#files[@]} inputs"; continue; }

  mkdir -p "$build/corpus/$t"
  extra=()
  [[ $t = dispatch ]] && extra=(-max_len=4096)
  [[ $t = glob ]] && extra=(-max_len=512)
  [[ -n ${FUZZ_SEED:-} ]] && extra+=(-seed="$FUZZ_SEED")
  set +e
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" "${extra[@]}" "$build/corpus/$t" "$seeds" \
    >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -m1 -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  eps=$(grep -m1 -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  if [[ $rc -ne 0 ]]; then
    echo "fuzz: $t: CRASH after $runs runs (log $log)"
    grep -E "ERROR|SUMMARY|runtime error|_fuzz: |Test unit written" "$log" | tail -8
    failed+=("$t")
  else
    printf 'fuzz: %-12s %8s exec/s  %10s runs in %ss  %s\n' "$t" "$eps" "$runs" "$seconds" "$cov"
  fi
done

echo "fuzz: total $(($(date +%s) - t0)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
