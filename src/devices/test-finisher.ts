// The SiFive test finisher ("sifive,test0") at QEMU virt's 0x0010_0000: a guest writes a status
// word to stop the machine. Owns only the decoding of that word; the board decides what stopping
// means (it ends the run loop and maps the outcome to a host exit status, docs/board.md).
//
// Low 16 bits: 0x5555 pass, 0x3333 fail with code = bits 31..16, 0x7777 reset (the board ends the
// run with status 3, as QEMU with -no-reboot). Other values are ignored, as QEMU ignores them. Reads return 0.

import type { MmioOps } from '../memory/index.js';

export const FINISHER_SIZE = 0x1000;
export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export interface FinisherOutcome {
  kind: 'pass' | 'fail' | 'reset';
  /** The guest's code (bits 31..16); 0 for pass and reset. */
  code: number;
}

export class TestFinisher implements MmioOps {
  /** QEMU's sifive_test accepts 2- and 4-byte accesses; 8-byte stores split into two 4-byte ones. */
  readonly valid = { min: 2, max: 8 } as const;
  readonly impl = { min: 4, max: 4 } as const;

  /** The first outcome the guest wrote (later writes are ignored: the machine has stopped). */
  outcome: FinisherOutcome | undefined;

  constructor(private readonly onFinish: (o: FinisherOutcome) => void = () => {}) {}

  read(_offset: number, _size: 1 | 2 | 4): number {
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset !== 0 || this.outcome) return;
    const v = size === 2 ? value & 0xffff : value >>> 0;
    const status = v & 0xffff;
    const code = v >>> 16;
    let o: FinisherOutcome;
    if (status === FINISHER_PASS) o = { kind: 'pass', code: 0 };
    else if (status === FINISHER_FAIL) o = { kind: 'fail', code };
    else if (status === FINISHER_RESET) o = { kind: 'reset', code: 0 };
    else return;
    this.outcome = o;
    this.onFinish(o);
  }
}
