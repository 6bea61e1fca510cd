#!/usr/bin/env bash
# What CI runs of the fuzzing (issue 9): replays every corpus file through its libFuzzer target
# under ASan+UBSan, then fuzzes each target briefly (8 s each: about a minute in all). The
# targets come from scripts/sanitize.sh's clang build-asan, built there together with the test
# suites; run alone, this script configures and builds that directory for the targets only.
#
# The seed is fixed (FUZZ_SEED, default 1), so that a CI run explores what the same commit
# explored when it was tested, and a failure is reproducible; new ground is for the longer
# random-seeded runs of scripts/fuzz.sh, whose finds join the corpora.
#
# Environment: FUZZ_CI_SECONDS (per target, default 8), FUZZ_CI_TARGETS (space-separated),
# FUZZ_BUILD_DIR (default build-asan), FUZZ_SEED (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-asan}
export FUZZ_SEED=${FUZZ_SEED:-1}
read -r -a targets <<<"${FUZZ_CI_TARGETS:-resp_parser inline glob config rdb aof dispatch}"
exec scripts/fuzz.sh "${FUZZ_CI_SECONDS:-8}" "${targets[@]}"
