#!/usr/bin/env bash
# `npm test`: the whole suite. Typecheck, unit and integration tests (vitest), a production
# build, then the e2e suite (Playwright) against that build. On PGlite by default; on a real
# PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck" && npm run --silent typecheck
echo "== unit and integration tests" && npx vitest run
echo "== production build" && npm run --silent build
echo "== e2e" && npx playwright test
