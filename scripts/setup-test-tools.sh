#!/bin/sh
# Installs the tools thema's tests need beyond cargo, with apt-get (Debian/Ubuntu):
#   xmllint   (libxml2-utils)  tests/it/refi_qda.rs validates REFI-QDA exports against the XSDs
#   mpv       (mpv)            tests/it/media_mpv.rs plays a recording and drives mpv's control socket
#   espeak-ng (espeak-ng)      tests/it/media_mpv.rs speaks the test recording
#   sox       (sox)            tests/it/media_mpv.rs pads it with silence
# Safe to run repeatedly: installs only what is missing and prints one line per tool.
set -eu

missing=""
for pair in xmllint:libxml2-utils mpv:mpv espeak-ng:espeak-ng sox:sox; do
    tool=${pair%%:*}
    package=${pair#*:}
    if ! command -v "$tool" >/dev/null 2>&1; then
        missing="$missing $package"
    fi
done

if [ -n "$missing" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing:$missing, and apt-get is not available: install them by hand" >&2
        exit 1
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    echo "installing:$missing"
    # shellcheck disable=SC2086 # one word per package
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null \
        || { $SUDO apt-get update -qq >/dev/null \
            && $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
fi

echo "xmllint: $(xmllint --version 2>&1 | head -n 1)"
echo "mpv: $(mpv --version 2>/dev/null | head -n 1)"
echo "espeak-ng: $(espeak-ng --version 2>/dev/null | head -n 1)"
echo "sox: $(sox --version 2>/dev/null | head -n 1)"
