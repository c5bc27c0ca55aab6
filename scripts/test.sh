#!/usr/bin/env bash
# Installs everything the tests need, then runs every check: format, lint, types, layers, tests.
#   - a virtual environment in .venv with the pinned packages of requirements-dev.txt;
#   - Debian packages when missing: chromium (browser tests), poppler-utils (PDF pages to PNG),
#     LibreOffice Calc (real-world spreadsheet fixtures), npm, dovecot-imapd (a real IMAP server
#     for the mailbox intake, started by the tests with their own configuration), nginx (the reverse
#     proxy, started by the tests with deploy/nginx/ptlcd.conf as a plain user; the package may
#     also start the system's nginx service, which the tests do not use);
#   - axe-core, the accessibility checker the browser tests inject into every page, at the version
#     pinned by package-lock.json (`npm ci`, into node_modules/).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k calendrier`.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installation des paquets Debian manquants : ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --prefer-offline --no-audit --no-fund --loglevel=error

echo "== format (ruff format --check)"
.venv/bin/ruff format --check .
echo "== lint (ruff check)"
.venv/bin/ruff check .
echo "== types (mypy strict: ptlcd_data, ui, app_pages, web, app.py, serve.py)"
.venv/bin/mypy
echo "== layers (import-linter)"
.venv/bin/lint-imports
# Two runs. First every test that may share the machine, on every core (pytest-xdist; a module's
# tests stay on one worker, so that a base or a server it shares is made once). Then the few marked
# `serial` (timings, a load test), alone. Each run prints its slowest tests.
run_pytest() {
  local status=0
  .venv/bin/python -m pytest --durations=25 "$@" || status=$?
  # 5: no test selected, e.g. `-k` naming only tests of the other run.
  [ "$status" -eq 0 ] || [ "$status" -eq 5 ] || exit "$status"
}
echo "== tests (pytest, in parallel)"
run_pytest -n auto --dist loadscope -m "not serial" "$@"
echo "== tests that run alone (pytest -m serial)"
run_pytest -m serial "$@"
