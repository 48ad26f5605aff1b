#!/usr/bin/env bash
# Builds Tessera's Linux guest: an unpatched kernel from Debian's
# linux-source-6.1 (tinyconfig + guests/linux/kernel.config) with an embedded
# initramfs whose /init is guests/linux/init.c, compiled static.
#   guests/linux/build.sh [--force] [--output FILE]
# The kernel is built once per cache key, outside the source tree, in
#   ${TESSERA_CACHE_DIR:-$HOME/.cache/tessera}/linux-<key>/Image
# where <key> is the first 16 hex digits of a SHA-256 over kernel.config,
# init.c, this script and the linux-source-6.1 package version.
#   --force        rebuild even if that Image exists
#   --output FILE  also copy the Image to FILE (for a build directory)
# Progress goes to stderr; the last line on stdout is the Image's path.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE_PACKAGE=linux-source-6.1
SOURCE_TARBALL=/usr/src/linux-source-6.1.tar.xz
CROSS_COMPILE=riscv64-linux-gnu-
JOBS="$(nproc 2>/dev/null || echo 2)"
PROGRESS_SECONDS=15
STEPS=5

say() { printf 'linux: %s\n' "$*" >&2; }
step() { printf 'linux [%s/%s] %s\n' "$1" "$STEPS" "$2" >&2; }
die() { printf 'linux: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; }

force=0
output=""
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=1 ;;
        --output) [ $# -ge 2 ] || { usage; exit 2; }; output="$2"; shift ;;
        --output=*) output="${1#--output=}" ;;
        -h|--help) usage; exit 0 ;;
        *) usage; die "unknown argument '$1'" ;;
    esac
    shift
done

# ---- What we need from the host -------------------------------------------
check_host() {
    local missing=() tool
    for tool in make gcc flex bison bc perl tar xz "${CROSS_COMPILE}gcc"; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [ -f "/usr/${CROSS_COMPILE%-}/lib/libc.a" ] || missing+=("static riscv64 libc (libc6-dev-riscv64-cross)")
    [ -f "$SOURCE_TARBALL" ] || missing+=("$SOURCE_TARBALL ($SOURCE_PACKAGE)")
    [ ${#missing[@]} -eq 0 ] ||
        die "missing: ${missing[*]}; see guests/linux/README.md for the Debian packages"
}

# ---- Cache key ---------------------------------------------------------------
source_version() {
    dpkg-query -W -f='${Version}' "$SOURCE_PACKAGE" 2>/dev/null ||
        die "cannot read the version of Debian package $SOURCE_PACKAGE (is it installed?)"
}

cache_key() {
    {
        printf 'kernel.config %s\n' "$(sha256sum <"$HERE/kernel.config" | cut -d' ' -f1)"
        printf 'init.c %s\n' "$(sha256sum <"$HERE/init.c" | cut -d' ' -f1)"
        printf 'build.sh %s\n' "$(sha256sum <"$HERE/build.sh" | cut -d' ' -f1)"
        printf '%s %s\n' "$SOURCE_PACKAGE" "$(source_version)"
    } | sha256sum | cut -c1-16
}

# Copies the Image to --output, atomically, and prints the path to use.
finish() {
    local image="$1"
    if [ -n "$output" ]; then
        mkdir -p "$(dirname "$output")"
        cp -f "$image" "$output.tmp.$$"
        mv -f "$output.tmp.$$" "$output"
        image="$(cd "$(dirname "$output")" && pwd)/$(basename "$output")"
    fi
    printf '%s\n' "$image"
}

KEY="$(cache_key)"
CACHE_ROOT="${TESSERA_CACHE_DIR:-${HOME:?set HOME or TESSERA_CACHE_DIR}/.cache/tessera}"
CACHE="$CACHE_ROOT/linux-$KEY"
IMAGE="$CACHE/Image"
BUILD="$CACHE/build"
LOG="$CACHE/build.log"

if [ "$force" -eq 0 ] && [ -f "$IMAGE" ]; then
    say "cached kernel $IMAGE"
    finish "$IMAGE"
    exit 0
fi

check_host

# One build per key at a time: a second caller waits, then finds the Image.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
    say "another build of linux-$KEY is running; waiting for it"
    flock 9
fi
if [ "$force" -eq 0 ] && [ -f "$IMAGE" ]; then
    say "cached kernel $IMAGE (built meanwhile)"
    finish "$IMAGE"
    exit 0
fi

say "building kernel linux-$KEY ($SOURCE_PACKAGE $(source_version), $JOBS jobs) in $CACHE"
say "full log: $LOG"
started=$SECONDS
: >"$LOG"

# Every make runs with the same environment; a fixed build user, host and
# timestamp (the source tarball's) make the Image depend only on the inputs
# and the toolchain: two builds of one key are byte-identical.
KMAKE=(make -C "$BUILD" ARCH=riscv CROSS_COMPILE="$CROSS_COMPILE"
       KBUILD_BUILD_USER=tessera KBUILD_BUILD_HOST=tessera
       KBUILD_BUILD_TIMESTAMP="$(date -u -R -r "$SOURCE_TARBALL")")

fail_with_log() {
    say "$1; last lines of $LOG:"
    tail -n 40 "$LOG" >&2
    exit 1
}

# The long steps (tar, make) run in the background while this script waits:
# a foreground child would outlive a SIGTERM sent to the script, and a
# background one ignores Ctrl-C in a non-interactive shell. Either signal
# stops the child (make passes SIGTERM on to its jobs), then the script.
child=""
on_signal() {
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" || true
    fi
    say "interrupted"
    exit 130
}
trap on_signal INT TERM

start() { "$@" & child=$!; }
finish_child() {
    local status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}
run() { start "$@"; finish_child; }

# ---- 1. /init and the initramfs list -----------------------------------------
step 1 "compiling guests/linux/init.c (static, lp64d) and the initramfs list"
"${CROSS_COMPILE}gcc" -static -O2 -Wall -Wextra -Werror -s \
    -o "$CACHE/init" "$HERE/init.c" >>"$LOG" 2>&1 ||
    fail_with_log "compiling init.c failed"
# The initramfs records /init's mtime: give it the fixed build timestamp too.
touch -r "$SOURCE_TARBALL" "$CACHE/init"
# gen_init_cpio's format (see the kernel's usr/gen_init_cpio.c). The kernel
# opens /dev/console before running /init, so the node must be in the archive;
# /init mounts devtmpfs over /dev afterwards.
cat >"$CACHE/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $CACHE/init 0755 0 0
EOF

# ---- 2. Unpack -----------------------------------------------------------------
step 2 "unpacking $SOURCE_TARBALL into $BUILD"
rm -rf "$BUILD"
mkdir -p "$BUILD"
run tar -xf "$SOURCE_TARBALL" -C "$BUILD" --strip-components=1 ||
    die "cannot unpack $SOURCE_TARBALL"
cp "$CACHE/initramfs.list" "$BUILD/tessera-initramfs.list"

# ---- 3. Configure and verify ---------------------------------------------------
step 3 "configuring tinyconfig + guests/linux/kernel.config"
# The fragment's options make new ones visible (enabling TTY shows VT, BLOCK
# shows I/O schedulers, ...). olddefconfig would give those their defaults,
# which for many is y; resolving the merged file with allnoconfig instead
# keeps every value it names and says no to everything else, as tinyconfig
# itself does.
{
    run "${KMAKE[@]}" tinyconfig &&
    run env --chdir="$BUILD" scripts/kconfig/merge_config.sh -m .config "$HERE/kernel.config" &&
    mv "$BUILD/.config" "$BUILD/tessera-allconfig" &&
    run "${KMAKE[@]}" KCONFIG_ALLCONFIG=tessera-allconfig allnoconfig
} >>"$LOG" 2>&1 || fail_with_log "configuration failed"

# Kconfig silently drops a request whose dependencies are not met: check that
# each line of the fragment is in the final .config exactly as written.
dropped=()
while IFS= read -r line; do
    if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
        grep -qxF -- "$line" "$BUILD/.config" ||
            dropped+=("${BASH_REMATCH[1]} (wanted ${BASH_REMATCH[2]}, got $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$BUILD/.config" || echo 'not set'))")
    elif [[ "$line" =~ ^"# "(CONFIG_[A-Za-z0-9_]+)" is not set"$ ]]; then
        ! grep -qE "^${BASH_REMATCH[1]}=" "$BUILD/.config" ||
            dropped+=("${BASH_REMATCH[1]} (wanted not set, got $(grep -E "^${BASH_REMATCH[1]}=" "$BUILD/.config"))")
    fi
done <"$HERE/kernel.config"
if [ ${#dropped[@]} -gt 0 ]; then
    say "the final .config does not have these options of guests/linux/kernel.config as requested:"
    printf '  %s\n' "${dropped[@]}" >&2
    die "configuration check failed (see $BUILD/.config)"
fi
cp "$BUILD/.config" "$CACHE/config"
say "configuration checked: every option of kernel.config is set as requested"

# ---- 4. Compile -----------------------------------------------------------------
step 4 "compiling Image with -j$JOBS (a few minutes; progress every ${PROGRESS_SECONDS}s)"
start "${KMAKE[@]}" -j"$JOBS" Image >>"$LOG" 2>&1
while kill -0 "$child" 2>/dev/null; do
    for _ in $(seq "$PROGRESS_SECONDS"); do
        sleep 1
        kill -0 "$child" 2>/dev/null || break
    done
    # Kbuild's short output has one "  CC      path.o"-style line per object.
    objects="$(grep -cE '^  (CC|AS|AR|LD)  ' "$LOG" || true)"
    say "compiling... $objects objects built ($((SECONDS - started))s)"
done
status=0
finish_child || status=$?
[ "$status" -eq 0 ] || fail_with_log "make Image failed (status $status)"

# ---- 5. Install -----------------------------------------------------------------
step 5 "installing the Image into $CACHE"
cp -f "$BUILD/arch/riscv/boot/Image" "$IMAGE.tmp"
mv -f "$IMAGE.tmp" "$IMAGE"
if [ "${TESSERA_LINUX_KEEP_BUILD:-0}" = 1 ]; then
    say "keeping the build tree $BUILD (TESSERA_LINUX_KEEP_BUILD=1)"
else
    rm -rf "$BUILD"
fi
say "built $IMAGE ($(stat -c %s "$IMAGE") bytes) in $((SECONDS - started))s"
finish "$IMAGE"
