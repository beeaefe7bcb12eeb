// ACPI / CDAT byte checksums: every byte of the table summed mod 256 must be 0.
// Owns the arithmetic only; never knows a table's layout beyond "which byte holds the checksum".

/** Sum of bytes[start, end) mod 256. */
function byteSum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + bytes[i]!) & 0xff;
  return s;
}

/** The checksum byte that makes bytes[start, end) sum to 0, treating bytes[at] as 0. */
function checksumByte(bytes: Uint8Array, at: number, start = 0, end = bytes.length): number {
  const s = (byteSum(bytes, start, end) - (at >= start && at < end ? bytes[at]! : 0)) & 0xff;
  return (256 - s) & 0xff;
}

/** Writes the checksum byte at `at` so bytes[start, end) sums to 0; returns the byte. */
export function fillChecksum(bytes: Uint8Array, at: number, start = 0, end = bytes.length): number {
  const c = checksumByte(bytes, at, start, end);
  bytes[at] = c;
  return c;
}
