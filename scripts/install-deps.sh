#!/usr/bin/env bash
# Installs what lvsd's tests, benchmarks and lab need on a Debian machine (run as root), then the npm
# packages. Idempotent: apt is skipped when every package is present already.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  user-mode-linux kmod iproute2 ipvsadm keepalived fence-agents tcpdump tshark iputils-arping
  iputils-ping nftables procps psmisc python3 make g++
)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# raw-socket is compiled by node-gyp against the local Node headers; allowScripts in package.json
# approves exactly raw-socket and netlink (.npmrc sets strict-allow-scripts).
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-fund --no-audit
fi

# lvsd's own addon (native/) is built by npm ci's install script; on a checkout whose lockfile did not
# change, rebuild it when it is missing or older than its sources.
addon=native/build/Release/lvsd_native.node
if [[ ! -f $addon ]] || [[ -n $(find native -maxdepth 1 -newer "$addon" \( -name '*.c' -o -name '*.h' -o -name '*.gyp' \)) ]]; then
  npm run build:native --silent
fi
