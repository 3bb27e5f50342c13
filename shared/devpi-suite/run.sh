#!/usr/bin/env bash
# devpi-server 6.20.3's own test suite with our devpi plugins registered (unconfigured) in
# every in-process server. Usage: run.sh [pytest args...], in an env with devpi-server 6.20.3,
# our plugins, pytest, webtest. The sdist is downloaded once into $DEVPI_SUITE_CACHE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DEVPI_SUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/devpi-suite}
version=6.20.3
src=$cache/devpi_server-$version
if [ ! -d "$src/test_devpi_server" ]; then
    mkdir -p "$cache"
    python -m pip download --quiet --no-deps --no-binary :all: -d "$cache" "devpi-server==$version"
    tar -xzf "$cache/devpi_server-$version.tar.gz" -C "$cache"
fi
cd "$src"
# devpi-server's own flaky tests (fail now and then without any plugin) are deselected.
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec python -m pytest -p no:cacheprovider \
    -p our_plugins -c tox.ini --rootdir . -q \
    -k "not doczip and not test_fetch_later_deleted and not test_simplelinks_timeout" \
    "$@" test_devpi_server
