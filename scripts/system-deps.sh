#!/usr/bin/env bash
# Installs the Debian packages venv-pilot's scripts need, when missing. Runs apt only as root;
# otherwise prints the command to run. Usage: system-deps.sh start|test
#   start: python3, python3-venv and python3-pip-whl (a Python and seed wheels), libkrb5-dev (code-server's native build)
#   test:  the same, plus chromium (the browser driving the workbench), gcc (tests compile a hanging
#          "interpreter"), python3-pip-whl (seed wheels), and pypy3, zsh and fish (equivalence tests)
set -euo pipefail
mode=${1:-test}
packages=(python3 python3-venv python3-pip-whl libkrb5-dev)
[ "$mode" = test ] && packages+=(chromium gcc libc6-dev python3-pip-whl pypy3 zsh fish)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "venv-pilot needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
