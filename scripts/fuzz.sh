#!/usr/bin/env bash
# Fuzz every parser of a study file for a bounded time.
#
#   scripts/fuzz.sh                  every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh codings memo     chosen targets, 5 minutes each
#   FUZZ_MODE=proptest scripts/fuzz.sh                skip libFuzzer, run the property tests
#   FUZZ_BUILD=dev scripts/fuzz.sh                    unoptimised build (quicker to build)
#
# What it does:
# 1. With cargo-fuzz (installed with `cargo install cargo-fuzz` if missing) it builds the crate in
#    fuzz/ (its own workspace, not part of the main build) and runs each target under libFuzzer
#    for FUZZ_SECONDS, starting from the seed files in fuzz/seeds/TARGET. libFuzzer needs a
#    nightly compiler: `cargo +nightly` is used when a nightly toolchain is installed; otherwise
#    the stable compiler is asked to accept the nightly flags with RUSTC_BOOTSTRAP=1 and the
#    address sanitizer is left out (--sanitizer none).
# 2. When cargo-fuzz cannot be installed or built (no network, no C++ toolchain), or with
#    FUZZ_MODE=proptest, it runs the hostile-input and edited-transcript property tests instead,
#    with PROPTEST_CASES (default 20000) cases each.
#
# A crash is saved by libFuzzer in fuzz/artifacts/TARGET/; reproduce it with
# `cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...`, then keep the input as a test in
# tests/it/regressions/. The script exits non-zero when any target found a crash.
set -uo pipefail

cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-60}"
# FUZZ_BUILD=dev builds without optimisation (quicker to build on a busy machine, slower to run)
BUILD=()
[ "${FUZZ_BUILD:-release}" = dev ] && BUILD=(--dev)
MODE="${FUZZ_MODE:-auto}"
ALL_TARGETS=(transcript codebook codings attributes memo reanchor matrix)
ALL_TARGETS+=(import refi)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

proptest_fallback() {
    local cases="${PROPTEST_CASES:-20000}"
    echo "fuzz.sh: running the property tests with PROPTEST_CASES=$cases instead of libFuzzer"
    PROPTEST_CASES="$cases" cargo test --test it -- reliability_hostile:: reliability_edits::
}

if [ "$MODE" = proptest ]; then
    proptest_fallback
    exit $?
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    if ! cargo install cargo-fuzz --locked; then
        echo "fuzz.sh: cannot install cargo-fuzz"
        proptest_fallback
        exit $?
    fi
fi

TOOLCHAIN=()
SANITIZER=()
if rustup run nightly rustc --version >/dev/null 2>&1; then
    TOOLCHAIN=(+nightly)
else
    echo "fuzz.sh: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1 and no sanitizer"
    export RUSTC_BOOTSTRAP=1
    SANITIZER=(--sanitizer none)
fi

# the fuzz crate has its own target folder unless the caller chose one
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/fuzz/target}"
if ! cargo "${TOOLCHAIN[@]}" fuzz build "${BUILD[@]}" "${SANITIZER[@]}"; then
    echo "fuzz.sh: the fuzz targets do not build with this toolchain"
    proptest_fallback
    exit $?
fi

failed=()
for target in "${TARGETS[@]}"; do
    echo "fuzz.sh: $target for ${SECONDS_EACH}s"
    mkdir -p "fuzz/corpus/$target"
    seeds=()
    [ -d "fuzz/seeds/$target" ] && seeds+=("fuzz/seeds/$target")
    # the importer's fixtures and the REFI-QDA samples, when present, seed those targets
    [ "$target" = import ] && [ -d tests/fixtures/import ] && seeds+=(tests/fixtures/import)
    [ "$target" = refi ] && [ -d "${REFI_SAMPLES:-tests/fixtures/refi}" ] \
        && seeds+=("${REFI_SAMPLES:-tests/fixtures/refi}")
    if ! cargo "${TOOLCHAIN[@]}" fuzz run "${BUILD[@]}" "${SANITIZER[@]}" "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/; add each to tests/it/regressions/)"
    exit 1
fi
echo "fuzz.sh: no crash in ${TARGETS[*]} (${SECONDS_EACH}s each)"
