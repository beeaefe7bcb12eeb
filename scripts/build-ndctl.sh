#!/usr/bin/env bash
# Cross-builds the real `cxl` and `daxctl` tools (Debian's ndctl source package) as static riscv64
# glibc binaries (rv64gc, lp64d) and installs them, stripped, into the directory given as $1.
#
# Usage: scripts/build-ndctl.sh OUTDIR
#
# `npm run linux` runs it as `scripts/build-ndctl.sh guests/linux/out`; scripts/build-initramfs.sh
# then packs the two tools into initramfs-tools.cpio (docs/linux-cxl.md, "The real tools").
#
# Sources are the upstream (.orig) tarballs of Debian source packages, fetched from the Debian
# mirror's pool by URL and checked against the SHA-256 sums of Debian's signed Sources indexes (no
# deb-src line needed). The libraries ndctl links are built here as static riscv64 archives:
# libkmod (kmod), json-c, libuuid (util-linux, nothing else of it), iniparser. libudev would need
# systemd's build, and Debian has no libudev-zero, so a small stand-in written below provides the
# five functions ndctl calls (no udevd runs in the guest: its queue is always empty). Left out of
# ndctl: docs, systemd units, keyutils (nvdimm passphrases), libtracefs (so no `cxl monitor` and
# no `cxl list --media-errors`; ndctl 81 calls libtracefs for the latter even when it is disabled,
# so cxl/json.c is patched to say once that this build lacks it), bash completion, tests.
#
# The whole build is cached in ${CXLEMU_CACHE:-$HOME/.cache/cxlemu}/ndctl-<key>, where <key> hashes
# this script, the source list and the cross compiler's version: about 4 minutes cold on 2 cores; a
# warm run only copies the two binaries. Tarballs are kept in ndctl-downloads beside it.
#
# Needs the Debian packages (exactly; for .ci/apt-packages):
#   gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu libc6-dev-riscv64-cross meson ninja-build cmake autoconf automake libtool pkgconf make curl xz-utils
# Optional: qemu-user (then the script smoke-tests `cxl version` and `daxctl version`).
# Environment: CXLEMU_CACHE (cache root), DEBIAN_MIRROR (default http://deb.debian.org/debian),
# NDCTL_JOBS (parallel jobs, default 2).
set -euo pipefail
shopt -s inherit_errexit  # so that failures inside $(...) stop the script too

die() { echo "build-ndctl: error: $*" >&2; exit 1; }
log() { echo "build-ndctl: [${SECONDS}s] $*" >&2; }

[ $# -eq 1 ] && [ -n "$1" ] || die "usage: $0 OUTDIR (the directory that receives cxl and daxctl)"
outdir="$1"
script="$(readlink -f "$0")"

cross=riscv64-linux-gnu
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
jobs="${NDCTL_JOBS:-2}"

# name  version  pool path (under $mirror/pool/main)  sha256 (from Debian's Sources index)
# ndctl 81 and iniparser 4.2.6 are trixie's: the mirror here no longer serves the tarballs of
# bookworm's ndctl 76.1 and iniparser 4.1.
sources="
ndctl      81              n/ndctl/ndctl_81.orig.tar.gz                        e40784687ac2d0c176748c9ffb8bde541a12301b6fedb607a9a70c8fd1f94929
kmod       30+20221128     k/kmod/kmod_30+20221128.orig.tar.xz                 00bc9ae4f1f9e1bbc1266d838452865bc7c24271d0853939edbe3029ad22af4e
json-c     0.16            j/json-c/json-c_0.16.orig.tar.gz                    3ecaeedffd99a60b1262819f9e60d7d983844073abc74e495cb822b251904185
util-linux 2.38.1          u/util-linux/util-linux_2.38.1.orig.tar.xz          60492a19b44e6cf9a3ddff68325b333b8b52b6c59ce3ebd6a0ecaa4c5117e84f
iniparser  4.2.6           i/iniparser/iniparser_4.2.6.orig.tar.xz             50be6754755ffe15cd5de4a26425b6ea571266efc7619e5986122e5349b3b0a9
"

ndctl_version="$(awk '$1 == "ndctl" { print $2 }' <<< "$sources")"

# --- Everything needed must be there before anything starts. ----------------------------------
need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 || missing="$missing $2($1)"
}
missing=""
need ${cross}-gcc gcc-riscv64-linux-gnu
need ${cross}-ar binutils-riscv64-linux-gnu
need ${cross}-strip binutils-riscv64-linux-gnu
need ${cross}-readelf binutils-riscv64-linux-gnu
need ${cross}-objcopy binutils-riscv64-linux-gnu
need ${cross}-ld binutils-riscv64-linux-gnu
need ${cross}-ranlib binutils-riscv64-linux-gnu
need meson meson
need ninja ninja-build
need cmake cmake
need autoreconf autoconf
need aclocal automake
need libtoolize libtool
need pkg-config pkgconf
need make make
need curl curl
need xz xz-utils
need sha256sum coreutils
[ -z "$missing" ] || die "missing tools; apt-get install:$missing"
[ -f /usr/share/aclocal/libtool.m4 ] || die "libtool.m4 is missing: apt-get install libtool"
echo 'int main(void){return 0;}' | ${cross}-gcc -static -x c -o /dev/null - 2>/dev/null \
  || die "${cross}-gcc cannot link a static program: apt-get install libc6-dev-riscv64-cross"

# --- Cache. -----------------------------------------------------------------------------------
key="$( { cat "$script"; echo "$sources"; ${cross}-gcc --version | head -1; } | sha256sum | cut -c1-16)"
cache_root="${CXLEMU_CACHE:-${HOME:?HOME is unset}/.cache/cxlemu}"
cache="$cache_root/ndctl-$key"
downloads="$cache_root/ndctl-downloads"   # tarballs, shared by every key (checked by sha256)

fetch() { # name -> path of the verified tarball
  local name="$1" n v path sum file
  while read -r n v path sum; do
    [ "$n" = "$name" ] || continue
    file="$downloads/${path##*/}"
    if [ ! -f "$file" ] || ! echo "$sum  $file" | sha256sum -c --status; then
      log "fetching $mirror/pool/main/$path"
      mkdir -p "$downloads"
      curl -fsSL --retry 3 -o "$file.part" "$mirror/pool/main/$path" \
        || die "cannot download $mirror/pool/main/$path ($name $v)"
      echo "$sum  $file.part" | sha256sum -c --status \
        || die "$file: sha256 mismatch (expected $sum for $name $v)"
      mv "$file.part" "$file"
    fi
    echo "$file"
    return 0
  done <<< "$sources"
  die "no source entry for $name"
}

unpack() { # name -> source directory under $cache/src
  local tarball dir
  tarball="$(fetch "$1")"
  dir="$cache/src/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xf "$tarball" -C "$dir" --strip-components=1
  echo "$dir"
}

build() {
  local sysroot="$cache/sysroot" src b
  rm -rf "$cache/src" "$cache/build" "$sysroot"
  mkdir -p "$cache/src" "$cache/build" "$sysroot/lib/pkgconfig" "$sysroot/include"
  local n _
  while read -r n _; do [ -z "$n" ] || fetch "$n" >/dev/null; done <<< "$sources"  # all, before building
  local cflags="-O2 -march=rv64gc -mabi=lp64d -ffunction-sections -fdata-sections"
  export PKG_CONFIG_LIBDIR="$sysroot/lib/pkgconfig" PKG_CONFIG_PATH="" PKG_CONFIG_SYSROOT_DIR=""
  local auto=(--host=$cross --prefix="$sysroot" --libdir="$sysroot/lib" --disable-shared --enable-static)

  # libudev stand-in: the five functions ndctl calls.
  log "libudev stand-in"
  b="$cache/build/libudev"; mkdir -p "$b"
  cat > "$sysroot/include/libudev.h" <<'EOF'
/* libudev stand-in for ndctl: no udevd runs in the guest, so its queue is always empty. */
#ifndef LIBUDEV_SHIM_H
#define LIBUDEV_SHIM_H
#include <stdarg.h>
#include <sys/sysmacros.h> /* like systemd's libudev.h: ndctl relies on major()/minor() */
#include <sys/types.h>
#ifdef __cplusplus
extern "C" {
#endif
struct udev;
struct udev_queue;
struct udev *udev_new(void);
struct udev *udev_ref(struct udev *udev);
struct udev *udev_unref(struct udev *udev);
struct udev_queue *udev_queue_new(struct udev *udev);
struct udev_queue *udev_queue_ref(struct udev_queue *queue);
struct udev_queue *udev_queue_unref(struct udev_queue *queue);
int udev_queue_get_udev_is_active(struct udev_queue *queue);
int udev_queue_get_queue_is_empty(struct udev_queue *queue);
#ifdef __cplusplus
}
#endif
#endif
EOF
  cat > "$b/libudev.c" <<'EOF'
#include <stdlib.h>
#include <libudev.h>
struct udev { int refs; };
struct udev_queue { int refs; struct udev *udev; };
struct udev *udev_new(void) { struct udev *u = calloc(1, sizeof(*u)); if (u) u->refs = 1; return u; }
struct udev *udev_ref(struct udev *u) { if (u) u->refs++; return u; }
struct udev *udev_unref(struct udev *u) { if (u && --u->refs == 0) free(u); return NULL; }
struct udev_queue *udev_queue_new(struct udev *u)
{
	struct udev_queue *q;
	if (!u) return NULL;
	q = calloc(1, sizeof(*q));
	if (q) { q->refs = 1; q->udev = udev_ref(u); }
	return q;
}
struct udev_queue *udev_queue_ref(struct udev_queue *q) { if (q) q->refs++; return q; }
struct udev_queue *udev_queue_unref(struct udev_queue *q)
{
	if (q && --q->refs == 0) { udev_unref(q->udev); free(q); }
	return NULL;
}
int udev_queue_get_udev_is_active(struct udev_queue *q) { (void)q; return 0; }
int udev_queue_get_queue_is_empty(struct udev_queue *q) { (void)q; return 1; }
EOF
  ${cross}-gcc $cflags -Wall -Werror -I"$sysroot/include" -c -o "$b/libudev.o" "$b/libudev.c"
  ${cross}-ar rcs "$sysroot/lib/libudev.a" "$b/libudev.o"
  cat > "$sysroot/lib/pkgconfig/libudev.pc" <<EOF
prefix=$sysroot
libdir=\${prefix}/lib
includedir=\${prefix}/include
Name: libudev
Description: libudev stand-in for ndctl (no udevd)
Version: 252
Libs: -L\${libdir} -ludev
Cflags: -I\${includedir}
EOF

  # iniparser: two C files, simpler to compile directly than through its CMake build.
  log "iniparser"
  src="$(unpack iniparser)"; b="$cache/build/iniparser"; mkdir -p "$b" "$sysroot/include/iniparser"
  ${cross}-gcc $cflags -c -o "$b/iniparser.o" "$src/src/iniparser.c"
  ${cross}-gcc $cflags -c -o "$b/dictionary.o" "$src/src/dictionary.c"
  ${cross}-ar rcs "$sysroot/lib/libiniparser.a" "$b/iniparser.o" "$b/dictionary.o"
  cp "$src/src/iniparser.h" "$src/src/dictionary.h" "$sysroot/include/iniparser/"

  # json-c (CMake).
  log "json-c"
  src="$(unpack json-c)"; b="$cache/build/json-c"
  cmake -S "$src" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=riscv64 \
    -DCMAKE_C_COMPILER=${cross}-gcc -DCMAKE_AR="$(command -v ${cross}-ar)" \
    -DCMAKE_RANLIB="$(command -v ${cross}-ranlib)" -DCMAKE_C_FLAGS="$cflags" \
    -DCMAKE_FIND_ROOT_PATH="$sysroot" -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER \
    -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY \
    -DCMAKE_INSTALL_PREFIX="$sysroot" -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON -DBUILD_TESTING=OFF -DBUILD_APPS=OFF \
    -DDISABLE_WERROR=ON -DDISABLE_EXTRA_LIBS=ON >"$b.log" 2>&1 || { tail -30 "$b.log" >&2; die "json-c: cmake failed ($b.log)"; }
  ninja -C "$b" -j"$jobs" install >>"$b.log" 2>&1 || { tail -30 "$b.log" >&2; die "json-c: build failed ($b.log)"; }

  # libuuid from util-linux (autotools, every program disabled).
  log "util-linux (libuuid only)"
  src="$(unpack util-linux)"; b="$cache/build/util-linux"; mkdir -p "$b"
  ( cd "$b" && "$src/configure" "${auto[@]}" CFLAGS="$cflags" \
      --disable-all-programs --enable-libuuid --disable-nls --disable-bash-completion \
      --disable-asciidoc --disable-poman --without-python --without-systemd --without-udev \
      --without-readline --without-ncursesw --without-ncurses --without-tinfo --without-selinux \
      --without-audit --without-cap-ng --without-libmagic --without-econf --without-cryptsetup \
      --without-btrfs --without-user ) >"$b.log" 2>&1 || { tail -30 "$b.log" >&2; die "util-linux: configure failed ($b.log)"; }
  make -C "$b" -j"$jobs" >>"$b.log" 2>&1 && make -C "$b" install >>"$b.log" 2>&1 \
    || { tail -30 "$b.log" >&2; die "util-linux: build failed ($b.log)"; }

  # libkmod (autotools from a git snapshot: needs autoreconf; no compression, no tools, no docs).
  log "kmod (libkmod only)"
  src="$(unpack kmod)"; b="$cache/build/kmod"; mkdir -p "$b"
  mkdir -p "$src/libkmod/docs" && touch "$src/libkmod/docs/gtk-doc.make"
  # kmod refuses --enable-static outright; a static libkmod.a works fine for a static program.
  sed -i '/--enable-static is not supported by kmod/d' "$src/configure.ac"
  ( cd "$src" && autoreconf --force --install ) >"$b.log" 2>&1 || { tail -30 "$b.log" >&2; die "kmod: autoreconf failed ($b.log)"; }
  ( cd "$b" && "$src/configure" "${auto[@]}" CFLAGS="$cflags" \
      --disable-tools --disable-manpages --disable-test-modules --disable-python --disable-logging \
      --without-zstd --without-xz --without-zlib --without-openssl \
      --with-bashcompletiondir="$sysroot/share/bash-completion" \
      ) >>"$b.log" 2>&1 || { tail -30 "$b.log" >&2; die "kmod: configure failed ($b.log)"; }
  make -C "$b" -j"$jobs" >>"$b.log" 2>&1 && make -C "$b" install >>"$b.log" 2>&1 \
    || { tail -30 "$b.log" >&2; die "kmod: build failed ($b.log)"; }
  # libkmod.so hides its internal helpers with a version script; a static archive does not, and
  # its strbuf_init/strbuf_release clash with ndctl's own. Keep only kmod_* global.
  ${cross}-ld -r -o "$b/libkmod-all.o" --whole-archive "$sysroot/lib/libkmod.a"
  ${cross}-objcopy --wildcard --keep-global-symbol='kmod_*' "$b/libkmod-all.o"
  rm -f "$sysroot/lib/libkmod.a" "$sysroot/lib/libkmod.la"
  ${cross}-ar rcs "$sysroot/lib/libkmod.a" "$b/libkmod-all.o"

  # ndctl: only the cxl and daxctl executables, linked statically.
  log "ndctl (cxl, daxctl)"
  src="$(unpack ndctl)"; b="$cache/build/ndctl"
  # ndctl 81's cxl/json.c includes <tracefs.h> and calls libtracefs for `cxl list --media-errors`
  # even with -Dlibtracefs=disabled (only `cxl monitor` is optional). libtracefs's tarball is not
  # on the mirror, so compile that code only with ENABLE_LIBTRACEFS and let --media-errors print
  # an error otherwise.
  sed -i -e 's|^#include <tracefs.h>$|#ifdef ENABLE_LIBTRACEFS\n#include <tracefs.h>\n#include "../util/event_trace.h"\n#endif|' \
    -e '\|^#include "../util/event_trace.h"$|d' \
    -e 's|^/\* CXL Spec 3.1 Table 8-140 Media Error Record \*/$|#ifdef ENABLE_LIBTRACEFS\n&|' \
    -e 's|^struct json_object \*util_cxl_memdev_to_json(struct cxl_memdev \*memdev,$|#else\nstatic struct json_object *\nutil_cxl_poison_list_to_json(struct cxl_region *region, struct cxl_memdev *memdev,\n\t\t\t     unsigned long flags)\n{\n\tstatic int said;\n\n\t(void)region; (void)memdev; (void)flags;\n\tif (!said++)\n\t\tfprintf(stderr, "cxl: --media-errors needs libtracefs, which this build lacks\\n");\n\treturn NULL;\n}\n#endif\n\n&|' \
    "$src/cxl/json.c"
  [ "$(grep -c '^#ifdef ENABLE_LIBTRACEFS$' "$src/cxl/json.c")" = 2 ] && grep -q 'needs libtracefs, which this build lacks' "$src/cxl/json.c" \
    || die "ndctl: the cxl/json.c tracefs patch no longer applies (new ndctl version?)"
  cat > "$cache/build/cross.ini" <<EOF
[binaries]
c = '${cross}-gcc'
ar = '${cross}-ar'
strip = '${cross}-strip'
pkgconfig = 'pkg-config'

[built-in options]
c_args = ['-march=rv64gc', '-mabi=lp64d', '-ffunction-sections', '-fdata-sections', '-I$sysroot/include']
c_link_args = ['-static', '-L$sysroot/lib', '-Wl,--gc-sections']

[properties]
pkg_config_libdir = '$sysroot/lib/pkgconfig'

[host_machine]
system = 'linux'
cpu_family = 'riscv64'
cpu = 'riscv64'
endian = 'little'
EOF
  meson setup "$b" "$src" --cross-file "$cache/build/cross.ini" \
    -Doptimization=2 -Ddebug=false -Ddefault_library=static -Dversion-tag="$ndctl_version" \
    -Ddocs=disabled -Dasciidoctor=disabled -Dsystemd=disabled -Dkeyutils=disabled \
    -Dlibtracefs=disabled -Dtest=disabled -Ddestructive=disabled -Dbashcompletiondir=no \
    -Diniparserdir="$sysroot/include/iniparser" >"$b.log" 2>&1 \
    || { tail -40 "$b.log" >&2; die "ndctl: meson setup failed ($b.log)"; }
  ninja -C "$b" -j"$jobs" cxl/cxl daxctl/daxctl >>"$b.log" 2>&1 \
    || { tail -40 "$b.log" >&2; die "ndctl: build failed ($b.log)"; }

  mkdir -p "$cache/bin"
  for t in cxl daxctl; do
    ${cross}-strip -o "$cache/bin/$t" "$b/$t/$t"
  done
  rm -rf "$cache/src" "$cache/build"/*/  # keep the logs and the sysroot, drop the trees
  touch "$cache/done"
}

if [ ! -f "$cache/done" ]; then
  log "cold build into $cache (a few minutes on 2 cores)"
  start=$(date +%s)
  build
  log "cold build took $(( $(date +%s) - start )) s"
fi

for t in cxl daxctl; do
  [ -f "$cache/bin/$t" ] || die "$cache/bin/$t is missing (remove $cache and run again)"
  headers="$(${cross}-readelf -lW "$cache/bin/$t")" || die "$cache/bin/$t is not an ELF file"
  case "$headers" in *INTERP*) die "$cache/bin/$t is not a static binary";; esac
done
if command -v qemu-riscv64 >/dev/null 2>&1; then
  for t in cxl daxctl; do
    v="$(qemu-riscv64 "$cache/bin/$t" version 2>&1)" || die "$t version failed under qemu-riscv64: $v"
  done
fi
mkdir -p "$outdir"
install -m 0755 "$cache/bin/cxl" "$cache/bin/daxctl" "$outdir/"
log "$outdir/cxl $(stat -c %s "$outdir/cxl") bytes, $outdir/daxctl $(stat -c %s "$outdir/daxctl") bytes (cache $cache)"
