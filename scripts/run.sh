#!/usr/bin/env bash
# Installs everything (virtual environment, pinned packages, database) and starts the app.
# The database is an embedded DuckDB file (PTLCD_DB, default var/ptlcd.duckdb), built from data/
# on first start. Port: PORT (default 8501). serve.py serves app.py's pages and the routes of web/.
# The systemd unit deploy/ptlcd.service runs this script behind nginx (deploy/nginx/ptlcd.conf).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

DB=${PTLCD_DB:-var/ptlcd.duckdb}
if [ ! -f "$DB" ]; then
  .venv/bin/python -m ptlcd_data --db "$DB" init
fi
export PTLCD_DB="$DB"
# uvicorn, under streamlit, takes the visitor's address and https from X-Forwarded-For and
# X-Forwarded-Proto when they come from FORWARDED_ALLOW_IPS: only from the reverse proxy declared
# by PTLCD_TRUSTED_PROXY, else from nobody (ptlcd_data/settings.py, forwarded_allow_ips).
FORWARDED_ALLOW_IPS=$(.venv/bin/python -c \
  'from ptlcd_data.settings import Settings; print(Settings.from_env().forwarded_allow_ips)')
export FORWARDED_ALLOW_IPS
exec .venv/bin/python -m streamlit run serve.py --server.port "${PORT:-8501}"
