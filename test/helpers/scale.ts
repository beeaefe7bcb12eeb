// Size knob for seeded property tests: CI runs scale 1 (each file well under 5 s); set
// CXLEMU_TEST_SCALE (e.g. 100) for the long version. Owns nothing else.
import process from 'node:process';

const raw = Number(process.env['CXLEMU_TEST_SCALE'] ?? '1');
/** Multiplier for random-case counts (>= 1). */
export const TEST_SCALE = Number.isFinite(raw) && raw >= 1 ? Math.floor(raw) : 1;

/** n random cases at the current scale. */
export function cases(n: number): number {
  return n * TEST_SCALE;
}
