#!/usr/bin/env bash
# Installs the Debian packages tracetui builds and tests with: ncursesw and zlib headers, tmux
# (end-to-end tests drive the real binary in it), man-db (scripts/check-install.sh reads the installed
# manual page with man), openssl (tests make self-signed certificates). Skips apt when they are already there.
set -euo pipefail
packages=(libncurses-dev zlib1g-dev tmux man-db openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
