#!/usr/bin/env bash
# `npm test`: the whole suite. Typecheck, a production build, unit and integration tests
# (vitest; the security probes run the production build), then the e2e suite (Playwright)
# against that build. On PGlite by default; on a real PostgreSQL when TEST_DATABASE_URL is set.
# Each phase prints its time, so CI's log shows where the minutes go.
set -euo pipefail
cd "$(dirname "$0")/.."
phase() {
  local name=$1 started=$SECONDS
  shift
  echo "== $name"
  "$@"
  echo "== $name took $((SECONDS - started)) s"
}
phase typecheck npm run --silent typecheck
# The typecheck just run covers what the build would check again (next.config.ts reads this).
phase "production build" env DB24X7_TYPECHECKED=1 npm run --silent build
phase "unit and integration tests" npx vitest run
phase e2e npx playwright test
