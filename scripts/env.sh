# Sourced by Tahto's scripts: the tool paths every step needs.
# wasm-opt must be npm binaryen 132, ahead of Debian's /usr/bin one (108 builds a wasm that crashes).
TAHTO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TAHTO_ROOT
export PATH="$TAHTO_ROOT/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# Trunk: no downloads, no version check against the network.
export TRUNK_OFFLINE=true
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Source paths end up in the wasm (panic locations): map them to fixed names so the first-load
# size does not depend on where the repository or the crate registry happens to be. Cargo adds
# these to the wasm flags of .cargo/config.toml (it joins the two lists).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$TAHTO_ROOT=/tahto --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}/registry/src=/registry"
