#!/usr/bin/env bash
# `npm test`: the whole suite. Typecheck, a production build, unit and integration tests
# (vitest; the security probes run the production build), then the e2e suite (Playwright)
# against that build. On PGlite by default; on a real PostgreSQL when TEST_DATABASE_URL is set.
# Each phase prints its time, so CI's log shows where the minutes go.
# DB24X7_REUSE_BUILD=1 skips the typecheck and the build when `.next` was built and typechecked by
# this script from exactly the sources checked out now (CI's second run, on PostgreSQL: neither
# depends on the database).
set -euo pipefail
cd "$(dirname "$0")/.."
phase() {
  local name=$1 started=$SECONDS
  shift
  echo "== $name"
  "$@"
  echo "== $name took $((SECONDS - started)) s"
}
# The sources as checked out: the commit and any uncommitted change.
sources() { { git rev-parse HEAD; git status --porcelain=v1 --untracked-files=all -- . ':!.next' ':!test-results'; git diff HEAD; } | sha256sum | cut -d' ' -f1; }
marker=.next/db24x7-tested-sources
if [ "${DB24X7_REUSE_BUILD:-}" = 1 ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$(sources)" ]; then
  echo "== typecheck and production build: reused (built from these sources)"
else
  phase typecheck npm run --silent typecheck
  # The typecheck just run covers what the build would check again (next.config.ts reads this).
  phase "production build" env DB24X7_TYPECHECKED=1 npm run --silent build
  # Outside a git checkout nothing is remembered, so nothing can be reused.
  (sources > "$marker") 2>/dev/null || rm -f "$marker"
fi
phase "unit and integration tests" npx vitest run
phase e2e npx playwright test
