// The RISC-V Linux `Image` header (Documentation/arch/riscv/boot-image-header.rst): recognises a
// kernel image and reads where it wants to be loaded. Owns parsing only; never places or loads
// bytes (placement.ts decides addresses, src/machine writes guest memory).

/** Offset and value of the header's magic: "RSC\x05" as a little-endian u32 at 0x38. */
export const IMAGE_MAGIC2_OFFSET = 0x38;
export const IMAGE_MAGIC2 = 0x05435352;
/** The deprecated 64-bit "RISCV\0\0\0" magic at 0x30, still written by 6.x kernels. */
export const IMAGE_MAGIC_OFFSET = 0x30;
export const IMAGE_HEADER_SIZE = 64;

export interface LinuxImageHeader {
  /** Load offset from the start of RAM (2 MiB for RV64: the kernel's linear map needs it). */
  textOffset: number;
  /** Bytes the kernel occupies once running (including bss), at least the file's size. */
  imageSize: number;
  flags: number;
  /** Header version as major.minor. */
  version: { major: number; minor: number };
}

/** A file that is not a RISC-V Linux Image, or one that cannot be loaded as such. */
export class LinuxImageError extends Error {
  override readonly name = 'LinuxImageError';
}

/** Whether the bytes carry the Image magic (cheap: decides `--bios default` vs `none`). */
export function isLinuxImage(bytes: Uint8Array): boolean {
  // The magic alone decides, so a truncated Image is reported as one (parseLinuxImage says so).
  if (bytes.length < IMAGE_MAGIC2_OFFSET + 4) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getUint32(IMAGE_MAGIC2_OFFSET, true) === IMAGE_MAGIC2;
}

const u64 = (dv: DataView, off: number): number => dv.getUint32(off, true) + dv.getUint32(off + 4, true) * 2 ** 32;

/** Parses the header; `what` names the file in errors. */
export function parseLinuxImage(bytes: Uint8Array, what: string): LinuxImageHeader {
  if (bytes.length < IMAGE_HEADER_SIZE)
    throw new LinuxImageError(`${what}: truncated: ${bytes.length} bytes, a Linux Image header needs 64`);
  if (!isLinuxImage(bytes))
    throw new LinuxImageError(`${what}: not a RISC-V Linux Image (no "RSC\\x05" magic at offset 0x38)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const textOffset = u64(dv, 8);
  const imageSize = u64(dv, 16);
  const flags = u64(dv, 24);
  const v = dv.getUint32(32, true);
  if (flags % 2 !== 0)
    throw new LinuxImageError(`${what}: a big-endian kernel (flags bit 0 set); RISC-V is little-endian`);
  if (imageSize !== 0 && imageSize < bytes.length)
    throw new LinuxImageError(
      `${what}: header says image_size 0x${imageSize.toString(16)}, smaller than the file (${bytes.length} bytes)`,
    );
  if (textOffset % 4096 !== 0)
    throw new LinuxImageError(`${what}: text_offset 0x${textOffset.toString(16)} is not page aligned`);
  return {
    textOffset,
    // image_size 0 means "unknown" in old headers: the kernel then needs at least the file.
    imageSize: Math.max(imageSize, bytes.length),
    flags,
    version: { major: v >>> 16, minor: v & 0xffff },
  };
}
