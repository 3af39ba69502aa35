#!/usr/bin/env bash
# Make sure Debian's chromium is there for the browser tests (never a downloaded browser build).
set -euo pipefail
if [ -x /usr/bin/chromium ] || [ -n "${WORKBENCH_CHROMIUM:-}" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "chromium is missing: install Debian's package (sudo apt-get install chromium) or set WORKBENCH_CHROMIUM." >&2
echo "The browser tests will fail without it." >&2
