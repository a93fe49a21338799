#!/usr/bin/env bash
# `npm test`: the whole suite. Typecheck, a production build, unit and integration tests
# (vitest; the security probes run the production build), then the e2e suite (Playwright)
# against that build. On PGlite by default; on a real PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck" && npm run --silent typecheck
echo "== production build" && npm run --silent build
echo "== unit and integration tests" && npx vitest run
echo "== e2e" && npx playwright test
