#!/usr/bin/env bash
# Installs what the tests need, only when it is missing. Safe to run again.
set -euo pipefail

need=()
# git: the fixtures make real repositories with the command-line client too.
command -v git >/dev/null || need+=(git)
# chromium: the UI tests drive Debian's Chromium through Playwright (never a browser download).
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests need these Debian packages: ${need[*]} (run as root, or install them)" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
