// `cxlemu serve`'s HTTP server: the dashboard's page, its bundled script and styles, and the JSON
// API they call, over one session (a machine and its guest, src/server/session.ts). Bound to 127.0.0.1 by default; every request needs the random access token printed in
// the URL (query `token=` or `Authorization: Bearer`), and requests whose Host header is not the
// address served, or whose Origin is another site's, are refused, so neither another local user
// nor a web page in the user's browser can drive the machine. Every answer comes from the same
// library calls as the CLI (Machine.list, translateHpa, createRegion, destroyRegion, the mailbox),
// with the same error messages. Owns routing, the checks and the JSON shapes of errors; no view logic.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../machine/errors.js';
import {
  hexBytesOf,
  mailboxCommand,
  mailboxCommandList,
  opcodeOf,
  poisonCommand,
  poisonList,
} from '../machine/mailbox-command.js';
import { dpaReportJson, translationJson } from '../machine/report.js';
import { firmwareTableTrees } from '../machine/table-trees.js';
import { GuestControlError } from './guest.js';
import { dashboardAsset, dashboardHtml } from './page.js';
import type { Session } from './session.js';

export interface ServeOptions {
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** TCP port (0: any free one). */
  port?: number;
  /** The access token (default: 128 random bits, hex). */
  token?: string;
}

/** How often the event stream sends the guest's snapshot. */
const EVENT_INTERVAL_MS = 250;

export interface Served {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** A request the server refuses, with the HTTP status and a message naming the reason. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LIMIT_BODY = 64 * 1024;

export async function serve(session: Session, opts: ServeOptions = {}): Promise<Served> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(16).toString('hex');
  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { error: `internal error: ${(e as Error).message}` }));
  });

  /** Host names a browser on this machine uses for the bound address. */
  const hostOk = (h: string | undefined): boolean => {
    if (h === undefined) return false;
    // Bound to every address (0.0.0.0, ::): clients name the machine as they know it; the token
    // still guards every request.
    if (host === '0.0.0.0' || host === '::') return h.endsWith(`:${port}`);
    const names = host === '127.0.0.1' || host === 'localhost' ? ['127.0.0.1', 'localhost'] : [host];
    return names.some((n) => h === `${n}:${port}`);
  };

  const tokenOk = (req: IncomingMessage, url: URL): boolean => {
    const auth = req.headers.authorization;
    const given = url.searchParams.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
    if (given === undefined || given.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(token));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!hostOk(req.headers.host))
        throw new Refused(403, `refused: Host ${req.headers.host ?? '(none)'} is not this server`);
      const origin = req.headers.origin;
      if (origin !== undefined && !hostOk(origin.replace(/^https?:\/\//, '')))
        throw new Refused(403, `refused: Origin ${origin} is another site`);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      if (!tokenOk(req, url))
        throw new Refused(401, 'refused: missing or wrong access token (use the URL serve printed)');
      await route(req, res, url);
    } catch (e) {
      if (e instanceof Refused) send(res, e.status, { error: e.message });
      else if (e instanceof GuestControlError) send(res, 409, { error: e.message });
      else if (e instanceof ConfigError) send(res, 400, { error: e.message, issues: e.issues });
      else throw e;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const machine = session.machine;
    if (method === 'GET' && path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // The page talks only to this server; no other origin may load anything into it.
        'content-security-policy': "default-src 'self'; img-src 'self' data:",
      });
      res.end(dashboardHtml(token));
      return;
    }
    const asset = /^\/assets\/([a-z0-9.-]+)$/.exec(path);
    if (method === 'GET' && asset) {
      const a = dashboardAsset(asset[1]!);
      if (!a) throw new Refused(404, `no such asset: ${asset[1]}`);
      res.writeHead(200, { 'content-type': a.type, 'cache-control': 'no-store' });
      res.end(a.body);
      return;
    }
    if (method === 'GET' && path === '/api/topology') return send(res, 200, machine.list(2));
    if (method === 'GET' && path === '/api/translate') {
      const memdev = url.searchParams.get('memdev');
      if (memdev !== null) {
        // DPA -> HPA(s), as `translate --dpa MEMDEV DPA` answers.
        const dpa = parseAddress(url.searchParams.get('dpa'), 'dpa');
        return send(res, 200, dpaReportJson(machine.translateDpa(memdev, dpa)));
      }
      const hpa = parseAddress(url.searchParams.get('hpa'), 'hpa');
      return send(res, 200, translationJson(machine.translateHpa(hpa)));
    }
    if (method === 'GET' && path === '/api/map') return send(res, 200, windowMap(url));
    // The ACPI tables and CDATs as the guest gets them, decoded from their bytes.
    if (method === 'GET' && path === '/api/tables') return send(res, 200, firmwareTableTrees(machine.firmwareTables));
    if (method === 'GET' && path === '/api/status') return send(res, 200, session.snapshot());
    if (method === 'GET' && path === '/api/console') {
      const from = parseAddress(url.searchParams.get('from') ?? '0', 'from');
      return send(res, 200, session.guest?.consoleFrom(from) ?? { from, text: '' });
    }
    if (method === 'GET' && path === '/api/events') return events(req, res);
    if (method === 'POST' && path === '/api/console') {
      const g = session.guest;
      if (g === null) throw new Refused(409, 'no guest is running (serve --kernel FILE runs one)');
      const body = (await readJson(req)) as { text?: unknown };
      if (typeof body.text !== 'string') throw new Refused(400, 'console input: {"text": "..."} expected');
      g.type(body.text);
      return send(res, 202, { typed: body.text.length });
    }
    const control = /^\/api\/guest\/(start|pause|resume|reset)$/.exec(path);
    if (method === 'POST' && control) {
      const what = control[1]!;
      if (what === 'start') session.start();
      else if (what === 'pause') session.pause();
      else if (what === 'resume') session.resume();
      else await session.reset();
      return send(res, 200, session.snapshot());
    }
    if (method === 'GET' && path === '/api/mailbox/commands') return send(res, 200, mailboxCommandList());
    if (method === 'POST' && path === '/api/mailbox') {
      const body = (await readJson(req)) as Record<string, unknown>;
      const opcode = opcodeOf(String(body.opcode ?? ''));
      const payload = hexBytesOf(typeof body.payload === 'string' ? body.payload : '');
      return send(res, 200, mailboxCommand(machine, String(body.memdev ?? ''), opcode, payload, mailboxRoute()));
    }
    if (method === 'GET' && path === '/api/poison') {
      return send(res, 200, poisonList(machine, url.searchParams.get('memdev') ?? '', mailboxRoute()));
    }
    if (method === 'POST' && path === '/api/poison') {
      const body = (await readJson(req)) as Record<string, unknown>;
      const action = body.action;
      if (action !== 'inject' && action !== 'clear')
        throw new Refused(400, `poison: action ${JSON.stringify(action)} is not "inject" or "clear"`);
      const dpa = parseAddress(body.dpa === undefined ? null : String(body.dpa), 'dpa');
      return send(res, 200, poisonCommand(machine, String(body.memdev ?? ''), dpa, action, mailboxRoute()));
    }
    if (method === 'POST' && path === '/api/regions') {
      const body = (await readJson(req)) as Record<string, unknown>;
      const r = machine.createRegion({
        window: String(body.window ?? ''),
        memdevs: Array.isArray(body.memdevs) ? body.memdevs.map(String) : [],
        size: typeof body.size === 'number' ? body.size : Number.NaN,
        ...(typeof body.name === 'string' ? { name: body.name } : {}),
        ...(typeof body.granularity === 'number' ? { granularity: body.granularity } : {}),
      });
      return send(res, 201, { region: r.name, base: r.base, size: r.size });
    }
    const del = /^\/api\/regions\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && del) {
      machine.destroyRegion(decodeURIComponent(del[1]!));
      return send(res, 200, { destroyed: decodeURIComponent(del[1]!) });
    }
    throw new Refused(404, `no such endpoint: ${method} ${path}`);
  }

  /** While a guest owns the primary mailbox (started, not ended), commands take the sideband. */
  const mailboxRoute = (): 'registers' | 'sideband' => {
    const st = session.guest?.current;
    return st === 'running' || st === 'paused' ? 'sideband' : 'registers';
  };

  /** Server-sent events: the guest's snapshot every EVENT_INTERVAL_MS until the client leaves. */
  function events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    const tick = () => res.write(`data: ${JSON.stringify(session.snapshot())}\n\n`);
    tick();
    const timer = setInterval(tick, EVENT_INTERVAL_MS);
    streams.add(res);
    req.on('close', () => {
      clearInterval(timer);
      streams.delete(res);
    });
  }
  const streams = new Set<ServerResponse>();

  /** Which device each granule of [from, from + count x step) reaches: the interleave map's data. */
  function windowMap(url: URL): { from: number; step: number; memdevs: (string | null)[] } {
    const from = parseAddress(url.searchParams.get('from'), 'from');
    const step = parseAddress(url.searchParams.get('step') ?? '256', 'step');
    const count = parseAddress(url.searchParams.get('count') ?? '64', 'count');
    if (step < 1 || count < 1 || count > 4096) throw new Refused(400, 'map: step must be at least 1 and count 1..4096');
    const memdevs: (string | null)[] = [];
    for (let i = 0; i < count; i++) memdevs.push(session.machine.cxl.memdevAt(from + i * step)?.name ?? null);
    return { from, step, memdevs };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of streams) r.end();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseAddress(v: string | null, what: string): number {
  const n = v === null ? Number.NaN : Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new Refused(400, `${what}: ${v ?? '(missing)'} is not an address (a number, decimal or 0x hex)`);
  return n;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const parts: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > LIMIT_BODY) throw new Refused(413, `request body over ${LIMIT_BODY} bytes`);
    parts.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new Refused(400, 'the request body is not JSON');
  }
}
