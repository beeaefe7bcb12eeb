// Human-readable and JSON renderings of translate, region and audit results, shared by the CLI and
// by programs. Owns presentation only (hex formatting, lines); never computes a translation.

import type { AuditReport, Region, TranslateResult } from '../cxl/index.js';
import type { DpaReport } from './build.js';
import { hex, humanSize } from './sizes.js';

/** Plain JSON for an HPA translation: addresses as hex strings. */
export function translationJson(t: TranslateResult): Record<string, unknown> {
  if (!t.ok) return { ok: false, reason: t.reason };
  const v = t.value;
  return { ok: true, ...v, hpa: hex(v.hpa), dpa: hex(v.dpa) };
}

export function translationText(t: TranslateResult, hpa: number): string {
  if (!t.ok) return `HPA ${hex(hpa)}: ${t.reason}`;
  const v = t.value;
  const lines = [
    `HPA ${hex(v.hpa)}`,
    `  window      ${v.window} (root slot ${v.rootSlot} -> host bridge ${v.hostBridge})`,
  ];
  for (const s of v.path) {
    const dec = s.decoder < 0 ? 'passthrough' : `decoder ${s.decoder}`;
    lines.push(`  ${s.kind.padEnd(11)} ${s.component}: ${dec}, way ${s.way} -> ${s.portId} (port ${s.port})`);
  }
  lines.push(`  endpoint    ${v.memdev} ${v.endpointDecoder}`);
  lines.push(`  DPA         ${hex(v.dpa)} (${v.partition})`);
  if (v.region !== undefined) {
    lines.push(
      `  region      ${v.region}, position ${v.position ?? '?'}${v.routedSlot !== undefined ? ` (routed slot ${v.routedSlot})` : ''}`,
    );
  }
  return lines.join('\n');
}

export function dpaReportJson(r: DpaReport): Record<string, unknown> {
  return {
    memdev: r.memdev,
    id: r.id,
    dpa: hex(r.dpa),
    hpas: r.hpas.map((h) => ({ hpa: hex(h.hpa), translation: translationJson(h.translation) })),
  };
}

export function dpaReportText(r: DpaReport): string {
  const head = `${r.memdev} (id ${r.id}) DPA ${hex(r.dpa)}`;
  if (r.hpas.length === 0) return `${head}: not mapped by any committed decoder`;
  return r.hpas
    .map((h) => {
      const t = h.translation;
      const where = t.ok
        ? ` (window ${t.value.window}${t.value.region !== undefined ? `, region ${t.value.region}, position ${t.value.position}` : ''})`
        : '';
      return `${head} <- HPA ${hex(h.hpa)}${where}`;
    })
    .join('\n');
}

export function regionJson(r: Region): Record<string, unknown> {
  return {
    region: r.name,
    window: r.window.id,
    resource: hex(r.base),
    size: r.size,
    type: r.mode,
    interleave_ways: r.ways,
    interleave_granularity: r.granularity,
    locked: r.locked,
    ...(r.discovered ? { origin: 'registers' } : {}),
    mappings: r.targets.map((t) => ({
      position: t.position,
      memdev: t.memdev.name,
      dpa_resource: hex(t.dpaBase),
      dpa_size: t.dpaSize,
    })),
  };
}

export function regionText(r: Region): string {
  const lines = [
    `region ${r.name}: ${hex(r.base)}..${hex(r.base + r.size - 1)} (${humanSize(r.size)}) in window ${r.window.id}, ${r.ways}-way, ${r.granularity} B, ${r.mode}${r.locked ? ', locked' : ''}${r.discovered ? ', from decoder registers' : ''}`,
  ];
  for (const t of r.targets)
    lines.push(`  position ${t.position}: ${t.memdev.name} DPA ${hex(t.dpaBase)}..${hex(t.dpaBase + t.dpaSize - 1)}`);
  return lines.join('\n');
}

export function auditText(rep: AuditReport): string {
  if (rep.regions.length === 0) return 'audit: no committed regions';
  const lines: string[] = [];
  for (const r of rep.regions) {
    const status = r.mismatchCount === 0 ? 'ok' : `${r.mismatchCount} MISMATCHES`;
    lines.push(
      `${r.region}: ${r.ways}-way ${r.granularity} B, ${r.mode}, ${r.words} words (${humanSize(r.bytesChecked)}) in ${r.seconds.toFixed(2)} s: ${status}`,
    );
    if (r.pattern) {
      const p = r.pattern;
      const shown = p.ranges.slice(0, 4).map((x) => `${hex(x.start)}-${hex(x.end)}`);
      if (p.ranges.length > 4) shown.push(`... ${p.ranges.length - 4} more`);
      lines.push(
        `  guest pattern seed ${p.seed}: ${p.wholePages} whole pages in place (${shown.join(', ') || 'none'}), ${p.partialPages} partial, ${p.misplacedCount} words misplaced`,
      );
    }
    lines.push(
      `  ${r.pattern ? 'pattern bytes' : 'bytes'} per device: ${Object.entries(r.perDevice)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    for (const m of r.mismatches) {
      const exp = m.expected ? `${m.expected.memdev} DPA ${hex(m.expected.dpa)}` : 'no device';
      const found =
        'fault' in m.found
          ? `fault ${m.found.fault}`
          : `${m.found.value}${m.found.stampOf !== undefined ? ` (${r.pattern ? "the guest's word" : 'stamp'} of ${hex(m.found.stampOf)})` : ''}`;
      lines.push(`  mismatch at HPA ${hex(m.hpa)}: expected ${exp}, found ${found}`);
    }
  }
  lines.push(rep.ok ? 'audit: every checked word is where the spec says' : 'audit: FAILED');
  return lines.join('\n');
}
