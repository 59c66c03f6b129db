#!/bin/sh
# Installs the tools thema's tests need beyond cargo: xmllint (Debian package libxml2-utils),
# used by tests/refi_qda.rs to validate REFI-QDA exports against the official XSDs.
# Safe to run repeatedly; does nothing when xmllint is already installed.
set -eu
if command -v xmllint >/dev/null 2>&1; then
    echo "xmllint present: $(xmllint --version 2>&1 | head -n 1)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "xmllint is missing and apt-get is not available: install libxml2 (xmllint) by hand" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends libxml2-utils \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends libxml2-utils; }
xmllint --version 2>&1 | head -n 1
