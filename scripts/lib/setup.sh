# shellcheck shell=bash
# Shared set-up for scripts/run.sh, scripts/test.sh and the benchmark scripts.
# Everything lives under the repository's ignored .data/<profile>/ folder:
#   .data/<profile>/postgres/   a private PostgreSQL cluster (owned by the postgres user)
#   .data/<profile>/softhsm/    a SoftHSM2 configuration and token directory
#   .data/<profile>/secrets/    generated PINs and the database password (mode 0700, never committed)
# Every function is idempotent: a second run reuses what exists, restarts a stopped cluster and never deletes data.

set -euo pipefail

SS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SS_DB_OWNER="signsvc_owner"

ss_log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
ss_die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# ss_apt_install PKG... : installs the Debian packages that are missing (apt-get update once, only when needed).
ss_apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  ss_log "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ss_base_packages() {
  ss_apt_install postgresql openssl softhsm2 opensc xmlsec1 ca-certificates gcc libc6-dev libp11-kit-dev curl
}

# ss_profile_dir PROFILE : creates and prints .data/PROFILE with a private secrets folder.
ss_profile_dir() {
  local dir="$SS_ROOT/.data/$1"
  mkdir -p "$dir/secrets"
  chmod 755 "$SS_ROOT/.data" "$dir"
  chmod 700 "$dir/secrets"
  printf '%s' "$dir"
}

ss_random_secret() { openssl rand -hex 24; }

ss_pg_bindir() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] || ss_die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  printf '%s' "$bin"
}

ss_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ss_free_port() {
  local port=$1
  while ! ss_port_free "$port"; do port=$((port + 1)); done
  printf '%s' "$port"
}

# ss_postgres PROFILE BASEPORT : ensures a private cluster runs; exports SS_PG_PORT, SS_PG_PASSFILE.
ss_postgres() {
  local profile=$1 baseport=$2 dir bin
  dir=$(ss_profile_dir "$profile")
  bin=$(ss_pg_bindir)
  local pgdata="$dir/postgres/data" pwfile="$dir/secrets/pg-owner-password"
  mkdir -p "$dir/postgres"
  chown postgres:postgres "$dir/postgres"
  chmod 700 "$dir/postgres"
  if [ ! -s "$pwfile" ]; then
    (umask 077; ss_random_secret > "$pwfile")
  fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    ss_log "creating PostgreSQL cluster in $pgdata"
    local tmp_pw
    tmp_pw=$(mktemp)
    cp "$pwfile" "$tmp_pw"
    chown postgres "$tmp_pw"
    runuser -u postgres -- "$bin/initdb" -D "$pgdata" -U "$SS_DB_OWNER" --pwfile="$tmp_pw" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/postgres/initdb.log" 2>&1 \
      || { rm -f "$tmp_pw"; cat "$dir/postgres/initdb.log" >&2; ss_die "initdb failed"; }
    rm -f "$tmp_pw"
  fi
  local portfile="$dir/postgres/port" port
  if runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    port=$(cat "$portfile")
  else
    port=$(cat "$portfile" 2>/dev/null || printf '%s' "$baseport")
    ss_port_free "$port" || port=$(ss_free_port "$baseport")
    # Note: base ports sit below Linux's ephemeral range (32768+), yet a port can be free to connect to and taken for binding (an outgoing socket holds it), so a refused bind
    # moves on to the next port instead of failing.
    local attempt
    for attempt in 1 2 3 4 5; do
      printf '%s' "$port" > "$portfile"
      ss_log "starting PostgreSQL on 127.0.0.1:$port"
      if runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -w -t 60 -l "$dir/postgres/server.log" \
          -o "-p $port -k $dir/postgres -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null; then
        break
      fi
      grep -q "Address already in use" "$dir/postgres/server.log" && [ "$attempt" -lt 5 ] \
        || { tail -n 20 "$dir/postgres/server.log" >&2; ss_die "PostgreSQL did not start"; }
      port=$(ss_free_port $((port + 1)))
    done
  fi
  local passfile="$dir/secrets/pgpass"
  (umask 077; printf '127.0.0.1:*:*:%s:%s\n' "$SS_DB_OWNER" "$(cat "$pwfile")" > "$passfile")
  export SS_PG_PORT=$port SS_PG_PASSFILE=$passfile
}

# ss_create_database NAME : creates the database if it does not exist.
ss_create_database() {
  local name=$1
  if ! PGPASSFILE=$SS_PG_PASSFILE psql -h 127.0.0.1 -p "$SS_PG_PORT" -U "$SS_DB_OWNER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    ss_log "creating database $name"
    PGPASSFILE=$SS_PG_PASSFILE psql -h 127.0.0.1 -p "$SS_PG_PORT" -U "$SS_DB_OWNER" -d postgres -qc "CREATE DATABASE \"$name\"" >/dev/null
  fi
}

ss_connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Username=%s;Database=%s;Passfile=%s' "$SS_PG_PORT" "$SS_DB_OWNER" "$1" "$SS_PG_PASSFILE"
}

ss_softhsm_module() {
  local module
  module=$(dpkg -L libsofthsm2 softhsm2 2>/dev/null | grep -E '/libsofthsm2\.so$' | head -n 1)
  [ -n "$module" ] || ss_die "libsofthsm2.so not found (is softhsm2 installed?)"
  printf '%s' "$module"
}

# ss_softhsm PROFILE LABEL [fresh] : ensures a SoftHSM2 token LABEL exists under .data/PROFILE/softhsm (with "fresh",
# a token left by an earlier run is deleted and initialised anew: only the test profile asks for that);
# exports SOFTHSM2_CONF, SS_HSM_MODULE, SS_HSM_TOKEN, SS_HSM_PIN_FILE, SS_HSM_SO_PIN_FILE.
ss_softhsm() {
  local profile=$1 label=$2 fresh=${3:-} dir
  dir=$(ss_profile_dir "$profile")
  mkdir -p "$dir/softhsm/tokens"
  chmod 700 "$dir/softhsm"
  local conf="$dir/softhsm/softhsm2.conf"
  cat > "$conf" <<EOF
directories.tokendir = $dir/softhsm/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
EOF
  export SOFTHSM2_CONF=$conf
  local pin="$dir/secrets/hsm-user-pin" so_pin="$dir/secrets/hsm-so-pin"
  [ -s "$pin" ] || (umask 077; ss_random_secret > "$pin")
  [ -s "$so_pin" ] || (umask 077; ss_random_secret > "$so_pin")
  if [ "$fresh" = fresh ] && softhsm2-util --show-slots 2>/dev/null | grep -qE "Label:[[:space:]]+$label[[:space:]]*\$"; then
    softhsm2-util --delete-token --token "$label" >/dev/null
  fi
  if ! softhsm2-util --show-slots 2>/dev/null | grep -qE "Label:[[:space:]]+$label[[:space:]]*\$"; then
    ss_log "initialising SoftHSM2 token '$label'"
    softhsm2-util --init-token --free --label "$label" --so-pin "$(cat "$so_pin")" --pin "$(cat "$pin")" >/dev/null
  fi
  SS_HSM_MODULE=$(ss_softhsm_module)
  export SS_HSM_MODULE SS_HSM_TOKEN=$label SS_HSM_PIN_FILE=$pin SS_HSM_SO_PIN_FILE=$so_pin
}

# ss_runtime_role : ensures the service's login role signsvc_app (member of the NOLOGIN group signsvc_runtime that migration
# 0006 grants to: no UPDATE/DELETE on the audit trail, no schema changes) with a generated password in secrets/;
# adds it to the passfile and exports SS_DB_APP. Needs ss_postgres first.
SS_DB_APP="signsvc_app"
ss_runtime_role() {
  local profile=$1 dir pwfile
  dir=$(ss_profile_dir "$profile")
  pwfile="$dir/secrets/pg-app-password"
  [ -s "$pwfile" ] || (umask 077; ss_random_secret > "$pwfile")
  PGPASSFILE=$SS_PG_PASSFILE psql -h 127.0.0.1 -p "$SS_PG_PORT" -U "$SS_DB_OWNER" -d postgres -qv ON_ERROR_STOP=1 \
    -v app="$SS_DB_APP" -v pw="$(cat "$pwfile")" >/dev/null <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'signsvc_runtime') AS need_group \gset
\if :need_group
CREATE ROLE signsvc_runtime NOLOGIN;
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') AS need_app \gset
\if :need_app
CREATE ROLE :"app" LOGIN IN ROLE signsvc_runtime;
\endif
ALTER ROLE :"app" PASSWORD :'pw';
SQL
  (umask 077; printf '127.0.0.1:*:*:%s:%s\n' "$SS_DB_APP" "$(cat "$pwfile")" >> "$SS_PG_PASSFILE")
  export SS_DB_APP
}

# ss_app_connection_string DB : the service's (runtime role) connection string.
ss_app_connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Username=%s;Database=%s;Passfile=%s' "$SS_PG_PORT" "$SS_DB_APP" "$1" "$SS_PG_PASSFILE"
}

# ss_proofing_key PROFILE : the key of the evidence-number keyed hash (identity proofing) in secrets/, generated once;
# exports SS_PROOFING_KEY_FILE.
ss_proofing_key() {
  local dir key
  dir=$(ss_profile_dir "$1")
  key="$dir/secrets/proofing-evidence-key"
  [ -s "$key" ] || (umask 077; openssl rand -hex 32 > "$key")
  export SS_PROOFING_KEY_FILE=$key
}
