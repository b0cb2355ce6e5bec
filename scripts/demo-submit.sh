#!/usr/bin/env bash
# Development demo: submits the sample prescription (scripts/demo/prescription.csv, with today's dates and a fresh
# PrescriptionId) for the demo physician, as the demo EHR client made by `demo seed` (scripts/run.sh runs it).
# The client token is an RS256 JWT signed with the demo client's private key in the demo folder (never committed).
# Usage: scripts/demo-submit.sh [DEMO_DIR]   (default: .data/dev/demo of this repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$root/.data/dev/demo}"
[ -f "$dir/demo.env" ] || { echo "error: $dir/demo.env not found: start the service with scripts/run.sh first (it prepares the demo)" >&2; exit 1; }
# shellcheck disable=SC1091
source "$dir/demo.env"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$SIGNSVC_DEMO_KID" | b64url)
claims=$(printf '{"iss":"%s","sub":"%s","aud":"signature-service","iat":%d,"exp":%d,"jti":"%s"}' \
  "$SIGNSVC_DEMO_CLIENT_ID" "$SIGNSVC_DEMO_CLIENT_ID" "$now" $((now + 120)) "$(openssl rand -hex 16)" | b64url)
signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign "$dir/ehr-client-key.pem" -binary | b64url)

id=$(cat /proc/sys/kernel/random/uuid)
csv=$(sed -e "s/@ISSUED@/$(date +%Y%m%d)/" -e "s/@EXPIRES@/$(date -d '+3 days' +%Y%m%d)/" "$root/scripts/demo/prescription.csv" | openssl base64 -A)
xml='<?xml version="1.0" encoding="UTF-8"?><Document id="Document"><Prescription><PrescriptionManagement id="PrescriptionManagement"><Version Value="EPS1.0"/><PrescriptionId Value="'$id'"/></PrescriptionManagement><PrescriptionDocument id="PrescriptionDocument">'$csv'</PrescriptionDocument></Prescription></Document>'
body=$(printf '{"signer":{"profession":"doctor","licenseNumber":"%s"},"documents":[{"type":"prescription","mediaType":"application/xml","content":"%s"}]}' \
  "$SIGNSVC_DEMO_LICENSE_NUMBER" "$(printf '%s' "$xml" | openssl base64 -A)")

response=$(curl -sS -w '\n%{http_code}' -X POST "$SIGNSVC_DEMO_URL/v1/signature-requests" \
  -H "Authorization: Bearer $header.$claims.$signature" -H 'Content-Type: application/json' --data-binary "$body")
status=${response##*$'\n'}
printf '%s\n' "${response%$'\n'*}"
if [ "$status" != 201 ] && [ "$status" != 202 ] && [ "$status" != 200 ]; then
  echo "error: the service answered HTTP $status" >&2
  case "$response" in
    *signing.signer-not-found*) echo "hint: the demo physician has no active key yet: enrol it first (step 1 of the walkthrough)" >&2 ;;
  esac
  exit 1
fi
echo "Submitted prescription $id: open $SIGNSVC_DEMO_URL/signer.html to approve it." >&2
