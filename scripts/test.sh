#!/usr/bin/env bash
# The whole test suite of Relais, on a fresh Debian machine or a developer's:
# installs what the tests need when it is missing (PostgreSQL, Chromium,
# Node.js, the e2e npm packages), then runs the Rust tests (store tests on
# SQLite and PostgreSQL) and the browser tests in Chromium with axe-core.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

phase_start=0
phase() { phase_start=$(date +%s); echo; echo "==> $*"; }
phase_end() { echo "    ($(( $(date +%s) - phase_start )) s)"; }

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- PostgreSQL -----------------------------------------------------------
phase "PostgreSQL"
if ! command -v pg_isready >/dev/null 2>&1; then
  apt_install postgresql postgresql-client
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  ver=$(ls /etc/postgresql | sort -V | tail -n1)
  conf="/etc/postgresql/$ver/main/pg_hba.conf"
  # Local test server: trust connections from this machine only. The first
  # matching pg_hba line wins, so ours go on top.
  if ! $SUDO grep -q "relais-test" "$conf"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust # relais-test\nhost all all ::1/128 trust # relais-test' "$conf"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main restart 2>/dev/null \
    || $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
    || $SUDO pg_ctlcluster "$ver" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
export RELAIS_TEST_DATABASE_URL="${RELAIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
psql "$RELAIS_TEST_DATABASE_URL" -qtAc "select 1" >/dev/null \
  || { echo "PostgreSQL does not accept $RELAIS_TEST_DATABASE_URL"; exit 1; }
# Leftovers of an interrupted earlier run.
for db in $(psql "$RELAIS_TEST_DATABASE_URL" -qtAc "select datname from pg_database where datname like 'relais_t_%'"); do
  psql "$RELAIS_TEST_DATABASE_URL" -qc "drop database if exists $db with (force)" >/dev/null || true
done
echo "    $(psql "$RELAIS_TEST_DATABASE_URL" -qtAc 'show server_version')"
phase_end

# --- Chromium and Node.js for the browser tests --------------------------
phase "Chromium, Node.js, e2e packages"
if [ ! -x /usr/bin/chromium ]; then apt_install chromium fonts-dejavu-core; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
(cd e2e && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
echo "    $(/usr/bin/chromium --version 2>/dev/null | head -n1), node $(node --version)"
phase_end

# --- A real SMTP server for the mail tests (aiosmtpd, from PyPI) -----------
phase "SMTP test server (aiosmtpd)"
if ! command -v python3 >/dev/null 2>&1; then apt_install python3 python3-pip; fi
python3 -c 'import aiosmtpd' 2>/dev/null \
  || python3 -m pip install --quiet 'aiosmtpd==1.4.6' 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages 'aiosmtpd==1.4.6'
python3 -c 'import aiosmtpd; print("    aiosmtpd", aiosmtpd.__version__)'
phase_end

# --- A real IMAP server for the mailbox-polling tests (Dovecot) ------------
# The tests start their own `dovecot -F` on a free port with a throw-away
# configuration; the distribution's service is not needed, so when this
# step installs the package it stops the instance the package may start.
phase "IMAP test server (Dovecot)"
if [ ! -x /usr/sbin/dovecot ]; then
  apt_install dovecot-imapd
  $SUDO dovecot stop 2>/dev/null || true
fi
echo "    dovecot $(/usr/sbin/dovecot --version)"
phase_end

# --- An independent iCalendar parser for the calendar-feed tests ------------
phase "iCalendar parser (icalendar)"
python3 -c 'import icalendar' 2>/dev/null \
  || python3 -m pip install --quiet 'icalendar==6.1.3' 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages 'icalendar==6.1.3'
python3 -c 'import icalendar; print("    icalendar", icalendar.__version__)'
phase_end

# --- Rust ------------------------------------------------------------------
# Lint first: formatting and clippy warnings fail the run before the tests.
phase "Lint (rustfmt, clippy)"
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
phase_end

phase "Rust tests (SQLite and PostgreSQL)"
cargo test --workspace --all-targets
phase_end

phase "Browser tests (Chromium, axe-core)"
cargo build -p relais
RELAIS_BIN="$PWD/target/debug/relais" node --test --test-concurrency=1 e2e/
phase_end
