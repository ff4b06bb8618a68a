#!/usr/bin/env bash
# The test command of the README and of CI: installs what the tests need, lints, runs every test.
# Root is needed for the network-namespace tests; user-mode Linux runs the IPVS ones.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
npm run build
npm run lint
npm test
