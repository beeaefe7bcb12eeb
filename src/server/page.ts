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
<h2>Topology</h2>
<pre id="topology">loading...</pre>
<h2>Interleave maps</h2>
<div id="maps"></div>
<h2>Translate</h2>
<form id="tr"><input id="hpa" placeholder="HPA, e.g. 0x100001234" size="28"> <button>translate</button></form>
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
    const maps = document.getElementById('maps');
    maps.textContent = '';
    const windows = (t.buses || []).flatMap((b) => b['decoders:' + b.bus] || []);
    for (const d of windows) {
      const from = Number(d.resource), step = Number(d.interleave_granularity || 256);
      const m = await api('/api/map?from=' + from + '&step=' + step + '&count=256');
      const h = document.createElement('h3');
      h.dataset.window = d.id || d.decoder;
      h.textContent = (d.id || d.decoder) + ' (' + d.decoder + ') at 0x' + from.toString(16) + ', ' + step + ' B granules';
      const row = document.createElement('div');
      row.className = 'map';
      m.memdevs.forEach((md, i) => {
        const c = document.createElement('div');
        c.className = 'cell';
        c.title = '0x' + (from + i * step).toString(16) + ': ' + (md || 'no device');
        c.style.background = colourOf(md, names);
        row.appendChild(c);
      });
      maps.append(h, row);
    }
  } catch (e) { document.getElementById('error').textContent = e.message; }
}
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
