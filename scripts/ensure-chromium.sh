#!/usr/bin/env bash
# Make sure Debian's Chromium is available for the browser tests and the audit.
# Exit 0 when /usr/bin/chromium runs. When it does not and we are root on Debian, install it with
# apt-get. Otherwise explain how to install it and exit 1. Never downloads a browser another way.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

chromium_runs() {
    [ -x "$1" ] && "$1" --headless=new --no-sandbox --disable-gpu --version >/dev/null 2>&1
}

# The tests use the first of these that runs (tests/support/tools.py), e.g. a GitHub runner's.
for candidate in "${BRIEFGEN_CHROMIUM:-}" "$CHROMIUM" /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -n "$candidate" ] && chromium_runs "$candidate"; then
        exit 0
    fi
done

if [ "$(id -u)" = "0" ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: $CHROMIUM not found; installing Debian's chromium with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y chromium
    if chromium_runs "$CHROMIUM"; then
        exit 0
    fi
    echo "ensure-chromium: apt-get installed chromium but $CHROMIUM still does not run" >&2
    exit 1
fi

cat >&2 <<MSG
ensure-chromium: the browser tests and 'make audit' need Chromium at $CHROMIUM, which is missing
or does not run. Install it with your system's package manager, for example on Debian/Ubuntu:

    sudo apt-get update && sudo apt-get install -y chromium

(briefgen never downloads a browser itself; 'playwright install' is not used.)
MSG
exit 1
