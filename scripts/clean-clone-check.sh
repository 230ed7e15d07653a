#!/usr/bin/env bash
# Does the committed repository test itself? A clone in an empty temporary directory has no ../shared
# beside it, no node_modules, and none of the working tree's uncommitted or ignored files, so a test that
# reads ../shared, or a file someone forgot to commit, fails here and not on the next person's machine.
# Runs `npm ci`, then the unit stage (typecheck + unit tests) or, with --full, the README's whole test
# command (`npm test`), and prints how long each step took.
# Usage: scripts/clean-clone-check.sh [--full] [commit]   (default HEAD)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
full=0
if [ "${1:-}" = --full ]; then full=1; shift; fi
ref="${1:-HEAD}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

dirty="$(git -C "$repo" status --porcelain --untracked-files=no | wc -l)"
if [ "$dirty" -gt 0 ]; then
  echo "clean-clone-check: $dirty tracked file(s) have uncommitted changes; only what is committed ($ref) is checked."
fi

commit="$(git -C "$repo" rev-parse --verify "$ref^{commit}")"
git clone -q --no-checkout "$repo" "$tmp/repo"
cd "$tmp/repo"
git checkout -q --detach "$commit"
echo "clean-clone-check: $(git rev-parse --short HEAD) cloned into $tmp/repo (nothing beside it: $(ls -A "$tmp" | tr '\n' ' '))"

step() {
  local name="$1"
  shift
  local started=$SECONDS
  "$@"
  echo "clean-clone-check: $name took $((SECONDS - started)) s"
}

step "npm ci" npm ci --no-audit --no-fund --prefer-offline
if [ "$full" = 1 ]; then
  step "npm test" npm test
else
  step "typecheck" npm run typecheck
  step "test:unit" npm run test:unit
fi
echo "clean-clone-check: passed in $SECONDS s"
