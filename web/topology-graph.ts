// The topology as a graph: the CXL windows on top, linked to their target host bridges; below, each
// host bridge's root ports, switches with their downstream ports, and the memory devices. Built from
// the `cxl list -vv` shaped JSON (/api/topology). Clicking a node shows its HDM decoders (state,
// range, ways, granularity, targets) as the registers hold them.

import { el, hex, size, svg } from './dom.js';

interface Decoder {
  decoder: string;
  id?: string;
  resource: number;
  size: number;
  interleave_ways: number | null;
  interleave_granularity: number | null;
  state?: string;
  arithmetic?: string;
  xormaps?: string[];
  targets?: (string | number)[];
  dpa_resource?: number;
  dpa_size?: number;
  mode?: string;
  skip?: number;
  error?: string;
}
interface Port {
  port: string;
  host: string;
  parent_dport?: string;
  passthrough?: boolean;
  dports: { dport: string; id: number }[];
  [k: string]: unknown;
}
interface Memdev {
  memdev: string;
  id: string;
  ram_size: number;
  pmem_size: number;
  serial: string;
  host: string;
}
export interface Topology {
  memdevs: Memdev[];
  regions?: { region: string; resource: number; size: number; interleave_ways: number; interleave_granularity: number; window?: string }[];
  buses?: { bus: string; [k: string]: unknown }[];
}

type Kind = 'window' | 'hostBridge' | 'rootPort' | 'switch' | 'downstreamPort' | 'memdev';
interface GraphNode {
  id: string;
  kind: Kind;
  label: string;
  sub: string;
  children: GraphNode[];
  decoders: Decoder[];
  /** Where the decoders' numeric targets point (port number -> dport id). */
  targetNames?: Map<number, string>;
  x: number;
  y: number;
}

const ROW: Record<Kind, number> = { window: 0, hostBridge: 1, rootPort: 2, switch: 3, downstreamPort: 4, memdev: 5 };
const W = 164;
const H = 40;
const GAP_X = 18;
const GAP_Y = 34;

/** The nodes of the graph: the windows, and the tree under each host bridge. */
function nodesOf(t: Topology): { windows: GraphNode[]; bridges: GraphNode[] } {
  const root = t.buses?.[0];
  if (!root) return { windows: [], bridges: [] };
  const node = (id: string, kind: Kind, label: string, sub: string, decoders: Decoder[] = []): GraphNode => ({
    id,
    kind,
    label,
    sub,
    children: [],
    decoders,
    x: 0,
    y: 0,
  });
  const windows = ((root[`decoders:${root.bus}`] as Decoder[] | undefined) ?? []).map((d) =>
    node(d.id ?? d.decoder, 'window', `${d.id ?? d.decoder}`, `${size(d.size)} ${d.interleave_ways}-way ${d.arithmetic ?? ''}`, [d]),
  );
  const memdevNode = (m: Memdev, decoders: Decoder[]) =>
    node(m.memdev, 'memdev', m.memdev, `${size(m.ram_size + m.pmem_size)} ${m.ram_size ? 'ram' : 'pmem'}`, decoders);
  const under = (p: Port, kind: 'hostBridge' | 'switch'): GraphNode => {
    const decoders = (p[`decoders:${p.port}`] as Decoder[] | undefined) ?? [];
    const n = node(p.host, kind, p.host, kind === 'hostBridge' ? `${p.port}${p.passthrough ? ' passthrough' : ''}` : `${p.port} switch`, decoders);
    n.targetNames = new Map(p.dports.map((d) => [d.id, d.dport]));
    const switches = (p[`ports:${p.port}`] as Port[] | undefined) ?? [];
    const endpoints = (p[`endpoints:${p.port}`] as { endpoint: string; memdev: Memdev; [k: string]: unknown }[] | undefined) ?? [];
    for (const d of p.dports) {
      const dp = node(d.dport, kind === 'hostBridge' ? 'rootPort' : 'downstreamPort', d.dport, `port ${d.id}`);
      n.children.push(dp);
      for (const s of switches) if (s.parent_dport === d.dport) dp.children.push(under(s, 'switch'));
      for (const e of endpoints)
        if (e.memdev.host === d.dport) dp.children.push(memdevNode(e.memdev, (e[`decoders:${e.endpoint}`] as Decoder[]) ?? []));
    }
    return n;
  };
  const bridges = ((root[`ports:${root.bus}`] as Port[] | undefined) ?? []).map((p) => under(p, 'hostBridge'));
  return { windows, bridges };
}

/** Leaves evenly spaced left to right; a parent centred over its children; rows by kind. */
function layout(bridges: GraphNode[], windows: GraphNode[]): { width: number; height: number } {
  let next = 0;
  const place = (n: GraphNode): void => {
    n.y = ROW[n.kind] * (H + GAP_Y) + 10;
    if (n.children.length === 0) {
      n.x = next++ * (W + GAP_X) + 10;
      return;
    }
    n.children.forEach(place);
    n.x = (n.children[0]!.x + n.children[n.children.length - 1]!.x) / 2;
  };
  bridges.forEach(place);
  const width = Math.max(next, windows.length) * (W + GAP_X) + 10;
  windows.forEach((w, i) => {
    w.x = ((i + 0.5) * width) / windows.length - W / 2;
    w.y = 10;
  });
  return { width, height: (ROW.memdev + 1) * (H + GAP_Y) };
}

/** Draw the graph into `host`; a click on a node shows its decoders in `panel`. */
export function drawTopology(host: HTMLElement, panel: HTMLElement, t: Topology): void {
  const { windows, bridges } = nodesOf(t);
  const { width, height } = layout(bridges, windows);
  const all: GraphNode[] = [...windows];
  const walk = (n: GraphNode) => {
    all.push(n);
    n.children.forEach(walk);
  };
  bridges.forEach(walk);
  const byId = new Map(all.map((n) => [n.id, n]));
  const g = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'graph' });
  const line = (a: GraphNode, b: GraphNode, cls: string) =>
    g.append(svg('line', { x1: a.x + W / 2, y1: a.y + H, x2: b.x + W / 2, y2: b.y, class: cls }));
  for (const w of windows)
    for (const target of w.decoders[0]?.targets ?? []) {
      const hb = byId.get(String(target));
      if (hb) line(w, hb, 'edge window-edge');
    }
  for (const n of all) for (const c of n.children) line(n, c, 'edge');
  for (const n of all) {
    const committed = n.decoders.filter((d) => d.state === 'commit' || d.state === 'locked').length;
    const box = svg(
      'g',
      { class: `node ${n.kind}`, 'data-node': n.id, transform: `translate(${n.x},${n.y})`, tabindex: 0 },
      svg('rect', { width: W, height: H, rx: 6 }),
      svg('text', { x: W / 2, y: 16, class: 'label' }, n.label),
      svg('text', { x: W / 2, y: 32, class: 'sub' }, n.decoders.length && n.kind !== 'window' ? `${n.sub} · ${committed}/${n.decoders.length} decoders` : n.sub),
    );
    box.addEventListener('click', () => {
      for (const s of g.querySelectorAll('.selected')) s.classList.remove('selected');
      box.classList.add('selected');
      showDecoders(panel, n);
    });
    g.append(box);
  }
  host.replaceChildren(g);
}

function showDecoders(panel: HTMLElement, n: GraphNode): void {
  panel.dataset.node = n.id;
  if (n.decoders.length === 0) {
    panel.replaceChildren(el('h3', {}, `${n.label} (${n.kind})`), el('p', {}, 'no HDM decoders: a port forwards what its parent decodes to it'));
    return;
  }
  const head = ['decoder', 'state', 'range', 'size', 'ways', 'granularity', n.kind === 'memdev' ? 'DPA' : 'targets'];
  const rows = n.decoders.map((d) => {
    const state = n.kind === 'window' ? 'fixed (CFMWS)' : (d.state ?? '');
    const targets =
      n.kind === 'memdev'
        ? d.dpa_resource !== undefined ? `${hex(d.dpa_resource)} +${size(d.dpa_size ?? 0)} ${d.mode ?? ''}${d.skip ? ` skip ${size(d.skip)}` : ''}` : ''
        : (d.targets ?? []).map((x) => (typeof x === 'number' ? (n.targetNames?.get(x) ?? `port ${x}`) : x)).join(', ');
    return el(
      'tr',
      { class: `decoder ${state.split(' ')[0]}`, 'data-decoder': d.decoder },
      ...[d.decoder, state + (d.error ? `: ${d.error}` : ''), d.size ? `${hex(d.resource)}..${hex(d.resource + d.size - 1)}` : '-', size(d.size), d.interleave_ways ?? '?', d.interleave_granularity ?? '?', targets].map((c) => el('td', {}, c)),
    );
  });
  panel.replaceChildren(
    el('h3', {}, `${n.label}: HDM decoders`),
    el('table', { class: 'decoders' }, el('tr', {}, ...head.map((h) => el('th', {}, h))), ...rows),
    ...(n.kind === 'window' && n.decoders[0]?.xormaps ? [el('p', {}, `XOR maps: ${n.decoders[0].xormaps.join(' ')}`)] : []),
  );
}
