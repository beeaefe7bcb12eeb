// OpenSBI's fw_dynamic hand-off (include/sbi/fw_dynamic.h): the struct a previous boot stage
// passes in a2 telling the firmware where the next stage is and in which mode it runs. Owns the
// encoding only.

export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f; // "OSBI"
export const FW_DYNAMIC_INFO_VERSION = 2;
export const FW_DYNAMIC_INFO_SIZE = 6 * 8;

/** Privilege mode of the next stage: 1 = S-mode (a kernel), 3 = M-mode. */
export enum NextMode {
  Supervisor = 1,
  Machine = 3,
}

export interface FwDynamicInfo {
  nextAddr: number;
  nextMode: NextMode;
  /** Firmware options bitmap (0: defaults, boot messages on). */
  options?: number;
  /** The hart that boots (version 2); the others wait for HSM start. */
  bootHart: number;
}

/** The struct as guest bytes (six little-endian u64 fields, RV64 `unsigned long`). */
export function encodeFwDynamicInfo(info: FwDynamicInfo): Uint8Array {
  const out = new Uint8Array(FW_DYNAMIC_INFO_SIZE);
  const dv = new DataView(out.buffer);
  const put = (i: number, v: number) => {
    dv.setUint32(i * 8, v % 2 ** 32, true);
    dv.setUint32(i * 8 + 4, Math.floor(v / 2 ** 32), true);
  };
  put(0, FW_DYNAMIC_INFO_MAGIC);
  put(1, FW_DYNAMIC_INFO_VERSION);
  put(2, info.nextAddr);
  put(3, info.nextMode);
  put(4, info.options ?? 0);
  put(5, info.bootHart);
  return out;
}
