#!/usr/bin/env bash
# Refreshes the committed front-end files in static/vendor/ from pinned npm versions.
# Users never need Node: the output is committed. Run with `make vendor` after changing a pin.
#
# GOV.UK's Transport font, crown and crest are reserved for GOV.UK services, so they are
# stripped here: the portal runs under the council's own name with a system font stack.
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.6.0
HTMX_VERSION=2.0.11   # htmx 4.x changes request headers that flask-htmx reads: stay on 2.0.x

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "htmx.org@${HTMX_VERSION}" >/dev/null
mkdir govuk htmx
tar -xzf "govuk-frontend-${GOVUK_FRONTEND_VERSION}.tgz" -C govuk
tar -xzf "htmx.org-${HTMX_VERSION}.tgz" -C htmx

dest="$root/static/vendor"
rm -rf "$dest/govuk-frontend" "$dest/htmx"
mkdir -p "$dest/govuk-frontend" "$dest/htmx"
dist=govuk/package/dist/govuk
cp "$dist/govuk-frontend.min.js" "$dest/govuk-frontend/"
cp htmx/package/dist/htmx.min.js "$dest/htmx/"
# Drop the @font-face rules and the Transport family; keep GOV.UK Frontend's fallback stack.
sed -e 's/@font-face{font-family:GDS Transport[^}]*}//g' \
    -e 's/font-family:GDS Transport,/font-family:/g' \
    -e 's/font-family:GDS Transport;/font-family:arial,sans-serif;/g' \
    "$dist/govuk-frontend.min.css" > "$dest/govuk-frontend/govuk-frontend.min.css"
if grep -q 'GDS Transport' "$dest/govuk-frontend/govuk-frontend.min.css"; then
  echo "vendor-assets: the Transport font is still referenced" >&2; exit 1
fi
cat > "$dest/VERSIONS" <<VERSIONS
govuk-frontend ${GOVUK_FRONTEND_VERSION} (dist/govuk: min.css without the Transport font, min.js)
htmx.org ${HTMX_VERSION} (dist/htmx.min.js)
VERSIONS
echo "vendored govuk-frontend ${GOVUK_FRONTEND_VERSION} and htmx ${HTMX_VERSION} into static/vendor/"
