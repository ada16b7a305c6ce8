#!/usr/bin/env bash
# Refresh the vendored front-end assets in workbench/static/vendor from the npm registry.
# No CDN is ever referenced at run time: agencies and bureaus work on government intranets.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/workbench/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund bootstrap@5.3.8 htmx.org@2.0.7 echarts@5.6.0 bootstrap-icons@1.13.1 >/dev/null
mkdir -p "$dest/bootstrap" "$dest/htmx" "$dest/echarts" "$dest/bootstrap-icons/fonts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$dest/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dest/bootstrap/"
cp node_modules/bootstrap/LICENSE "$dest/bootstrap/LICENSE.txt"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/htmx.org/LICENSE "$dest/htmx/LICENSE.txt"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts/"
cp node_modules/echarts/LICENSE "$dest/echarts/LICENSE.txt"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$dest/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 "$dest/bootstrap-icons/fonts/"
cp node_modules/bootstrap-icons/LICENSE "$dest/bootstrap-icons/LICENSE.txt"
echo "vendored into $dest:"
du -sh "$dest"/*
