// The dashboard's server (`cxlemu serve`): the access checks (token, Host, Origin) and the JSON API
// answering with the same library calls as the CLI. Oracles: the CLI's own answers for the same
// machine (`list -vv --json`, `translate --json`), the decode of the default machine (R0 is 4-way
// 256 B over mem0, mem2, mem1, mem3 in position order), and HTTP's status codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { REPO } from '../diff/harness.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';
import { serve } from '../../src/server/server.js';
import { Session } from '../../src/server/session.js';

const CLI = join(REPO, 'dist', 'bin', 'cxlemu.js');

/** A raw request, so Host and Origin can be set to anything. */
function raw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function withServer(f: (port: number, token: string, m: Machine) => Promise<void>): Promise<void> {
  const m = Machine.build(defaultDescription());
  const stop = new AbortController();
  const s = await serve(new Session(m, {}, stop.signal));
  try {
    await f(s.port, s.token, m);
  } finally {
    await s.close();
    m.close();
  }
}

test('access: no token or a wrong one is 401; a foreign Host or Origin is 403; the token in the query or a Bearer header is 200', async () => {
  await withServer(async (port, token) => {
    assert.equal((await raw(port, '/api/topology')).status, 401);
    assert.equal((await raw(port, `/api/topology?token=${'0'.repeat(token.length)}`)).status, 401);
    assert.equal((await raw(port, `/api/topology?token=${token}`, { host: `evil.example:${port}` })).status, 403);
    assert.equal((await raw(port, `/api/topology?token=${token}`, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await raw(port, `/api/topology?token=${token}`)).status, 200);
    assert.equal((await raw(port, '/api/topology', { authorization: `Bearer ${token}` })).status, 200);
    assert.equal(
      (await raw(port, '/api/topology', { authorization: `Bearer ${token}`, origin: `http://127.0.0.1:${port}` }))
        .status,
      200,
    );
    const page = await raw(port, `/?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(String(page.json), /<title>cxlemu<\/title>/);
    // The page names its bundled script and styles with the token; both are served, and nothing without the token.
    for (const asset of ['dashboard.js', 'dashboard.css']) {
      assert.ok(String(page.json).includes(`/assets/${asset}?token=${token}`), asset);
      const a = await raw(port, `/assets/${asset}?token=${token}`);
      assert.equal(a.status, 200, asset);
      assert.equal((await raw(port, `/assets/${asset}`)).status, 401, `${asset} without the token`);
    }
    assert.equal((await raw(port, `/assets/secret.txt?token=${token}`)).status, 404);
    assert.equal((await raw(port, `/nothing?token=${token}`)).status, 404);
  });
});

test('the API answers as the CLI does: topology, translate, and the interleave map of R0', async () => {
  await withServer(async (port, token) => {
    const auth = { authorization: `Bearer ${token}` };
    const topo = await raw(port, '/api/topology', auth);
    const cli = JSON.parse(spawnSync(process.execPath, [CLI, 'list', '-vv', '--json'], { encoding: 'utf8' }).stdout);
    assert.deepEqual(topo.json, cli);
    for (const hpa of [0x1_0000_1234, 0x1_0000_0500, 0x2_0000_0040]) {
      const ours = await raw(port, `/api/translate?hpa=${hpa}`, auth);
      const theirs = JSON.parse(
        spawnSync(process.execPath, [CLI, 'translate', '--json', `0x${hpa.toString(16)}`], { encoding: 'utf8' }).stdout,
      );
      assert.deepEqual(ours.json, theirs, `0x${hpa.toString(16)}`);
    }
    // And back: DPA -> HPA, as `translate --dpa` answers.
    const back = await raw(port, `/api/translate?memdev=mem2&dpa=${0x100}`, auth);
    const cliBack = JSON.parse(
      spawnSync(process.execPath, [CLI, 'translate', '--json', '--dpa', 'mem2', '0x100'], { encoding: 'utf8' }).stdout,
    );
    assert.deepEqual(back.json, cliBack);
    assert.equal(
      (await raw(port, '/api/translate?memdev=mem9&dpa=0', auth)).status,
      400,
      'an unknown memdev is the CLI error',
    );
    const map = (await raw(port, `/api/map?from=${0x1_0000_0000}&step=256&count=8`, auth)).json as {
      memdevs: string[];
    };
    assert.deepEqual(map.memdevs, ['mem0', 'mem2', 'mem1', 'mem3', 'mem0', 'mem2', 'mem1', 'mem3']);
    assert.equal((await raw(port, '/api/translate?hpa=banana', auth)).status, 400);
  });
});

test('regions: created and destroyed through the API with the library errors shown', async () => {
  await withServer(async (port, token, m) => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const destroyed = await raw(port, '/api/regions/R1', auth, 'DELETE');
    assert.equal(destroyed.status, 200);
    assert.equal(
      m.regions.some((r) => r.name === 'R1'),
      false,
    );
    const body = JSON.stringify({ window: 'W1', memdevs: ['mem2', 'mem0'], size: 512 * 2 ** 20, name: 'R2' });
    const made = await raw(port, '/api/regions', auth, 'POST', body);
    assert.equal(made.status, 201);
    assert.equal((made.json as { region: string }).region, 'R2');
    assert.ok(m.regions.some((r) => r.name === 'R2'));
    const again = await raw(port, '/api/regions', auth, 'POST', body);
    assert.equal(again.status, 400, 'the same name again is refused');
    assert.match((again.json as { error: string }).error, /cannot create region R2/);
    assert.equal((await raw(port, '/api/regions', auth, 'POST', '{not json')).status, 400);
  });
});

test('cxlemu serve prints the URL with its token and stops on SIGINT; a non-loopback --host warns', async () => {
  const p = spawn(process.execPath, [CLI, 'serve', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stderr.on('data', (c) => {
    err += c;
  });
  const url = await new Promise<string>((resolve, reject) => {
    p.stdout.on('data', (c) => {
      out += c;
      const m = /dashboard at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    p.on('exit', () => reject(new Error(`serve exited: ${err}`)));
  });
  assert.match(url, /^http:\/\/0\.0\.0\.0:\d+\/\?token=[0-9a-f]{32}$/);
  assert.match(err, /warning: serving on 0\.0\.0\.0/);
  const status = await new Promise<number | null>((resolve) => {
    p.on('exit', (code) => resolve(code));
    p.kill('SIGINT');
  });
  assert.equal(status, 130);
});

/** The first `n` server-sent events of `path`. */
function sse(port: number, path: string, n: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const got: unknown[] = [];
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let buf = '';
      res.on('data', (c) => {
        buf += c;
        let i = buf.indexOf('\n\n');
        while (i >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (line.startsWith('data: ')) got.push(JSON.parse(line.slice(6)));
          if (got.length >= n) {
            req.destroy();
            resolve(got);
            return;
          }
          i = buf.indexOf('\n\n');
        }
      });
    });
    req.on('error', (e) => (got.length >= n ? resolve(got) : reject(e)));
    req.end();
  });
}

test('a guest run meanwhile: the event stream shows instructions and per-device traffic growing; the console arrives', async () => {
  const m = Machine.build(defaultDescription());
  const stop = new AbortController();
  // The demo benchmark out of R0: code and data in the 4-way region, about 217 M instructions.
  const session = new Session(m, { guest: { kernel: join(REPO, 'guests', 'bin', 'bench-demo-cxl.elf') } }, stop.signal);
  const guest = session.guest!;
  const s = await serve(session);
  try {
    const snaps = (await sse(s.port, `/api/events?token=${s.token}`, 6)) as {
      state: string;
      instret: number;
      traffic: { targets: { target: string; reads: number; writes: number }[] };
    }[];
    const first = snaps[0]!;
    const last = snaps[snaps.length - 1]!;
    assert.ok(last.instret > first.instret, `instructions grow: ${first.instret} -> ${last.instret}`);
    const devices = new Set(last.traffic.targets.map((t) => t.target));
    for (const d of ['mem0', 'mem1', 'mem2', 'mem3']) assert.ok(devices.has(d), `${d} in the traffic`);
    await guest.done;
    const status = (await raw(s.port, `/api/status?token=${s.token}`)).json as {
      state: string;
      result: { status: number };
    };
    assert.equal(status.state, 'finished');
    assert.equal(status.result.status, 0);
    const con = (await raw(s.port, `/api/console?token=${s.token}&from=0`)).json as { text: string };
    assert.match(con.text, /bench: iterations=60 checksum=0x[0-9a-f]+ ok/);
  } finally {
    stop.abort();
    await s.close();
    m.close();
  }
});

test('console input: POST /api/console reaches the guest UART (echo.elf echoes it); without a guest it is 409', async () => {
  await withServer(async (port, token) => {
    const r = await raw(
      port,
      '/api/console',
      { authorization: `Bearer ${token}` },
      'POST',
      JSON.stringify({ text: 'x' }),
    );
    assert.equal(r.status, 409);
  });
  const m = Machine.build(defaultDescription());
  const stop = new AbortController();
  const session = new Session(m, { guest: { kernel: join(REPO, 'guests', 'bin', 'echo.elf') } }, stop.signal);
  const guest = session.guest!;
  const s = await serve(session);
  try {
    const auth = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    assert.equal((await raw(s.port, '/api/console', auth, 'POST', JSON.stringify({ text: 'ping\rq' }))).status, 202);
    await guest.done;
    const con = (await raw(s.port, `/api/console?token=${s.token}&from=0`)).json as { text: string };
    assert.match(con.text, /ping\n/);
    assert.match(con.text, /echo: bye/);
    assert.equal((await raw(s.port, '/api/console', auth, 'POST', '{"text": 5}')).status, 400);
  } finally {
    stop.abort();
    await s.close();
    m.close();
  }
});

/** POST `body` as JSON with the token. */
const postJson = (port: number, token: string, path: string, body: unknown = {}) =>
  raw(
    port,
    path,
    { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    'POST',
    JSON.stringify(body),
  );

test('run control: start/pause/resume refusals are 409 with the reason; pause holds instret; reset rebuilds the machine with its regions', async () => {
  await withServer(async (port, token) => {
    // No guest configured: every control is refused, naming why.
    const r = await postJson(port, token, '/api/guest/start');
    assert.equal(r.status, 409);
    assert.match((r.json as { error: string }).error, /no guest to start: serve runs one with --kernel FILE/);
    assert.equal((await postJson(port, token, '/api/guest/pause')).status, 409);
    assert.equal((await postJson(port, token, '/api/guest/fly')).status, 404);
  });
  const m = Machine.build(defaultDescription());
  const stop = new AbortController();
  const kernel = join(REPO, 'guests', 'bin', 'echo.elf');
  // --paused: nothing runs until start.
  const session = new Session(m, { guest: { kernel }, paused: true }, stop.signal);
  const s = await serve(session);
  try {
    const status = async () =>
      (await raw(s.port, `/api/status?token=${s.token}`)).json as { state: string; resets: number };
    assert.equal((await status()).state, 'stopped');
    assert.equal((await postJson(s.port, s.token, '/api/guest/resume')).status, 409);
    assert.equal((await postJson(s.port, s.token, '/api/guest/start')).status, 200);
    assert.equal((await status()).state, 'running');
    const again = await postJson(s.port, s.token, '/api/guest/start');
    assert.equal(again.status, 409);
    assert.match((again.json as { error: string }).error, /already running/);
    assert.equal((await postJson(s.port, s.token, '/api/guest/pause')).status, 200);
    assert.equal((await status()).state, 'paused');
    // Typed while paused: it waits in the UART until the guest runs again.
    await postJson(s.port, s.token, '/api/console', { text: 'abc\r' });
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(session.guest!.consoleFrom(0).text, /abc/);
    assert.equal((await postJson(s.port, s.token, '/api/guest/resume')).status, 200);
    for (let i = 0; i < 100 && !/abc/.test(session.guest!.consoleFrom(0).text); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(session.guest!.consoleFrom(0).text, /abc/);
    // A region made through the page survives the reset; the first guest's console does not.
    assert.equal((await postJson(s.port, s.token, '/api/regions/R1', {})).status, 404);
    const first = session.machine;
    assert.equal((await postJson(s.port, s.token, '/api/guest/reset')).status, 200);
    assert.notEqual(session.machine, first);
    assert.deepEqual(
      session.machine.regions.map((r) => [r.name, r.base, r.size]),
      first.regions.map((r) => [r.name, r.base, r.size]),
    );
    const after = await status();
    assert.equal(after.resets, 1);
    assert.equal(after.state, 'running');
    assert.doesNotMatch(session.guest!.consoleFrom(0).text, /abc/);
  } finally {
    stop.abort();
    await session.close();
    await s.close();
    m.close();
  }
});

test('mailbox and poison API: the CLI JSON for the same command; bad memdev, opcode, payload, action and DPA named', async () => {
  await withServer(async (port, token) => {
    const ok = await postJson(port, token, '/api/mailbox', { memdev: 'mem2', opcode: '4100' });
    assert.equal(ok.status, 200);
    const cli = JSON.parse(
      spawnSync(process.execPath, [CLI, 'mailbox', '--json', 'mem2', '4100'], { encoding: 'utf8' }).stdout,
    ) as Record<string, unknown>;
    assert.deepEqual(ok.json, { ...cli, via: 'registers' });
    const bad = async (body: unknown, path = '/api/mailbox') => {
      const r = await postJson(port, token, path, body);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      return (
        (r.json as { error: string; issues?: { path: string }[] }).issues?.[0]?.path ??
        (r.json as { error: string }).error
      );
    };
    assert.equal(await bad({ memdev: 'mem9', opcode: '4000' }), 'memdev');
    assert.equal(await bad({ memdev: 'mem0', opcode: 'teleport' }), 'opcode');
    assert.equal(await bad({ memdev: 'mem0', opcode: '4000', payload: 'xyz' }), 'payload-hex');
    assert.match(await bad({ memdev: 'mem0', action: 'zap', dpa: 0 }, '/api/poison'), /action "zap" is not/);
    assert.match(
      await bad({ memdev: 'mem0', action: 'inject', dpa: 'far' }, '/api/poison'),
      /dpa: far is not an address/,
    );
    // A misaligned DPA reaches the device, which answers Invalid Input (as it would a driver).
    const mis = await postJson(port, token, '/api/poison', { memdev: 'mem0', action: 'inject', dpa: 0x1001 });
    assert.equal((mis.json as { rcName: string }).rcName, 'Invalid Input');
    const inj = await postJson(port, token, '/api/poison', { memdev: 'mem0', action: 'inject', dpa: 0x2000 });
    assert.equal((inj.json as { rc: number }).rc, 0);
    const list = (await raw(port, `/api/poison?memdev=mem0&token=${token}`)).json as {
      decoded: { records: { dpa: number; bytes: number; source: string }[] };
    };
    assert.deepEqual(list.decoded.records, [{ dpa: 0x2000, bytes: 64, source: 'injected' }]);
    const names = (await raw(port, `/api/mailbox/commands?token=${token}`)).json as { opcode: number; name: string }[];
    assert.ok(names.some((c) => c.opcode === 0x4000 && c.name === 'Identify Memory Device'));
  });
});

test('serve takes every option of run (its guest runs as run runs it)', () => {
  const optionsOf = (cmd: string) =>
    new Set(
      [
        ...spawnSync(process.execPath, [CLI, cmd, '--help'], { encoding: 'utf8' }).stdout.matchAll(
          /^ {2}(?:-\w, )?(--[a-z-]+)/gm,
        ),
      ].map((x) => x[1]!),
    );
  const run = optionsOf('run');
  const serveOpts = optionsOf('serve');
  assert.ok(run.size > 20, `run has its options (${[...run].join(' ')})`);
  for (const o of run) assert.ok(serveOpts.has(o), `serve ${o}`);
  // And refuses the one that has no meaning there, saying why.
  const r = spawnSync(process.execPath, [CLI, 'serve', '--audit-only'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--audit-only: true: not with serve: serve runs no workload of its own/);
});
