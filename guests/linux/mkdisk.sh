#!/usr/bin/env bash
# Writes the Linux guest's test disk: a raw image whose first bytes are the
# marker guests/linux/init.c looks for on /dev/vda, padded with zeros.
#   guests/linux/mkdisk.sh OUTPUT [SIZE_KIB]     (default 1024 KiB)
set -euo pipefail

MARKER="TESSERA-DISK-OK"   # must match DISK_MARKER in init.c

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    sed -n '2,4s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
    exit 2
fi
output="$1"
size_kib="${2:-1024}"

mkdir -p "$(dirname "$output")"
tmp="$(mktemp "$output.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
chmod 0644 "$tmp"
printf '%s\n' "$MARKER" >"$tmp"
truncate -s "${size_kib}K" "$tmp"
mv -f "$tmp" "$output"
trap - EXIT
printf '%s\n' "$output"
