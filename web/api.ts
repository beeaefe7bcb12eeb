// The page's calls to its server: every one carries the token from the page's URL, and an error
// answer becomes an Error with the server's message (the library's, as the CLI prints it).

export const token = new URLSearchParams(location.search).get('token') ?? '';

export async function api<T = unknown>(path: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? r.statusText);
  return body;
}

export const post = <T = unknown>(path: string, body: unknown = {}): Promise<T> =>
  api<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** The server-sent event stream of the guest's snapshots. */
export function snapshots(onSnapshot: (s: Snapshot) => void): EventSource {
  const events = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  events.onmessage = (ev) => onSnapshot(JSON.parse(ev.data as string) as Snapshot);
  return events;
}

export interface TrafficRow {
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface Snapshot {
  state: 'none' | 'stopped' | 'running' | 'paused' | 'finished' | 'failed';
  resets: number;
  instret?: number;
  mips?: number;
  translatedShare?: number | null;
  seconds?: number;
  consoleBytes?: number;
  traffic?: {
    targets: (TrafficRow & { target: string })[];
    regions: (TrafficRow & { region: string })[];
    windows: (TrafficRow & { window: string })[];
  };
  timing?: TimingSnapshot;
  result?: { status: number; exit: string; message?: string };
  report?: string;
  error?: string;
  audit?: { ok: boolean; text: string };
}

export interface CacheCounts {
  hits: number;
  misses: number;
  writebacks: number;
  hitRate: number;
}

/** Timing mode's counters (src/machine/timing.ts TimingStats). */
export interface TimingSnapshot {
  cpuGHz: number;
  harts: { hart: number; stallCycles: number; prefetches: number; l1: CacheCounts; l2: CacheCounts }[];
  llc: CacheCounts;
  targets: (TrafficRow & { target: string; queueNs: number })[];
}
