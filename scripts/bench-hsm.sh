#!/usr/bin/env bash
# Signing throughput of our PKCS#11 binding against the raw module, measured in the same run.
#
#   scripts/bench-hsm.sh            # 3 rounds x 5 s per case, best round of each side reported
#   BENCH_SECONDS=10 BENCH_ROUNDS=5 scripts/bench-hsm.sh
#
# Sets up a throw-away SoftHSM2 token under .data/bench/ (git-ignored), builds bench/native/p11bench.c with gcc and the
# .NET harness bench/SignatureService.Hsm.Benchmarks in Release, then for RSA-2048 CKM_SHA256_RSA_PKCS and P-256
# CKM_ECDSA with 1 and 2 threads (one session per thread) runs the native harness and our binding alternately, and
# prints a markdown table with the ratio binding / raw. Other processes share the CPU: the load average is printed too.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$repo/.data/bench"
seconds="${BENCH_SECONDS:-5}"
rounds="${BENCH_ROUNDS:-3}"
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
  "best of $rounds rounds x ${seconds} s; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| operation | threads | raw C_Sign/s (p11bench.c) | our binding/s (HsmKey.Sign) | binding / raw |"
echo "| --- | ---: | ---: | ---: | ---: |"
for kind in rsa ec; do
  for threads in 1 2; do
    raw=0
    ours=0
    # Note: alternate native and .NET rounds so both see the same background load.
    for ((r = 0; r < rounds; r++)); do
      rate="$("$data/p11bench" "$module" bench "$data/user.pin" "$kind" "$threads" "$seconds" | awk '{print $1}')"
      raw="$(awk -v a="$raw" -v b="$rate" 'BEGIN { print (b > a) ? b : a }')"
      rate="$(dotnet "$dotnet_bench" "$module" bench "$data/user.pin" "$kind" "$threads" "$seconds" | awk '{print $1}')"
      ours="$(awk -v a="$ours" -v b="$rate" 'BEGIN { print (b > a) ? b : a }')"
    done
    name="RSA-2048 CKM_SHA256_RSA_PKCS"
    [[ "$kind" == ec ]] && name="P-256 CKM_ECDSA"
    awk -v n="$name" -v t="$threads" -v raw="$raw" -v ours="$ours" \
      'BEGIN { printf "| %s | %d | %.0f | %.0f | %.1f %% |\n", n, t, raw, ours, (raw > 0 ? 100 * ours / raw : 0) }'
  done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
