#!/usr/bin/env bash
# What CI runs of the fuzzing (issue 9): builds the libFuzzer targets with clang + ASan/UBSan
# in their own build directory, replays every corpus file, then fuzzes each target briefly.
# Every target, 8 s each: about 1 minute of fuzzing and replay after a build of about
# 2.5 minutes on 2 idle cores (clang -O1 + ASan/UBSan: about 4.5 CPU-minutes, mostly the server
# library the config and dispatch targets need). FUZZ_CI_TARGETS="resp_parser inline glob rdb
# aof" skips the server library and halves the build. A g++ sanitizer build configured with
# -DBAOZI_FUZZ=ON also replays every corpus as ctest tests "fuzz_replay: <name>".
#
# Environment: FUZZ_CI_SECONDS (per target, default 8), FUZZ_CI_TARGETS (space-separated),
# FUZZ_BUILD_DIR (default build-fuzz-ci).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz-ci}
read -r -a targets <<<"${FUZZ_CI_TARGETS:-resp_parser inline glob config rdb aof dispatch}"
exec scripts/fuzz.sh "${FUZZ_CI_SECONDS:-8}" "${targets[@]}"
