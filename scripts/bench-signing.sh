#!/usr/bin/env bash
# Approval-to-signed throughput and approval latency of the whole service, beside the raw SoftHSM2 C_Sign rate, in one run.
#
#   scripts/bench-signing.sh
#   BENCH_SIGNERS=50 BENCH_APPROVALS_PER_SIGNER=10 BENCH_ROUNDS_1=20 BENCH_ROUNDS_10=5 BENCH_ROUNDS_100=3 scripts/bench-signing.sh
#
# 1. Prepares a private PostgreSQL cluster and a fresh SoftHSM2 token under .data/bench-signing/ (git-ignored).
# 2. Measures the raw ceiling: bench/native/p11bench.c (C_SignInit + C_Sign, RSA-2048 CKM_SHA256_RSA_PKCS, one session per
#    thread) on 1 and 2 threads for BENCH_RAW_SECONDS (default 3) each, on a throw-away key in the same token.
# 3. Runs bench/SignatureService.Approval.Benchmarks (Release): the service in process over that cluster and token, a CA,
#    signers with software security keys; batches of 1, 10 and 100 documents at ES-T and ES-B (from POST /v1/approvals to
#    `signed`), each row beside a raw p11bench rate measured just before and after it (BENCH_RAW_ADJACENT_SECONDS, default 2),
#    after a warm-up until the JIT is idle (at least BENCH_WARMUP_PASSES passes, default 3); the same with
#    BENCH_PIPELINE_SIGNERS (default 4) signers approving at once (BENCH_PIPELINE_ROUNDS_N approvals each, defaults 25, 25
#    and 4; 0 skips a size), each size after its own warm-up until the JIT is idle (passes of BENCH_PIPELINE_WARMUP_ROUNDS × 10
#    / N approvals per signer, default 5);
#    CPU (process and PostgreSQL) and allocations per ten-document approval by step, one at a time (BENCH_PHASE_ROUNDS
#    approvals, default 30; 0 skips);
#    then single-document approvals by 50 signers: closed loop (saturation throughput) and open loop at BENCH_OPEN_RATE
#    approvals/s (default 10; p50/p99 per call). BENCH_LEVELS (default ES-T,ES-B); BENCH_ROUNDS_N=0 skips a size,
#    BENCH_SIGNERS=0 the latency part. Prints markdown tables. See docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

command -v dotnet >/dev/null || ss_die "the .NET 10 SDK is required (dotnet on PATH)"
ss_base_packages
ss_apt_install gcc libp11-kit-dev
ss_postgres bench-signing 25632
ss_softhsm bench-signing signsvc-bench fresh
ss_proofing_key bench-signing
export SIGNSVC_TEST_PROOFING_KEY_FILE=$SS_PROOFING_KEY_FILE

export SIGNSVC_TEST_PG="$(ss_connection_string postgres)"
export SIGNSVC_TEST_HSM_MODULE=$SS_HSM_MODULE SIGNSVC_TEST_HSM_TOKEN=$SS_HSM_TOKEN SIGNSVC_TEST_HSM_PIN_FILE=$SS_HSM_PIN_FILE

data="$SS_ROOT/.data/bench-signing"
seconds="${BENCH_RAW_SECONDS:-3}"
gcc -O2 -Wall -Wextra -I/usr/include/p11-kit-1 -o "$data/p11bench" "$SS_ROOT/bench/native/p11bench.c" -ldl -lpthread
ss_log "raw SoftHSM2 C_Sign, RSA-2048, ${seconds} s per case"
raw1="$("$data/p11bench" "$SS_HSM_MODULE" "$SS_HSM_TOKEN" "$SS_HSM_PIN_FILE" rsa 1 "$seconds" | awk '{print $1}')"
raw2="$("$data/p11bench" "$SS_HSM_MODULE" "$SS_HSM_TOKEN" "$SS_HSM_PIN_FILE" rsa 2 "$seconds" | awk '{print $1}')"

ss_log "building the benchmark"
dotnet build -c Release --nologo -v q -clp:ErrorsOnly "$SS_ROOT/bench/SignatureService.Approval.Benchmarks" >/dev/null
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "raw SoftHSM2 C_Sign RSA-2048 (p11bench.c): ${raw1}/s on 1 thread, ${raw2}/s on 2 threads"
echo
# Note: WebApplicationFactory finds the service's content root through this variable outside a test project.
export ASPNETCORE_TEST_CONTENTROOT_SIGNATURESERVICE_API="$SS_ROOT/src/SignatureService.Api"
BENCH_RAW_RSA_1="$raw1" BENCH_RAW_RSA_2="$raw2" BENCH_P11BENCH="$data/p11bench" \
  dotnet "$SS_ROOT/bench/SignatureService.Approval.Benchmarks/bin/Release/net10.0/SignatureService.Approval.Benchmarks.dll"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
