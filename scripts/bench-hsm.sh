#!/usr/bin/env bash
# Signing throughput of our PKCS#11 binding against the raw module, measured in the same run.
#
#   scripts/bench-hsm.sh            # 5 alternating native/.NET pairs x 3 s per case; medians reported
#   BENCH_SECONDS=10 BENCH_ROUNDS=5 scripts/bench-hsm.sh
#
# Sets up a throw-away SoftHSM2 token under .data/bench/ (git-ignored), builds bench/native/p11bench.c with gcc and the
# .NET harness bench/SignatureService.Hsm.Benchmarks in Release, then for RSA-2048 CKM_SHA256_RSA_PKCS and P-256
# CKM_ECDSA with 1 and 2 threads (one session per thread) runs the native harness and our binding alternately, and
# prints a markdown table with the median rates and the median of the per-pair ratios binding / raw. Other processes
# share the CPU: the load average is printed too.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$repo/.data/bench"
seconds="${BENCH_SECONDS:-3}"
rounds="${BENCH_ROUNDS:-5}"
module="${SIGNSVC_BENCH_HSM_MODULE:-}"
if [[ -z "$module" ]]; then
  module="$(dpkg -L libsofthsm2 softhsm2 2>/dev/null | grep -m1 '/libsofthsm2\.so$' || true)"
fi
module="${module:-/usr/lib/softhsm/libsofthsm2.so}"
[[ -f "$module" ]] || { echo "PKCS#11 module not found: $module (install softhsm2 or set SIGNSVC_BENCH_HSM_MODULE)" >&2; exit 1; }
command -v softhsm2-util >/dev/null || { echo "softhsm2-util not found (apt-get install softhsm2)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc not found (apt-get install gcc)" >&2; exit 1; }
[[ -f /usr/include/p11-kit-1/p11-kit/pkcs11.h ]] || { echo "pkcs11.h not found (apt-get install libp11-kit-dev)" >&2; exit 1; }

# 1. A throw-away token with random PINs, nothing shared with the test token.
rm -rf "$data"
mkdir -p "$data/tokens"
chmod 700 "$data"
cat > "$data/softhsm2.conf" <<CONF
directories.tokendir = $data/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$data/softhsm2.conf"
(umask 077; head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$data/user.pin"; head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$data/so.pin")
softhsm2-util --init-token --free --label bench --so-pin "$(cat "$data/so.pin")" --pin "$(cat "$data/user.pin")" >/dev/null

# 2. Build both harnesses.
gcc -O2 -Wall -Wextra -I/usr/include/p11-kit-1 -o "$data/p11bench" "$repo/bench/native/p11bench.c" -ldl -lpthread
dotnet build -c Release --nologo -v q "$repo/bench/SignatureService.Hsm.Benchmarks" >/dev/null
dotnet_bench="$repo/bench/SignatureService.Hsm.Benchmarks/bin/Release/net10.0/SignatureService.Hsm.Benchmarks.dll"

echo "SoftHSM2 module: $module; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
  "$rounds alternating pairs x ${seconds} s; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| operation | threads | raw C_Sign/s (p11bench.c), median | our binding/s (HsmKey.Sign), median | binding / raw, median of pairs | pair ratios % (sorted) |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for kind in rsa ec; do
  for threads in 1 2; do
    raws=()
    ours=()
    ratios=()
    # Note: native and .NET runs alternate and each pair gives one ratio; the median of the pair ratios is robust
    #       against the background load changing between pairs (other engineers share the CPU).
    for ((r = 0; r < rounds; r++)); do
      raw="$("$data/p11bench" "$module" bench "$data/user.pin" "$kind" "$threads" "$seconds" | awk '{print $1}')"
      our="$(dotnet "$dotnet_bench" "$module" bench "$data/user.pin" "$kind" "$threads" "$seconds" | awk '{print $1}')"
      raws+=("$raw")
      ours+=("$our")
      ratios+=("$(awk -v a="$raw" -v b="$our" 'BEGIN { print (a > 0) ? 100 * b / a : 0 }')")
    done
    name="RSA-2048 CKM_SHA256_RSA_PKCS"
    [[ "$kind" == ec ]] && name="P-256 CKM_ECDSA"
    printf '| %s | %d | %.0f | %.0f | %.1f %% | %s |\n' "$name" "$threads" \
      "$(printf '%s\n' "${raws[@]}" | median)" "$(printf '%s\n' "${ours[@]}" | median)" \
      "$(printf '%s\n' "${ratios[@]}" | median)" \
      "$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 }')"
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
