#!/usr/bin/env bash
# Runs SignatureService locally on http://127.0.0.1:5080 with a private PostgreSQL cluster and a SoftHSM2 token
# under .data/dev/ (created on the first run, reused afterwards). Usage: scripts/run.sh [extra arguments for the service]
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

command -v dotnet >/dev/null || ss_die "the .NET 10 SDK is required (dotnet on PATH)"
ss_base_packages
ss_postgres dev 15432
ss_create_database signsvc
ss_runtime_role dev
ss_softhsm dev signsvc-dev
ss_proofing_key dev

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# The service runs as the least-privilege runtime role; migrations run as the schema owner.
export ConnectionStrings__SignatureService="$(ss_app_connection_string signsvc)"
export ConnectionStrings__SignatureServiceMigrations="$(ss_connection_string signsvc)"
export Hsm__ModulePath=$SS_HSM_MODULE Hsm__TokenLabel=$SS_HSM_TOKEN Hsm__PinFile=$SS_HSM_PIN_FILE
export SignatureService__DataDirectory="$SS_ROOT/.data/dev"
export Proofing__EvidenceKeyFile=$SS_PROOFING_KEY_FILE
# WebAuthn (AAL3 login): browse to http://localhost:5080 (the RP id is localhost). The AAL3 policy only trusts configured
# attestation roots: set WebAuthn__AllowList__0__Aaguid + WebAuthn__AllowList__0__RootPemFile for your security keys (or
# WebAuthn__MetadataBlobFile + WebAuthn__MetadataRootPemFile). Without them a placeholder root is pinned so the service starts,
# and no real key can register.
export WebAuthn__RpId=${WebAuthn__RpId:-localhost}
export WebAuthn__Origins__0=${WebAuthn__Origins__0:-http://localhost:5080}
if [ -z "${WebAuthn__AllowList__0__RootPemFile:-}" ] && [ -z "${WebAuthn__MetadataBlobFile:-}" ]; then
  placeholder="$SS_ROOT/.data/dev/webauthn-placeholder-root.pem"
  [ -f "$placeholder" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/CN=SignatureService placeholder root/O=trusts no real key" -days 3650 -out "$placeholder" 2>/dev/null \
    || ss_die "could not create the placeholder attestation root $placeholder"
  export WebAuthn__AllowList__0__Aaguid=5e1f0c4e-0000-4000-8000-000000000000 WebAuthn__AllowList__0__RootPemFile=$placeholder
fi

# Development only: also trust the browser's built-in WebAuthn emulation (Chromium DevTools virtual authenticator) so the demo
# can be followed without a security key; the service refuses this setting in any other environment.
if [ "$ASPNETCORE_ENVIRONMENT" = Development ]; then
  export WebAuthn__DevelopmentBrowserEmulator=${WebAuthn__DevelopmentBrowserEmulator:-true}
fi

ss_log "building"
dotnet build "$SS_ROOT/src/SignatureService.Api" -c Release -nologo -v quiet -clp:ErrorsOnly

# The first-run story (Development only; SIGNSVC_SKIP_DEMO=1 skips it): development CA, demo EHR client, fictional license
# registry, operator code and a demo physician ready to enrol. Idempotent; renews the one-time codes at every start.
demo_walkthrough=""
if [ "$ASPNETCORE_ENVIRONMENT" = Development ] && [ "${SIGNSVC_SKIP_DEMO:-0}" != 1 ]; then
  ss_log "preparing the development demo (demo seed)"
  if ! demo_walkthrough=$(cd "$SS_ROOT/src/SignatureService.Api/bin/Release/net10.0" && dotnet SignatureService.Api.dll demo seed \
      --dir "$SS_ROOT/.data/dev/demo" --licenses "$SS_ROOT/scripts/demo/licenses.csv" --url http://localhost:5080); then
    printf '\033[1;33mwarning:\033[0m the demo could not be prepared (see above); the service starts without it.\n' >&2
    demo_walkthrough=""
  fi
fi

printf '%s\n' "" \
  "SignatureService is starting on http://localhost:5080 (sign-in page: http://localhost:5080/login.html)" \
  "  liveness   curl -s http://127.0.0.1:5080/health/live" \
  "  readiness  curl -s http://127.0.0.1:5080/health/ready" \
  "  data       $SS_ROOT/.data/dev  (PostgreSQL on 127.0.0.1:$SS_PG_PORT, SoftHSM2 token '$SS_HSM_TOKEN'; PINs in secrets/)" \
  "Stop with Ctrl+C; run this command again to restart with the same data." "" >&2
[ -z "$demo_walkthrough" ] || printf '%s\n\n' "$demo_walkthrough" >&2
# Note: run from the output folder so the content root (appsettings.json) is the service's own.
cd "$SS_ROOT/src/SignatureService.Api/bin/Release/net10.0"
exec dotnet SignatureService.Api.dll --urls http://localhost:5080 "$@"
