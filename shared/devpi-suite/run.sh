#!/usr/bin/env bash
# devpi-server 6.20.3's own test suite with our devpi plugins registered (unconfigured) in
# every in-process server: run.sh [--without] [VENV], VENV (default: the active python's) with
# devpi-server 6.20.3, our plugins and suite.REQUIREMENTS. The gate that compares both runs
# is tests/test_devpi_server_own_suite.py; the sdist is cached in $DEVPI_SUITE_CACHE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$(python -c 'import sys; print(sys.prefix)')
args=()
for arg in "$@"; do
    case $arg in
        --without) args+=("$arg") ;;
        *) venv=$arg ;;
    esac
done
exec python "$here/suite.py" "$venv" "${args[@]}"
