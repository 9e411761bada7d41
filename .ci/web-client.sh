#!/usr/bin/env bash
# The Tryton web client (sao) that trytond serves as [web] root, and the
# headless Chromium of its end-to-end test (tests/production/test_web_client.py).
#
#   bash .ci/web-client.sh              sao and Chromium (make clients)
#   bash .ci/web-client.sh --sao-only   sao alone, for a server (make web)
#
# Idempotent.  `npm ci` in web/ (skipped while web/node_modules matches
# web/package-lock.json) gives web/node_modules/tryton-sao: index.html,
# dist/ and its libraries in its own node_modules/ (web/.npmrc), the
# directory to name in [web] root.  sao ships its Russian empty: our
# translation, web/locale/ru.po, is compiled into its locale/ru.json with
# the project's venv (make venv).  As root it installs Debian's chromium
# when it is missing (never a browser downloaded by playwright).
#
# sao is the 8.0 series, like the server: it shows its version in the login
# dialog and the test checks it against the server's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
t_start=$SECONDS

browser=yes
case "${1:-}" in
    --sao-only) browser=no ;;
    '') ;;
    *) echo "usage: bash .ci/web-client.sh [--sao-only]" >&2; exit 2 ;;
esac
if [ ! -x .venv/bin/python ]; then
    echo "error: .venv is missing: run make venv first" >&2
    exit 1
fi

as_root_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "error: missing Debian packages (run as root): $*" >&2
        exit 1
    fi
    local t0=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    echo "web client: installed $* in $((SECONDS - t0)) s"
}

missing_packages() {
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' \
            || echo "$package"
    done
}

# npm: the machine's node, else Debian's
if ! command -v npm >/dev/null; then
    as_root_install nodejs npm
fi

# sao, from web/package-lock.json; the stamp is the lock it was installed from
t0=$SECONDS
sao=web/node_modules/tryton-sao
stamp=web/node_modules/.kazan-package-lock.json
if [ -f "$sao/dist/tryton-sao.js" ] && cmp -s web/package-lock.json "$stamp"; then
    echo "web client: $sao is up to date"
else
    # --prefer-offline: the tarballs of an earlier run come from npm's cache
    (cd web && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
    cp web/package-lock.json "$stamp"
    echo "web client: npm ci in $((SECONDS - t0)) s"
fi
for file in index.html dist/tryton-sao.js dist/tryton-sao.css \
        node_modules/jquery/dist/jquery.js; do
    if [ ! -f "$sao/$file" ]; then
        echo "error: $sao/$file is missing after npm ci" >&2
        exit 1
    fi
done

# sao's Russian, ours (npm ci above gives back sao's empty one)
.venv/bin/python web/po2json.py web/locale/ru.po "$sao/locale/ru.json" \
    | sed 's/^/web client: /'

sao_version=$(node -p "require('./$sao/package.json').version")
if [ "$browser" = no ]; then
    echo "web client: sao $sao_version in $(pwd)/$sao" \
        "(total $((SECONDS - t_start)) s)"
    exit 0
fi

# Chromium, and a font with Cyrillic for the Russian interface
mapfile -t missing < <(missing_packages chromium fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
    as_root_install "${missing[@]}"
else
    echo "web client: chromium is present"
fi

echo "web client: sao $sao_version in $(pwd)/$sao," \
    "$(/usr/bin/chromium --version 2>/dev/null)" \
    "(total $((SECONDS - t_start)) s)"
