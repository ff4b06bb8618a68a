#!/usr/bin/env bash
# The main job of the README: installs what the lab needs, builds, and runs `lvsd lab` with the
# given arguments (for example --directors 3). The lab boots user-mode Linux and exits by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
npm run build
exec node bin/lvsd.js lab "$@"
