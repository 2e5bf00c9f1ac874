#!/usr/bin/env bash
# Installs what is missing, builds, and runs Council on its embedded default (simulated models).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --if-present
exec dotnet run -c Release --project server/Council.Server -- --urls "${COUNCIL_URLS:-http://localhost:5000}"
