// Breakpoints and watchpoints a hart checks while it runs: the debugger's (GDB stub, shared by
// every hart, invisible to the guest) and the guest's own Sdtrig triggers (per hart, raising a
// breakpoint exception). Owns the point lists and the virtual pages they touch; the hart keeps
// those pages off its fast paths (no fetch cache, no TLB entry) so both engines see every access.

/** 'exec' matches an instruction's pc; the others a data access overlapping the range. */
export type PointKind = 'exec' | 'read' | 'write' | 'access';
/** 'debugger': stop the machine for the debugger; 'exception': a breakpoint exception (Sdtrig). */
export type PointAction = 'debugger' | 'exception';

export interface DebugPoint {
  kind: PointKind;
  /** Virtual address (as the hart sees it: a Number, kernel addresses negative-free: 0..2^64-1 rounded). */
  address: number;
  /** Bytes covered (data points); exec points match their address only. */
  length: number;
  action: PointAction;
  /** Privilege levels it fires in, bit p for priv p (U 1, S 2, M 8); default all. */
  privMask?: number;
}

/** What stopped a hart for the debugger. */
export interface DebugHit {
  kind: PointKind;
  /** The instruction's pc (exec) or the data address accessed (watchpoints). */
  address: number;
  /** The access that hit a watchpoint. */
  access?: 'read' | 'write';
}

const PAGE = 4096;
const pageOf = (a: number): number => a - (((a % PAGE) + PAGE) % PAGE);

export class DebugPoints {
  private points: DebugPoint[] = [];
  /** Virtual page bases holding an exec point. */
  readonly execPages = new Set<number>();
  /** Virtual page bases a data point overlaps. */
  readonly dataPages = new Set<number>();
  private readonly listeners: (() => void)[] = [];

  get size(): number {
    return this.points.length;
  }

  list(): readonly DebugPoint[] {
    return this.points;
  }

  /** Called after every change (harts drop cached translations). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  add(p: DebugPoint): void {
    this.points.push({ ...p });
    this.changed();
  }

  /** Removes one point equal to p's kind, address, length and action; false when none. */
  remove(p: DebugPoint): boolean {
    const i = this.points.findIndex(
      (q) => q.kind === p.kind && q.address === p.address && q.length === p.length && q.action === p.action,
    );
    if (i < 0) return false;
    this.points.splice(i, 1);
    this.changed();
    return true;
  }

  /** Replaces every point of `action` (Sdtrig rewrites its triggers as a set). */
  replace(action: PointAction, points: readonly DebugPoint[]): void {
    this.points = [...this.points.filter((p) => p.action !== action), ...points.map((p) => ({ ...p, action }))];
    this.changed();
  }

  clear(): void {
    if (this.points.length === 0) return;
    this.points = [];
    this.changed();
  }

  /** The exec point at pc that fires in priv, if any. */
  execAt(pc: number, priv: number): DebugPoint | undefined {
    for (const p of this.points)
      if (p.kind === 'exec' && p.address === pc && ((p.privMask ?? 0xff) & (1 << priv)) !== 0) return p;
    return undefined;
  }

  /** The data point an access of size bytes at va hits in priv, if any. */
  dataAt(va: number, size: number, write: boolean, priv: number): DebugPoint | undefined {
    for (const p of this.points) {
      if (p.kind === 'exec' || ((p.privMask ?? 0xff) & (1 << priv)) === 0) continue;
      if (p.kind === 'write' && !write) continue;
      if (p.kind === 'read' && write) continue;
      if (va < p.address + Math.max(1, p.length) && p.address < va + size) return p;
    }
    return undefined;
  }

  private changed(): void {
    this.execPages.clear();
    this.dataPages.clear();
    for (const p of this.points) {
      if (p.kind === 'exec') this.execPages.add(pageOf(p.address));
      else for (let a = pageOf(p.address); a < p.address + Math.max(1, p.length); a += PAGE) this.dataPages.add(a);
    }
    for (const l of this.listeners) l();
  }
}
