#!/usr/bin/env bash
# Install the real OAuth server the tests use (npm oidc-provider, pinned by package-lock.json).
# Idempotent: does nothing when node_modules matches the lockfile already.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oidc="$here/tests/oidc"
if [ -f "$oidc/node_modules/.package-lock.json" ] && cmp -s "$oidc/package-lock.json" "$oidc/node_modules/.package-lock.json.source" 2>/dev/null; then
    exit 0
fi
command -v npm >/dev/null || { echo "session-oauth setup: npm is missing (install nodejs >= 20)" >&2; exit 1; }
(cd "$oidc" && npm ci --silent --no-audit --no-fund)
cp "$oidc/package-lock.json" "$oidc/node_modules/.package-lock.json.source"
