#!/usr/bin/env bash
# Runs every test: .NET (NUnit), then every npm workspace's tests (hub tests with the official client, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
dotnet build Council.sln -c Release --nologo -clp:ErrorsOnly
npm run build --if-present
dotnet test Council.sln -c Release --no-build --nologo
npm test --workspaces --if-present
