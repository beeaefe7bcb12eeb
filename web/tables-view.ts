// The firmware tables the guest gets, as decoded trees: every ACPI table and each device's and
// switch's CDAT, decoded from their bytes by the server (an decoder independent of the generators).
// Each table is a collapsible tree; the first level open.

import { api } from './api.js';
import { el } from './dom.js';

export interface TableTree {
  label: string;
  value?: string;
  children?: TableTree[];
}

interface Trees {
  acpi: TableTree[];
  cdat: { memdev: string; tree: TableTree }[];
  switchCdat: { switch: string; tree: TableTree }[];
}

function node(t: TableTree, depth: number): HTMLElement {
  const line = el('span', { class: 'field' }, el('span', { class: 'name' }, t.label), t.value !== undefined ? el('span', { class: 'value' }, t.value) : null);
  if (!t.children || t.children.length === 0) return el('div', { class: 'leaf' }, line);
  const d = el('details', { class: 'tree' }, el('summary', {}, line), ...t.children.map((c) => node(c, depth + 1)));
  if (depth === 0) d.open = true;
  return d;
}

export async function tablesView(host: HTMLElement): Promise<void> {
  const t = await api<Trees>('/api/tables');
  const group = (title: string, trees: { name: string; tree: TableTree }[]) =>
    el('div', { class: 'table-group' }, el('h3', {}, title), ...trees.map((x) => el('div', { class: 'table', 'data-table': x.name }, node(x.tree, 1))));
  host.replaceChildren(
    group('ACPI', t.acpi.map((tree) => ({ name: tree.label.split(' ')[0] ?? tree.label, tree }))),
    group('CDAT of the memory devices (DOE)', t.cdat.map((c) => ({ name: `cdat-${c.memdev}`, tree: { ...c.tree, label: `${c.memdev}: ${c.tree.label}` } }))),
    group('CDAT of the switches', t.switchCdat.map((c) => ({ name: `cdat-${c.switch}`, tree: { ...c.tree, label: `${c.switch}: ${c.tree.label}` } }))),
  );
}
