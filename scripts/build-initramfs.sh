#!/usr/bin/env bash
# Builds the init (guests/linux/init/init.c: static, no libc, against the kernel's
# tools/include/nolibc, FPU-free lp64) and /bin/fpcheck (guests/linux/fpcheck: a static glibc
# program for the hard-float lp64d ABI, which the init runs with cxlemu.run=/bin/fpcheck), and
# packs guests/linux/out/initramfs.cpio with the kernel's gen_init_cpio. Needs
# scripts/build-linux.sh to have run (it records the kernel source's cache).
# With guests/linux/out/cxl and daxctl present (scripts/build-ndctl.sh guests/linux/out) it also
# packs initramfs-tools.cpio: the same files plus /bin/cxl, /bin/daxctl and the mount points
# /run and /tmp the init puts tmpfs on. Without them it says so and packs only the first.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/guests/linux/out"
cross=riscv64-linux-gnu-
[ -f "$out/kernel-cache" ] || { echo "build-initramfs: run scripts/build-linux.sh first" >&2; exit 1; }
cache="$(cat "$out/kernel-cache")"
src="$cache/src"
build="$cache/build"

# The init: a static no-libc program (the kernel's tools/include/nolibc), FPU-free lp64.
${cross}gcc -Os -Wall -Werror -static -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables \
  -march=rv64imac_zicsr_zifencei -mabi=lp64 -include "$src/tools/include/nolibc/nolibc.h" \
  -I "$src/tools/include/nolibc" -o "$out/init" "$repo/guests/linux/init/init.c" -lgcc
# A static glibc program, RV64GC with the lp64d ABI (libc6-dev-riscv64-cross).
${cross}gcc -O2 -Wall -Werror -static -march=rv64gc -mabi=lp64d -o "$out/fpcheck" \
  "$repo/guests/linux/fpcheck/fpcheck.c" -lm
cat > "$out/initramfs.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $out/init 0755 0 0
dir /bin 0755 0 0
file /bin/fpcheck $out/fpcheck 0755 0 0
LIST
gen="$build/usr/gen_init_cpio"
[ -x "$gen" ] || { gcc -O2 -o "$cache/gen_init_cpio" "$src/usr/gen_init_cpio.c"; gen="$cache/gen_init_cpio"; }
"$gen" "$out/initramfs.list" > "$out/initramfs.cpio"
echo "build-initramfs: $out/initramfs.cpio $(stat -c %s "$out/initramfs.cpio") bytes" >&2

if [ ! -f "$out/cxl" ] || [ ! -f "$out/daxctl" ]; then
  echo "build-initramfs: no $out/{cxl,daxctl} (scripts/build-ndctl.sh $out): initramfs-tools.cpio not built" >&2
  exit 0
fi
# The kernel has no loadable modules, but before binding a driver the tools ask libkmod to load
# its module, and libkmod knows a driver is built in only from the index that depmod (Debian's
# kmod) makes of the kernel's modules.builtin. Without it, `daxctl reconfigure-device -m devdax`
# fails with "insert failure: -2".
release="$(cat "$build/include/config/kernel.release")"
modules="$out/tools-modules"
rm -rf "$modules"
mkdir -p "$modules/lib/modules/$release"
cp "$build/modules.builtin" "$build/modules.builtin.modinfo" "$modules/lib/modules/$release/"
touch "$modules/lib/modules/$release/modules.order"
command -v depmod >/dev/null || PATH="$PATH:/sbin:/usr/sbin"
command -v depmod >/dev/null || { echo "build-initramfs: depmod is missing: apt-get install kmod" >&2; exit 1; }
depmod -b "$modules" "$release"
{
  cat "$out/initramfs.list"
  cat <<LIST
dir /run 0755 0 0
dir /tmp 1777 0 0
file /bin/cxl $out/cxl 0755 0 0
file /bin/daxctl $out/daxctl 0755 0 0
dir /lib 0755 0 0
dir /lib/modules 0755 0 0
dir /lib/modules/$release 0755 0 0
LIST
  for f in "$modules/lib/modules/$release"/*; do
    echo "file /lib/modules/$release/${f##*/} $f 0644 0 0"
  done
} > "$out/initramfs-tools.list"
"$gen" "$out/initramfs-tools.list" > "$out/initramfs-tools.cpio"
echo "build-initramfs: $out/initramfs-tools.cpio $(stat -c %s "$out/initramfs-tools.cpio") bytes" >&2
