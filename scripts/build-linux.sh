#!/usr/bin/env bash
# Builds the project's Linux kernel (riscv64 Image + vmlinux) from Debian's linux-source-6.12 with
# guests/linux/kernel.config merged onto tinyconfig.
# The kernel build is cached outside the checkout, keyed by the source package version, the config
# fragment, this script and the cross compiler's version: a second run copies it in seconds.
# Outputs (ignored by git): guests/linux/out/{Image,vmlinux}; scripts/build-initramfs.sh makes the
# init and initramfs.cpio (not part of the cache key: the init changes far more often).
# Needs the Debian packages linux-source-6.12 gcc-riscv64-linux-gnu flex bison bc libssl-dev
# libelf-dev cpio (.ci/apt-packages lists them).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/guests/linux/out"
tarball=/usr/src/linux-source-6.12.tar.xz
cross=riscv64-linux-gnu-
fragment="$repo/guests/linux/kernel.config"

die() { echo "build-linux: $*" >&2; exit 1; }
[ -f "$tarball" ] || die "$tarball is missing: apt-get install linux-source-6.12"
command -v ${cross}gcc >/dev/null || die "${cross}gcc is missing: apt-get install gcc-riscv64-linux-gnu"

srcver="$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s "$tarball")"
key="$( { echo "$srcver"; cat "$fragment" "$0"; ${cross}gcc --version | head -1; } | sha256sum | cut -c1-16)"
cache_root="${CXLEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cxlemu}"
cache="$cache_root/linux-$key"
src="$cache/src"
build="$cache/build"
mkdir -p "$cache" "$out"

if [ ! -f "$cache/done" ]; then
  echo "build-linux: cold build into $cache (source $srcver; about 10 minutes on 2 cores)" >&2
  rm -rf "$src" "$build"
  mkdir -p "$src" "$build"
  tar -xf "$tarball" -C "$src" --strip-components=1
  mk() { make -s -C "$src" O="$build" ARCH=riscv CROSS_COMPILE=$cross "$@"; }
  mk tinyconfig
  "$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" >/dev/null
  mk olddefconfig
  # Every option the fragment sets must have survived olddefconfig (a missing dependency drops it).
  missing=""
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=n) sym="${line%%=*}"; grep -q "^$sym=" "$build/.config" && missing="$missing $line" ;;
      CONFIG_*=*) grep -qx "$line" "$build/.config" || missing="$missing $line" ;;
    esac
  done < "$fragment"
  [ -z "$missing" ] || die "options that did not survive olddefconfig:$missing"
  mk -j"$(nproc)" Image vmlinux
  touch "$cache/done"
fi
cp "$build/arch/riscv/boot/Image" "$out/Image"
cp "$build/vmlinux" "$out/vmlinux"
# Where the initramfs script finds nolibc and gen_init_cpio.
echo "$cache" > "$out/kernel-cache"
echo "build-linux: $out/Image $(stat -c %s "$out/Image") bytes (cache $cache)" >&2
