#!/usr/bin/env bash
# Set-up on a fresh Debian or Ubuntu machine: system libraries and fonts, a
# virtual environment in .venv with whitepaper and its test tools, then a build
# of the sample paper into build/.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pango (WeasyPrint's text layout), the fonts the PDF uses, and what the tests
# use to look at outputs the way a reader does: pdftoppm and a headless browser;
# and what reviewers' own tools do to the files they send back: LibreOffice
# (opening and saving Word packets, driven through its UNO bridge) and Ghostscript
# (rewriting annotated PDFs).
packages=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-dejavu-core poppler-utils chromium
          libreoffice-writer-nogui python3-uno ghostscript)
python3 -m venv --help >/dev/null 2>&1 || packages+=(python3-venv)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/whitepaper build
