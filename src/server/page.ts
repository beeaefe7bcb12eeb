// The dashboard's page, served by server.ts: for now the topology as a tree, each window's
// interleave map (one coloured cell per granule, the device it reaches) and a translate box, all
// from the JSON API with the page's token. Self-contained (no network, no CDN).

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cxlemu</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
  h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
  pre { background: #f6f6f6; padding: .6em; overflow: auto; }
  .map { display: flex; flex-wrap: wrap; max-width: 64em; gap: 1px; }
  .cell { width: 14px; height: 14px; }
  .legend span { display: inline-block; padding: 0 .5em; margin-right: .5em; }
  #error { color: #b00; }
  #console { max-height: 24em; background: #111; color: #ddd; }
  #traffic td { padding: 0 .8em; }
  #topology { max-height: 18em; }
</style>
</head>
<body>
<h1>cxlemu</h1>
<div id="error"></div>
<h2>Guest</h2>
<div id="guest">no guest (serve --kernel FILE runs one)</div>
<table id="traffic"></table>
<pre id="console"></pre>
<form id="type">type into the console: <input id="keys" size="40"> <button>send</button> (Enter sends a carriage return)</form>
<h2>Topology</h2>
<pre id="topology">loading...</pre>
<h2>Interleave maps</h2>
<div id="maps"></div>
<h2>Regions</h2>
<form id="mkregion">window <input id="rwin" size="6" placeholder="W1"> memdevs <input id="rdevs" size="14" placeholder="mem2 mem0">
size <input id="rsize" size="10" placeholder="536870912"> name <input id="rname" size="6" placeholder="R2"> <button>create</button></form>
<div id="regions"></div>
<pre id="regionmsg"></pre>
<h2>Translate</h2>
<form id="tr"><input id="hpa" placeholder="HPA, e.g. 0x100001234" size="28"> <button>translate</button></form>
<form id="trdpa">or back: memdev <input id="dmem" size="6" placeholder="mem2"> DPA <input id="dpa" size="14" placeholder="0x100"> <button>to HPA</button></form>
<pre id="translation"></pre>
<script>
const token = new URLSearchParams(location.search).get('token') || '';
const api = async (path, init) => {
  const r = await fetch(path, { ...(init || {}), headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
};
const colours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const colourOf = (name, names) => name === null ? '#ddd' : colours[names.indexOf(name) % colours.length];
async function load() {
  try {
    const t = await api('/api/topology');
    document.getElementById('topology').textContent = JSON.stringify(t, null, 2);
    const names = (t.memdevs || []).map((m) => m.memdev);
    const regions = document.getElementById('regions');
    regions.textContent = '';
    for (const r of t.regions || []) {
      const d = document.createElement('div');
      d.className = 'region';
      d.dataset.region = r.region;
      d.textContent = r.region + ': 0x' + Number(r.resource).toString(16) + ', ' + r.size + ' B, ' + r.interleave_ways + '-way ' + r.interleave_granularity + ' B in ' + r.window + ' ';
      const b = document.createElement('button');
      b.textContent = 'destroy';
      b.onclick = async () => {
        try { await api('/api/regions/' + encodeURIComponent(r.region), { method: 'DELETE' }); document.getElementById('regionmsg').textContent = r.region + ' destroyed'; load(); }
        catch (e) { document.getElementById('regionmsg').textContent = e.message; }
      };
      d.appendChild(b);
      regions.appendChild(d);
    }
    const maps = document.getElementById('maps');
    maps.textContent = '';
    const windows = (t.buses || []).flatMap((b) => b['decoders:' + b.bus] || []);
    for (const d of windows) {
      const base = Number(d.resource), size = Number(d.size), gran = Number(d.interleave_granularity || 256);
      const h = document.createElement('h3');
      h.dataset.window = d.id || d.decoder;
      const out = document.createElement('button');
      out.textContent = 'zoom out';
      out.className = 'zoomout';
      const row = document.createElement('div');
      row.className = 'map';
      row.dataset.window = d.id || d.decoder;
      // The view: 256 cells from 'from', 'step' bytes apart; a cell shows the device of its first
      // granule. Click a cell: zoom in 16x around it (down to granules); zoom out: 16x wider.
      const view = { from: base, step: gran };
      const render = async () => {
        const m = await api('/api/map?from=' + view.from + '&step=' + view.step + '&count=256');
        h.textContent = (d.id || d.decoder) + ' (' + d.decoder + ') from 0x' + view.from.toString(16) + ', ' + view.step + ' B per cell' + (view.step === gran ? ' (granules)' : '') + ' ';
        h.appendChild(out);
        row.dataset.step = String(view.step);
        row.textContent = '';
        m.memdevs.forEach((md, i) => {
          const c = document.createElement('div');
          c.className = 'cell';
          const at = view.from + i * view.step;
          c.title = '0x' + at.toString(16) + ': ' + (md || 'no device');
          c.style.background = colourOf(md, names);
          c.onclick = () => {
            if (view.step <= gran) return;
            view.step = Math.max(gran, view.step / 16);
            view.from = Math.max(base, Math.min(at, base + size - 256 * view.step));
            render();
          };
          row.appendChild(c);
        });
      };
      out.onclick = () => {
        view.step = Math.min(view.step * 16, Math.max(gran, Math.floor(size / 256 / gran) * gran));
        view.from = Math.max(base, Math.min(view.from, base + size - 256 * view.step));
        render();
      };
      await render();
      maps.append(h, row);
    }
  } catch (e) { document.getElementById('error').textContent = e.message; }
}
document.getElementById('type').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const k = document.getElementById('keys');
  try { await api('/api/console', { method: 'POST', body: JSON.stringify({ text: k.value + '\\r' }) }); k.value = ''; }
  catch (e) { document.getElementById('error').textContent = e.message; }
});
document.getElementById('trdpa').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const q = 'memdev=' + encodeURIComponent(document.getElementById('dmem').value.trim()) + '&dpa=' + encodeURIComponent(document.getElementById('dpa').value.trim());
    document.getElementById('translation').textContent = JSON.stringify(await api('/api/translate?' + q), null, 2);
  } catch (e) { document.getElementById('translation').textContent = e.message; }
});
document.getElementById('mkregion').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const v = (id) => document.getElementById(id).value.trim();
  const body = { window: v('rwin'), memdevs: v('rdevs').split(/[ ,]+/).filter(Boolean), size: Number(v('rsize')) };
  if (v('rname')) body.name = v('rname');
  try {
    const r = await api('/api/regions', { method: 'POST', body: JSON.stringify(body) });
    document.getElementById('regionmsg').textContent = r.region + ' created at 0x' + r.base.toString(16);
    load();
  } catch (e) { document.getElementById('regionmsg').textContent = e.message; }
});
document.getElementById('tr').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const r = await api('/api/translate?hpa=' + encodeURIComponent(document.getElementById('hpa').value));
    document.getElementById('translation').textContent = JSON.stringify(r, null, 2);
  } catch (e) { document.getElementById('translation').textContent = e.message; }
});
load();
// Live: the guest's snapshot over server-sent events; the console fetched as it grows.
let consoleAt = 0;
let fetching = false;
const events = new EventSource('/api/events?token=' + encodeURIComponent(token));
events.onmessage = async (ev) => {
  const s = JSON.parse(ev.data);
  if (s.state === 'none') return;
  document.getElementById('guest').textContent = s.state + ': ' + s.instret + ' instructions, ' + s.mips.toFixed(1) + ' MIPS' + (s.result ? ', exit status ' + s.result.status : '') + (s.error ? ', ' + s.error : '');
  const rows = [['target', 'reads', 'writes', 'bytes read', 'bytes written']].concat(
    s.traffic.targets.map((t) => [t.target, t.reads, t.writes, t.bytesRead, t.bytesWritten]),
    s.traffic.regions.map((r) => ['region ' + r.region, r.reads, r.writes, r.bytesRead, r.bytesWritten]));
  document.getElementById('traffic').innerHTML = rows.map((r, i) => '<tr>' + r.map((c) => (i ? '<td>' : '<th>') + String(c).replace(/[<&]/g, '') + (i ? '</td>' : '</th>')).join('') + '</tr>').join('');
  if (s.consoleBytes > consoleAt && !fetching) {
    fetching = true;
    try {
      const c = await api('/api/console?from=' + consoleAt);
      document.getElementById('console').textContent += c.text;
      consoleAt = c.from + c.text.length;
    } finally { fetching = false; }
  }
};
</script>
</body>
</html>
`;
