#!/bin/bash
# tests/fuzz/run.sh SECONDS: build the libFuzzer targets (clang, ASan + UBSan)
# if needed and run each tests/fuzz/fuzz_NAME.c for SECONDS on a scratch copy
# of its seed corpus tests/fuzz/corpus/NAME (the repository is not modified).
# Exits non-zero if a target fails to build, crashes, leaks or times out; the
# input that did it is kept in $FUZZ_BUILD/fuzz-artifacts.
#   FUZZ_BUILD   build directory (default build-fuzz)
set -euo pipefail

seconds=${1:?usage: tests/fuzz/run.sh SECONDS}
cd "$(dirname "$0")/../.."
build=${FUZZ_BUILD:-build-fuzz}

if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
elif ! grep -A1 '^rule c_COMPILER' "$build/build.ninja" | grep -q clang; then
	echo "run.sh: $build is not a clang build; remove it or set FUZZ_BUILD" >&2
	exit 1
else
	meson configure "$build" -Dfuzz=true >/dev/null
fi

targets=()
for src in tests/fuzz/fuzz_*.c; do
	targets+=("$(basename "$src" .c)")
done
ninja -C "$build" "${targets[@]/#/tests/fuzz/}"

work=$(mktemp -d /tmp/vessel-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

# UBSan only reports by default: make its findings crashes the fuzzer sees.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

status=0
for target in "${targets[@]}"; do
	name=${target#fuzz_}
	corpus=$work/$name
	mkdir -p "$corpus"
	if [[ -d tests/fuzz/corpus/$name ]]; then
		cp -r "tests/fuzz/corpus/$name/." "$corpus/"
	fi
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$artifacts/$target-")
	if [[ -f tests/fuzz/$name.dict ]]; then
		args+=(-dict="tests/fuzz/$name.dict")
	fi
	echo "=== $target: ${seconds}s, $(find "$corpus" -type f | wc -l) seed inputs"
	if ! "$build/tests/fuzz/$target" "${args[@]}" "$corpus"; then
		echo "run.sh: $target failed; inputs in $artifacts:" >&2
		ls -l "$artifacts" >&2
		status=1
	fi
done
exit "$status"
