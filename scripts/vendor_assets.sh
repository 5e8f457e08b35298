#!/usr/bin/env bash
# Browser assets the app serves itself (no CDN at run time): install the npm packages pinned
# in package-lock.json and copy their built files, with their licences, into app/static/vendor/.
# Runs again only when package-lock.json changes. Called by scripts/bootstrap.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

VENDOR=app/static/vendor
say() { printf '==> %s\n' "$*"; }

stamp="$VENDOR/.installed-$(sha256sum package-lock.json | cut -c1-16)"
[ -f "$stamp" ] && exit 0

if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing npm (apt) for the browser assets"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    say "npm is missing. Install it as root:  apt-get install npm"
    exit 1
  fi
fi

say "installing browser assets (npm ci) into $VENDOR"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
rm -rf "$VENDOR"
mkdir -p "$VENDOR/leaflet" "$VENDOR/leaflet-geoman" "$VENDOR/swagger-ui" "$VENDOR/chartjs" "$VENDOR/axe-core"

cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
      node_modules/leaflet/dist/images node_modules/leaflet/LICENSE "$VENDOR/leaflet/"
cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
   node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css \
   node_modules/@geoman-io/leaflet-geoman-free/LICENSE "$VENDOR/leaflet-geoman/"
for f in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js \
         swagger-ui-bundle.js.LICENSE.txt swagger-ui-standalone-preset.js.LICENSE.txt LICENSE NOTICE \
         favicon-16x16.png favicon-32x32.png; do
  cp "node_modules/swagger-ui-dist/$f" "$VENDOR/swagger-ui/"
done
# Chart.js (MIT) for the staff statistics page: its UMD build defines window.Chart.
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md "$VENDOR/chartjs/"
# axe-core: the accessibility checker the browser tests run over every page (no page loads it).
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE node_modules/axe-core/LICENSE-3RD-PARTY.txt \
   "$VENDOR/axe-core/"
touch "$stamp"
