#!/usr/bin/env bash
# n8n's own check, `n8n-node lint` (@n8n/node-cli): strict mode (eslint.config.mjs must be the tool's default, the
# n8n Cloud rule set) and then `eslint .`. It lints every .ts below the folder it runs in, and this repository also
# holds tests, benchmarks and scripts that run in Node (files, process, console) and never ship; so it runs on a copy
# of what the package is made of: package.json, eslint.config.mjs, tsconfig.json, nodes/ and credentials/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stage="$(mktemp -d "${TMPDIR:-/tmp}/ekycpro-n8n-node-lint.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

cp -R "$root/package.json" "$root/eslint.config.mjs" "$root/tsconfig.json" "$root/nodes" "$root/credentials" "$stage/"
ln -s "$root/node_modules" "$stage/node_modules"
cd "$stage"
# It fails on errors only; `npm run lint` runs the same config on the same files with --max-warnings 0.
exec "$root/node_modules/.bin/n8n-node" lint
