#!/usr/bin/env bash
# Sustained load (issue 9 item 3): the real service as its own process over HTTP, a steady open-loop load of signature
# requests approved with software authenticators, then a drain until every approved request is final. Prints markdown.
#
#   scripts/bench-soak.sh
#   BENCH_SOAK_MINUTES=10 BENCH_SOAK_RATE=5 BENCH_SOAK_SIGNERS=20 BENCH_SOAK_DRAIN_MINUTES=15 scripts/bench-soak.sh
#
# 1. Prepares a private PostgreSQL cluster and a fresh SoftHSM2 token under .data/bench-soak/ (git-ignored).
# 2. Builds bench/SignatureService.Approval.Benchmarks in Release (which builds src/SignatureService.Api in Release).
# 3. Runs it with BENCH_MODE=soak: in process (as bench-signing.sh) a CA, one EHR client and N signers with registered
#    software security keys; then that service is stopped and `dotnet src/SignatureService.Api/bin/Release/net10.0/
#    SignatureService.Api.dll` is started on the same database and token (settings as environment variables, Kestrel on
#    127.0.0.1); the signers log in over HTTP (WebAuthn, session cookie + CSRF); 10 warm-up requests; then request k is
#    started at k / BENCH_SOAK_RATE seconds (fixed rate, not closed loop): POST /v1/signature-requests (EHR client JWT),
#    POST /v1/approvals, software key, POST /v1/approvals/{id}/assertion; afterwards it waits until every approved request
#    is final in the store. Reports throughput, p50/p90/p99 per operation, errors by operation/status/code, created and
#    signed per minute, and the service process's RSS, threads, open fds and PostgreSQL connections at start, every
#    minute, at the end of the load and after the drain. Exit status 1 if something did not reach a final state.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

command -v dotnet >/dev/null || ss_die "the .NET 10 SDK is required (dotnet on PATH)"
ss_base_packages
ss_postgres bench-soak 25732
ss_softhsm bench-soak signsvc-soak fresh
ss_proofing_key bench-soak
export SIGNSVC_TEST_PROOFING_KEY_FILE=$SS_PROOFING_KEY_FILE

export SIGNSVC_TEST_PG="$(ss_connection_string postgres)"
export SIGNSVC_TEST_HSM_MODULE=$SS_HSM_MODULE SIGNSVC_TEST_HSM_TOKEN=$SS_HSM_TOKEN SIGNSVC_TEST_HSM_PIN_FILE=$SS_HSM_PIN_FILE

ss_log "building the benchmark and the service (Release)"
dotnet build -c Release --nologo -v q -clp:ErrorsOnly "$SS_ROOT/bench/SignatureService.Approval.Benchmarks" >/dev/null
echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo
# Note: WebApplicationFactory finds the service's content root through this variable outside a test project.
export ASPNETCORE_TEST_CONTENTROOT_SIGNATURESERVICE_API="$SS_ROOT/src/SignatureService.Api"
status=0
BENCH_MODE=soak dotnet "$SS_ROOT/bench/SignatureService.Approval.Benchmarks/bin/Release/net10.0/SignatureService.Approval.Benchmarks.dll" || status=$?
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
exit $status
