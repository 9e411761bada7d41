#!/usr/bin/env bash
# The Tryton desktop client (GTK 3) for the end-to-end test that drives it
# under Xvfb (tests/production/test_desktop_client.py).
#
#   bash .ci/desktop-client.sh [VENV]      (default var/desktop-venv; relative
#                                          paths from the repository root)
#
# Idempotent.  As root it installs the Debian packages that are missing
# (Xvfb, GTK 3 introspection data, PyGObject with cairo); then it makes VENV
# with Debian's /usr/bin/python3 --system-site-packages (PyGObject comes from
# Debian: pip would build it from source) and installs the client there.
#
# The client is the 8.0 series, like the server: a Tryton client refuses a
# server of another major.minor (tryton/gui/window/dblogin.py,
# DBListEditor.test_server_version: "Incompatible version of the server.").
#
# KAZAN_TRYTON_CLIENT  pip requirement of the client (default tryton>=8.0,<8.1)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${1:-var/desktop-venv}
requirement=${KAZAN_TRYTON_CLIENT:-'tryton>=8.0,<8.1'}
t_start=$SECONDS

# Xvfb; GTK 3 for PyGObject; the SVG loader for the client's icons (only
# recommended by GTK); a font with Cyrillic for the Russian interface
packages=(xvfb xauth gir1.2-gtk-3.0 python3-gi python3-gi-cairo python3-venv
    librsvg2-common fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "error: missing Debian packages (run as root): ${missing[*]}" >&2
        exit 1
    fi
    t0=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "desktop client: installed ${missing[*]} in $((SECONDS - t0)) s"
else
    echo "desktop client: the Debian packages are present"
fi

t0=$SECONDS
if ! "$venv/bin/python" -c 'import gi' 2>/dev/null; then
    rm -rf "$venv"
    /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
# pip skips an installed client that satisfies the requirement
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$requirement"
"$venv/bin/python" - <<'EOF'
import gi
gi.require_version('Gtk', '3.0')
from gi.repository import Gtk  # noqa: F401 (the typelib loads)
import tryton
print(f'desktop client: tryton {tryton.__version__}, '
    f'PyGObject {gi.__version__}, GTK {Gtk.MAJOR_VERSION}.{Gtk.MINOR_VERSION}')
EOF
echo "desktop client: venv $venv ready in $((SECONDS - t0)) s" \
    "(total $((SECONDS - t_start)) s)"
