#!/usr/bin/env bash
# Install the system packages the tests need, idempotently.
#
# Every package lists its Debian packages in packages/<dist>/ci/apt.txt (one a line, '#'
# comments) and may add an idempotent packages/<dist>/ci/setup.sh (npm modules, ...).
# Nothing here is hand-listed: a new package's needs are found the same way.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

wanted=()
for list in "$root"/packages/*/ci/apt.txt; do
  [ -f "$list" ] || continue
  while IFS= read -r line; do
    line="${line%%#*}"
    line="$(echo "$line" | tr -d '[:space:]')"
    [ -n "$line" ] && wanted+=("$line")
  done < "$list"
done

missing=()
for pkg in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "system packages missing: ${missing[*]}" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "system packages: all ${#wanted[@]} present"
fi

for setup in "$root"/packages/*/ci/setup.sh; do
  [ -f "$setup" ] || continue
  echo "running ${setup#"$root"/}"
  bash "$setup"
done
