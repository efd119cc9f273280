#!/usr/bin/env bash
# The Debian packages venv-pilot's scripts, tests and benchmarks use: the one list of them.
# Usage: system-deps.sh [--check] start|test|bench
#   start: python3, python3-venv (a Python), python3-pip-whl (its seed wheel), libkrb5-dev (code-server's native build)
#   test:  start's, plus chromium (drives the workbench), gcc and libc6-dev (tests compile a hanging
#          "interpreter"), python3-setuptools-whl and python3-wheel-whl (the opt-in seeds and the freeze
#          identity tests seed them), pypy3, zsh and fish (equivalence and activation tests)
#   bench: the same as test (bench/peers.ts fetches the peers it compares with, such as virtualenv)
# Installs what is missing (as root; otherwise prints the command to run). With --check it installs
# nothing: it lists what is missing with the apt-get line and exits 1 (the test preflight uses this).
set -euo pipefail
check=false
if [ "${1:-}" = --check ]; then check=true; shift; fi
mode=${1:-test}
packages=(python3 python3-venv python3-pip-whl libkrb5-dev)
case "$mode" in
  start) ;;
  test|bench) packages+=(chromium gcc libc6-dev python3-setuptools-whl python3-wheel-whl pypy3 zsh fish) ;;
  *) echo "system-deps.sh: unknown mode '$mode' (start, test or bench)" >&2; exit 2 ;;
esac
# More packages to require, space-separated (the preflight's own test uses it).
read -r -a extra <<< "${VENV_PILOT_EXTRA_PACKAGES:-}"
packages+=("${extra[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if $check || [ "$(id -u)" -ne 0 ]; then
  echo "venv-pilot's $mode needs these Debian packages, which are missing: ${missing[*]}" >&2
  echo "Install them with: $([ "$(id -u)" -ne 0 ] && echo 'sudo ')apt-get install -y ${missing[*]}  (or: bash scripts/system-deps.sh $mode)" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
