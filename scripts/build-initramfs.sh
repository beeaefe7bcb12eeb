#!/usr/bin/env bash
# Builds the init (guests/linux/init/init.c: static, no libc, against the kernel's
# tools/include/nolibc, FPU-free lp64) and /bin/fpcheck (guests/linux/fpcheck: a static glibc
# program for the hard-float lp64d ABI, which the init runs with cxlemu.run=/bin/fpcheck), and
# packs guests/linux/out/initramfs.cpio with the kernel's gen_init_cpio. Needs scripts/build-linux.sh to have run (it records the kernel source's cache).
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
