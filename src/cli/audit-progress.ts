// The audit options shared by `audit` and `run`, and the audit loop with a progress bar on a
// terminal. Owns option syntax and the bar; the audit itself is Machine.audit, one region at a time.

import type { Command } from 'commander';
import type { AuditOptions, AuditReport } from '../machine/index.js';
import type { Machine } from '../machine/build.js';
import { ConfigError } from '../machine/errors.js';
import type { CliIo } from './io.js';
import { atMost, num, u64 } from './options.js';

/** The most random words a sampled audit checks (each costs 8 bytes of bookkeeping). */
const MAX_SAMPLES = 10_000_000;

export type AuditCli = {
  region?: string;
  full?: boolean;
  samples?: number;
  seed?: number;
  force?: boolean;
  pattern?: bigint;
};

/** Add --region, --full, --samples, --seed and --force to `c`. */
export function auditOptions(c: Command): Command {
  return c
    .option('--region <name>', 'audit one region (default: every region)')
    .option('--full', 'check every word (default: first/last 2*W*16 KiB plus random samples)')
    .option(
      '--samples <n>',
      `random words in sampled mode (default 100000, at most ${MAX_SAMPLES})`,
      atMost('--samples', MAX_SAMPLES, 'use --full to check every word'),
    )
    .option('--seed <n>', 'random seed (default 1)', num('--seed', 'integer'))
    .option('--force', 'overwrite file-backed media instead of restoring it afterwards')
    .option(
      '--pattern <seed>',
      'write nothing: check the pattern a guest wrote with this seed (the word at HPA A is A ^ seed*0x9e3779b97f4a7c15) and report the pages found whole and in place',
      u64('--pattern'),
    );
}

type ProgressBars = typeof import('cli-progress');

/**
 * The progress-bar package when bars may show (stderr is a terminal), else undefined. Loaded on
 * demand: importing it costs about as much as commander, and pipes and tests never need it.
 */
export async function progressBars(io: CliIo): Promise<ProgressBars | undefined> {
  return io.progress ? (await import('cli-progress')).default : undefined;
}

/** Audit each region in turn (all, or --region); a bar on stderr when `bars` is given and the work is slow. */
export function auditWithProgress(m: Machine, o: AuditCli, bars: ProgressBars | undefined): AuditReport {
  if (o.pattern !== undefined && (o.full || o.samples !== undefined || o.seed !== undefined))
    throw new ConfigError(
      [
        {
          code: 'bad_option',
          path: '--pattern',
          value: `0x${o.pattern.toString(16)}`,
          allowed: 'without --full, --samples or --seed (it reads every word and writes none)',
        },
      ],
      'conflicting options',
    );
  const base: AuditOptions =
    o.pattern !== undefined ? { mode: 'pattern', patternSeed: o.pattern } : { mode: o.full ? 'full' : 'sampled' };
  if (o.samples !== undefined) base.samples = o.samples;
  if (o.seed !== undefined) base.seed = o.seed;
  if (o.force) base.force = true;
  const names = o.region !== undefined ? [o.region] : m.regions.map((r) => r.name);
  const sizes = names.map((n) => m.regions.find((r) => r.name === n)?.size ?? 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  // A bar when stderr is a terminal and the work is more than a second's worth (full audits run
  // at ~25 MiB/s; sampled ones take about a second per region).
  const slow = o.full || o.pattern !== undefined ? total > 32 * 2 ** 20 : names.length > 1;
  const bar =
    bars !== undefined && slow
      ? new bars.SingleBar(
          { format: 'audit [{bar}] {percentage}% | {region}', stream: process.stderr, clearOnComplete: true },
          bars.Presets.shades_classic,
        )
      : undefined;
  bar?.start(Math.max(1, total), 0, { region: names[0] ?? '' });
  const out: AuditReport = { ok: true, regions: [] };
  let done = 0;
  try {
    names.forEach((n, i) => {
      bar?.update(done, { region: n });
      const r = m.audit({ ...base, region: n });
      out.regions.push(...r.regions);
      out.ok = out.ok && r.ok;
      done += sizes[i]!;
      bar?.update(done, { region: n });
    });
  } finally {
    bar?.stop();
  }
  return out;
}
