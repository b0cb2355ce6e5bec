#!/usr/bin/env bash
# Where the machine's CPU goes while approvals are signed: perf over the whole machine (the service, SoftHSM2 in it, and
# PostgreSQL) during one pipelined row of the signing benchmark.
#
#   scripts/profile-signing.sh                       # ten-document ES-B approvals, 4 signers at once, 6 s of samples
#   PROFILE_DOCUMENTS=100 PROFILE_LEVEL=ES-T PROFILE_SECONDS=4 scripts/profile-signing.sh
#
# Runs scripts/bench-signing.sh with only that pipelined row (150 approvals per signer, so the row outlasts the samples),
# waits for the raw HSM run the benchmark makes just before the row, then records `perf record -F 499 -a -g` for
# PROFILE_SECONDS. The JIT writes a perf map (and allocates its code without the double mapping), so managed frames resolve.
# Leaves .data/profile-signing/perf.data (open it with `perf report -i ...`) and prints the CPU per thread kind and library.
# Needs root or perf_event_paranoid <= -1 for system-wide samples.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
ss_apt_install linux-perf procps

level="${PROFILE_LEVEL:-ES-B}"
documents="${PROFILE_DOCUMENTS:-10}"
seconds="${PROFILE_SECONDS:-6}"
case "$documents" in 1|10|100) ;; *) ss_die "PROFILE_DOCUMENTS must be 1, 10 or 100" ;; esac
out="$SS_ROOT/.data/profile-signing"
mkdir -p "$out"

declare -A rounds=([1]=0 [10]=0 [100]=0)
rounds[$documents]=150
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 BENCH_RAW_ADJACENT_SECONDS=2
BENCH_LEVELS="$level" BENCH_ROUNDS_1=0 BENCH_ROUNDS_10=0 BENCH_ROUNDS_100=0 BENCH_SIGNERS=0 BENCH_PIPELINE_SIGNERS=4 \
  BENCH_PIPELINE_ROUNDS_1="${rounds[1]}" BENCH_PIPELINE_ROUNDS_10="${rounds[10]}" BENCH_PIPELINE_ROUNDS_100="${rounds[100]}" \
  "$SS_ROOT/scripts/bench-signing.sh" >"$out/bench.txt" 2>&1 &
bench=$!

# The row starts right after the benchmark's adjacent raw run (p11bench, 1 thread, 2 s: the arguments end in "1 2").
ss_log "waiting for the pipelined $level row of $documents documents (benchmark output: $out/bench.txt)"
until pgrep -f "p11bench .* rsa 1 2$" >/dev/null; do
  kill -0 "$bench" 2>/dev/null || { cat "$out/bench.txt" >&2; ss_die "the benchmark ended before the row"; }
  sleep 0.05
done
while pgrep -f "p11bench .* rsa 1 2$" >/dev/null; do sleep 0.05; done
sleep 0.3
ss_log "recording $seconds s"
perf record -F 499 -a -g -o "$out/perf.data" -- sleep "$seconds" 2>"$out/perf-record.txt"
wait "$bench" || { cat "$out/bench.txt" >&2; ss_die "the benchmark failed"; }

grep -E '^\| (level|---|ES-)' "$out/bench.txt" | tail -n 3
echo
perf report -i "$out/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 20
