#!/usr/bin/env bash
# Runs every test in the solution against a real PostgreSQL cluster and a real SoftHSM2 token under .data/test/
# (created on the first run, reused afterwards; tests isolate themselves with unique databases and key ids).
# Usage: scripts/test.sh [extra arguments for dotnet test, e.g. --filter ...]
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

command -v dotnet >/dev/null || ss_die "the .NET 10 SDK is required (dotnet on PATH)"
ss_base_packages
# Note: the browser test drives Debian's Chromium through Playwright (playwright install cannot download browsers here).
ss_apt_install chromium
# Note: Japanese glyphs for the signer pages in the browser tests and their screenshots (Debian has no CJK font by default).
ss_apt_install fonts-ipafont-gothic
ss_postgres test 25432
# Note: PKCS#11 login state is per process and token, so a wrong-PIN test needs a token no other test logs in to.
ss_softhsm test signsvc-pintest fresh
export SIGNSVC_TEST_HSM_PIN_TEST_TOKEN=$SS_HSM_TOKEN
ss_softhsm test signsvc-test fresh

export SIGNSVC_TEST_PG="$(ss_connection_string postgres)"
export SIGNSVC_TEST_HSM_MODULE=$SS_HSM_MODULE SIGNSVC_TEST_HSM_TOKEN=$SS_HSM_TOKEN
export SIGNSVC_TEST_HSM_PIN_FILE=$SS_HSM_PIN_FILE SIGNSVC_TEST_HSM_SO_PIN_FILE=$SS_HSM_SO_PIN_FILE
export SIGNSVC_TEST_DATA_DIR="$SS_ROOT/.data/test"
# The fault tests' PKCS#11 module: forwards to SoftHSM2 and can make the device disappear (tests/native/p11fault.c).
ss_log "building the PKCS#11 fault module"
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -I/usr/include/p11-kit-1 -o "$SIGNSVC_TEST_DATA_DIR/p11fault.so" \
  "$SS_ROOT/tests/native/p11fault.c" -ldl -lpthread
export SIGNSVC_TEST_HSM_FAULT_MODULE="$SIGNSVC_TEST_DATA_DIR/p11fault.so"
ss_proofing_key test
export SIGNSVC_TEST_PROOFING_KEY_FILE=$SS_PROOFING_KEY_FILE

ss_log "building"
dotnet build "$SS_ROOT/SignatureService.sln" -c Release -nologo -v quiet -clp:ErrorsOnly

ss_log "testing"
log="$SS_ROOT/.data/test/dotnet-test.log"
set +e
dotnet test "$SS_ROOT/SignatureService.sln" -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: the sum over every test assembly.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i < NF; i++) { v = $(i + 1); gsub(",", "", v)
         if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v }
     } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
