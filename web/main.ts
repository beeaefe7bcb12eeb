// The dashboard page: lays out its views and feeds them. The topology (graph, interleave maps,
// regions) is loaded at start and after every change; the guest's snapshot streams in over
// server-sent events; the firmware tables and mailbox load once.

import '@xterm/xterm/css/xterm.css';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { api, type Snapshot, snapshots } from './api.js';
import { el, say, section } from './dom.js';
import { GuestView } from './guest-view.js';
import { drawMaps } from './interleave-maps.js';
import { mailboxView } from './mailbox-view.js';
import { regionsView } from './regions.js';
import { tablesView } from './tables-view.js';
import { drawTopology, type Topology } from './topology-graph.js';
import { translateView } from './translate.js';

const error = el('div', { id: 'error' });
const graph = el('div', { id: 'topology' });
const decoders = el('div', { id: 'decoders' }, el('p', {}, 'click a node for its HDM decoders'));
const maps = el('div', { id: 'maps' });
const tables = el('div', { id: 'tables' }, 'loading...');
const mailbox = el('div', { id: 'mailbox-view' }, 'loading...');
const guest = new GuestView();
const regions = regionsView(() => void load());

document.getElementById('app')!.replaceChildren(
  el('header', {}, el('h1', {}, 'cxlemu'), error),
  section('guest', 'Guest', guest.element),
  section('topology', 'Topology', el('div', { class: 'topology' }, graph, decoders)),
  section('maps', 'Interleave maps', maps),
  section('regions', 'Regions', regions.element),
  section('translate', 'Translate', translateView()),
  section('mailbox', 'Mailbox', mailbox),
  section('tables', 'Firmware tables', tables),
);

let memdevsLoaded = false;

async function load(): Promise<void> {
  try {
    const t = await api<Topology>('/api/topology');
    drawTopology(graph, decoders, t);
    regions.update(t);
    await drawMaps(maps, t);
    if (!memdevsLoaded) {
      memdevsLoaded = true;
      mailbox.replaceChildren(await mailboxView(t.memdevs.map((m) => m.memdev)));
    }
  } catch (e) {
    say(error, (e as Error).message, true);
  }
}

void load();
tablesView(tables).catch((e: unknown) => say(tables, (e as Error).message, true));
let resets = 0;
snapshots((s: Snapshot) => {
  guest.show(s);
  // A reset rebuilt the machine: its regions and decoders are as the description says again.
  if (s.resets !== resets) {
    resets = s.resets;
    void load();
  }
});
