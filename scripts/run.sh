#!/usr/bin/env bash
# Runs SignatureService locally on http://127.0.0.1:5080 with a private PostgreSQL cluster and a SoftHSM2 token
# under .data/dev/ (created on the first run, reused afterwards). Usage: scripts/run.sh [extra arguments for the service]
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

command -v dotnet >/dev/null || ss_die "the .NET 10 SDK is required (dotnet on PATH)"
ss_base_packages
ss_postgres dev 55432
ss_create_database signsvc
ss_runtime_role dev
ss_softhsm dev signsvc-dev

export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# The service runs as the least-privilege runtime role; migrations run as the schema owner.
export ConnectionStrings__SignatureService="$(ss_app_connection_string signsvc)"
export ConnectionStrings__SignatureServiceMigrations="$(ss_connection_string signsvc)"
export Hsm__ModulePath=$SS_HSM_MODULE Hsm__TokenLabel=$SS_HSM_TOKEN Hsm__PinFile=$SS_HSM_PIN_FILE
export SignatureService__DataDirectory="$SS_ROOT/.data/dev"

ss_log "building"
dotnet build "$SS_ROOT/src/SignatureService.Api" -c Release -nologo -v quiet -clp:ErrorsOnly

printf '%s\n' "" \
  "SignatureService is starting on http://127.0.0.1:5080" \
  "  liveness   curl -s http://127.0.0.1:5080/health/live" \
  "  readiness  curl -s http://127.0.0.1:5080/health/ready" \
  "  data       $SS_ROOT/.data/dev  (PostgreSQL on 127.0.0.1:$SS_PG_PORT, SoftHSM2 token '$SS_HSM_TOKEN'; PINs in secrets/)" \
  "Stop with Ctrl+C; run this command again to restart with the same data." "" >&2
exec dotnet "$SS_ROOT/src/SignatureService.Api/bin/Release/net10.0/SignatureService.Api.dll" --urls http://127.0.0.1:5080 "$@"
