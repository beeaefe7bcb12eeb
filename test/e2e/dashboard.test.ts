// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core (no
// browser download). Loads the page of a running `serve` (with a guest), then checks what a user
// sees against the CLI: the topology names every device, the first window's interleave map has one
// cell per granule coloured by the device `translate` names, the translate box answers as
// `translate --json` does, and the guest's console and traffic appear. Screenshots go to
// test-artifacts/. Skips visibly without /usr/bin/chromium (.ci/apt-packages installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../diff/harness.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';
import { type Served, serve } from '../../src/server/server.js';
import type { GuestOptions, GuestRun } from '../../src/server/guest.js';
import { Session } from '../../src/server/session.js';
import type { Browser } from 'playwright-core';
import { DEFAULT_TIMING } from '../../src/perf/timing-model.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'Debian chromium not installed (apt-get install chromium)';
const CLI = join(REPO, 'dist', 'bin', 'cxlemu.js');
const ARTIFACTS = join(REPO, 'test-artifacts');

/**
 * A machine (the default one) running `guest` under `serve`, and headless chromium; everything
 * stopped and closed afterwards, whatever `f` does.
 */
async function withDashboard(
  guestOpts: GuestOptions,
  f: (d: { browser: Browser; s: Served; m: Machine; guest: GuestRun; session: Session }) => Promise<void>,
): Promise<void> {
  const { chromium } = await import('playwright-core');
  const m = Machine.build(defaultDescription());
  const stop = new AbortController();
  // A test that overruns (its own timeout does not stop f) must not leave the guest running and
  // the test process alive: stop it before the longest test's timeout.
  const guard = setTimeout(() => stop.abort(new Error('the dashboard test overran 9 minutes')), 540_000);
  guard.unref();
  const session = new Session(m, { guest: guestOpts }, stop.signal);
  const guest = session.guest!;
  const s = await serve(session);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    await f({ browser, s, m, guest, session });
  } finally {
    clearTimeout(guard);
    await browser.close();
    stop.abort();
    await session.close();
    await s.close();
    m.close();
  }
}

test('the page in chromium: topology, the W0 map per granule as translate says, the translate box, a live guest', {
  skip,
}, async () => {
  await withDashboard({ kernel: join(REPO, 'guests', 'bin', 'bench-demo-cxl.elf') }, async ({ browser, s, m }) => {
    // bypassCSP: Playwright evaluates the test's string predicates, which the page's CSP (no eval) forbids.
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 }, bypassCSP: true });
    await page.goto(s.url);
    // Browser-side code is given as strings: this project compiles without the DOM's types.
    await page.waitForFunction('document.querySelectorAll(".map .cell").length > 0');
    // The topology graph: a node per window, host bridge, port, switch and device of the default machine.
    await page.waitForSelector('#topology [data-node="mem3"]');
    const nodes = (await page.evaluate(
      'Array.from(document.querySelectorAll("#topology [data-node]")).map((n) => n.getAttribute("data-node"))',
    )) as string[];
    for (const n of ['W0', 'W1', 'hb0', 'hb1', 'rp0', 'rp1', 'rp2', 'mem0', 'mem1', 'mem2', 'mem3'])
      assert.ok(nodes.includes(n), `${n} in the graph (${nodes.join(' ')})`);
    // A click shows the node's decoders as `list -vv` has them (state, range, ways, granularity, targets).
    const listed = JSON.parse(spawnSync(process.execPath, [CLI, 'list', '-vv'], { encoding: 'utf8' }).stdout) as {
      buses: Record<string, unknown>[];
    };
    const hb0 = (listed.buses[0]!['ports:root0'] as Record<string, unknown>[]).find((p) => p.host === 'hb0')!;
    const hb0Decoders = hb0[`decoders:${hb0.port}`] as { decoder: string; state: string; resource: number }[];
    await page.click('#topology [data-node="hb0"]');
    await page.waitForSelector('#decoders[data-node="hb0"] tr.decoder');
    const rows = (await page.evaluate(
      'Array.from(document.querySelectorAll("#decoders tr.decoder")).map((r) => Array.from(r.children).map((c) => c.textContent))',
    )) as string[][];
    assert.equal(rows.length, hb0Decoders.length);
    hb0Decoders.forEach((d, i) => {
      assert.equal(rows[i]![0], d.decoder);
      assert.equal(rows[i]![1], d.state);
      if (d.state !== 'reset') assert.ok(rows[i]![2]!.startsWith(`0x${d.resource.toString(16)}..`), rows[i]![2]);
    });
    await page.click('#topology [data-node="mem0"]');
    await page.waitForSelector('#decoders[data-node="mem0"] tr.decoder');
    // The firmware tables as decoded trees: the CEDT names each window as list -vv does, each
    // device's CDAT its DPA range; a click opens a structure to its fields.
    await page.waitForSelector('#tables [data-table="CEDT"]');
    const cedt = (await page.textContent('#tables [data-table="CEDT"]')) ?? '';
    for (const w of listed.buses[0]!['decoders:root0'] as { resource: number; size: number; interleave_ways: number }[])
      assert.ok(
        cedt.includes(`CFMWS0x${w.resource.toString(16)} ${w.size / 2 ** 30} GiB, ${w.interleave_ways}-way`),
        `the CEDT's CFMWS for 0x${w.resource.toString(16)}`,
      );
    assert.ok(
      ((await page.textContent('#tables [data-table="cdat-mem0"]')) ?? '').includes('DSMAShandle 0: 0x0 - 0x1FFFFFFF'),
    );
    await page.click('#tables [data-table="CEDT"] > details > summary');
    await page.click('#tables [data-table="CEDT"] > details > details:nth-of-type(4) > summary');
    assert.ok(await page.isVisible('#tables [data-table="CEDT"] :text("HPA range")'));
    // W0's map: cells in HPA order; each cell's title is "0xHPA: memN", as translate decodes it.
    const titles = (await page.evaluate(
      'Array.from(document.querySelector(".map").querySelectorAll(".cell")).map((c) => c.title)',
    )) as string[];
    assert.equal(titles.length, 256);
    for (const i of [0, 1, 2, 3, 5, 250]) {
      const [hpa, md] = titles[i]!.split(': ');
      const t = JSON.parse(
        spawnSync(process.execPath, [CLI, 'translate', '--json', hpa!], { encoding: 'utf8' }).stdout,
      );
      assert.equal(md, t.memdev, `${hpa}: the map and translate agree`);
    }
    // Cells of different devices have different colours; those of one device share one.
    const colours = (await page.evaluate(
      'Array.from(document.querySelector(".map").querySelectorAll(".cell")).slice(0, 8).map((c) => getComputedStyle(c).backgroundColor)',
    )) as string[];
    assert.equal(colours[0], colours[4]);
    assert.notEqual(colours[0], colours[1]);
    await page.fill('#hpa', '0x100001234');
    await page.click('#tr button');
    await page.waitForFunction('(document.querySelector("#translation").textContent || "").includes("memdev")');
    const shown = JSON.parse((await page.textContent('#translation'))!);
    const cli = JSON.parse(
      spawnSync(process.execPath, [CLI, 'translate', '--json', '0x100001234'], { encoding: 'utf8' }).stdout,
    );
    assert.deepEqual(shown, cli);
    // The live guest: its console line and the devices in the traffic table.
    await page.waitForFunction('(document.querySelector("#console").textContent || "").includes("checksum=")', null, {
      timeout: 60_000,
    });
    const traffic = await page.textContent('#traffic');
    for (const d of ['mem0', 'mem1', 'mem2', 'mem3']) assert.ok(traffic?.includes(d), `${d} in the traffic table`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });
    // Zoom: W0 out twice (16 x 16 granules per cell), then into a cell twice, back to granules;
    // three of the cells then must name what translate names for their HPA.
    const w0 = '.map[data-window="W0"]';
    await page.click('h3[data-window="W0"] .zoomout');
    await page.waitForSelector(`${w0}[data-step="4096"]`);
    await page.click('h3[data-window="W0"] .zoomout');
    await page.waitForSelector(`${w0}[data-step="65536"]`);
    await page.click(`${w0} .cell:nth-child(10)`);
    await page.waitForSelector(`${w0}[data-step="4096"]`);
    await page.click(`${w0} .cell:nth-child(3)`);
    await page.waitForSelector(`${w0}[data-step="256"]`);
    const zoomed = (await page.evaluate(
      `Array.from(document.querySelector('${w0}').querySelectorAll(".cell")).map((c) => c.title)`,
    )) as string[];
    assert.equal(zoomed[0]!.split(': ')[0], `0x${(0x1_0000_0000 + 9 * 65536 + 2 * 4096).toString(16)}`);
    for (const i of [0, 7, 131]) {
      const [hpa, md] = zoomed[i]!.split(': ');
      const t = JSON.parse(
        spawnSync(process.execPath, [CLI, 'translate', '--json', hpa!], { encoding: 'utf8' }).stdout,
      );
      assert.equal(md, t.memdev, `zoomed ${hpa}: the map and translate agree`);
    }
    // Regions from the page: destroy R1, create R2 in its place, see it listed; a refusal shows the library's message.
    await page.click('.region[data-region="R1"] button');
    await page.waitForFunction('!document.querySelector(".region[data-region=\\"R1\\"]")');
    await page.fill('#rwin', 'W1');
    await page.fill('#rdevs', 'mem2 mem0');
    await page.fill('#rsize', String(512 * 2 ** 20));
    await page.fill('#rname', 'R2');
    await page.click('#mkregion button');
    await page.waitForSelector('.region[data-region="R2"]');
    assert.ok(
      m.regions.some((x) => x.name === 'R2'),
      'the machine has R2',
    );
    await page.click('#mkregion button');
    await page.waitForFunction(
      '(document.querySelector("#regionmsg").textContent || "").includes("cannot create region R2")',
    );
    // Without the token the page's API calls are refused.
    const bare = await browser.newPage();
    const r = await bare.goto(s.url.replace(/\?token=.*$/, ''));
    assert.equal(r?.status(), 401);
  });
});

test('typing into the console of a guest that echoes (guests/bin/echo.elf)', { skip }, async () => {
  await withDashboard({ kernel: join(REPO, 'guests', 'bin', 'echo.elf') }, async ({ browser, s, guest }) => {
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(s.url);
    await page.waitForFunction('(document.querySelector("#console").textContent || "").includes("echo: type")');
    // Keys typed into the terminal (xterm.js) reach the UART; Enter is a carriage return, as a terminal sends.
    await page.click('#terminal');
    await page.keyboard.type('hello from the browser');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      '(document.querySelector("#console").textContent || "").includes("hello from the browser")',
      null,
      {
        timeout: 30_000,
      },
    );
    // The terminal shows it too (its rows are text in the DOM renderer).
    await page.waitForFunction(
      '(document.querySelector("#terminal .xterm-rows").textContent || "").includes("hello from the browser")',
    );
    await page.keyboard.type('q');
    await guest.done;
    assert.equal(guest.snapshot().state, 'finished');
    assert.equal(guest.snapshot().result?.status, 0);
    await page.waitForFunction('(document.querySelector("#console").textContent || "").includes("echo: bye")');
  });
});

test('a guest running for more than 10 s: the page shows the instructions and each device traffic growing', {
  skip,
}, async () => {
  // The integer benchmark out of R0 in timing mode (every access counted): about a minute of work.
  await withDashboard(
    { kernel: join(REPO, 'guests', 'bin', 'bench-cxl.elf'), timing: DEFAULT_TIMING },
    async ({ browser, s }) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
      await page.goto(s.url);
      const read = async () => {
        const text = (await page.textContent('#guest')) ?? '';
        const rows = (await page.evaluate(
          'Array.from(document.querySelectorAll("#traffic tr")).slice(1).map((r) => Array.from(r.children).map((c) => c.textContent))',
        )) as string[][];
        const instret = Number(/(\d+) instructions/.exec(text)?.[1] ?? 0);
        const traffic = new Map(rows.map((r) => [r[0]!, Number(r[1]) + Number(r[2])]));
        const perSecond = new Map(rows.map((r) => [r[0]!, Number(r[7] || 0)]));
        return { text, instret, traffic, perSecond };
      };
      await page.waitForFunction('document.querySelectorAll("#traffic tr").length > 4');
      const a = await read();
      await new Promise((r) => setTimeout(r, 10_500));
      const b = await read();
      assert.match(b.text, /^running: /, 'still running after 10 s');
      assert.ok(b.instret > a.instret, `instructions grow: ${a.instret} -> ${b.instret}`);
      for (const d of ['mem0', 'mem1', 'mem2', 'mem3'])
        assert.ok(
          (b.traffic.get(d) ?? 0) > (a.traffic.get(d) ?? 0),
          `${d}: ${a.traffic.get(d)} -> ${b.traffic.get(d)}`,
        );
      assert.match(b.text, /[1-9][0-9.]* MIPS/, 'a MIPS figure');
      assert.ok((b.perSecond.get('region R0') ?? 0) > 0, `R0's bytes per second: ${b.perSecond.get('region R0')}`);
      // Timing mode's own counters: the memory traffic per device and the caches' hit rates.
      const timing = (await page.evaluate(
        'Array.from(document.querySelectorAll("#timing tr")).map((r) => Array.from(r.children).map((c) => c.textContent))',
      )) as string[][];
      for (const d of ['mem0', 'mem1', 'mem2', 'mem3']) {
        const row = timing.find((r) => r[0] === d);
        assert.ok(row && Number(row[3]) + Number(row[4]) > 0, `${d}: memory traffic in the timing table`);
      }
      assert.ok(
        timing.some((r) => r[0] === 'LLC' && /%$/.test(r[4] ?? '')),
        'the LLC hit rate',
      );
      // The chart of the last minute has drawn its series.
      assert.ok(await page.isVisible('#chart canvas'));
      const legend = (await page.textContent('#chart .u-legend')) ?? '';
      for (const d of ['MIPS', 'mem0 B/s', 'mem3 B/s']) assert.ok(legend.includes(d), `${d} in the chart`);
      // The whole page, with hb0's decoders open (docs/dashboard.png is this picture).
      await page.click('#topology [data-node="hb0"]');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-timing.png'), fullPage: true });
    },
  );
});

test('run control from the page: pause holds the guest, resume goes on, reset rebuilds the machine and starts again', {
  skip,
}, async () => {
  // Timing mode: the benchmark lasts about a minute, so it is still running when the buttons are pressed.
  const opts = { kernel: join(REPO, 'guests', 'bin', 'bench-cxl.elf'), timing: DEFAULT_TIMING };
  await withDashboard(opts, async ({ browser, s, session }) => {
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(s.url);
    const instret = async () => Number(/(\d+) instructions/.exec((await page.textContent('#guest')) ?? '')?.[1] ?? 0);
    await page.waitForFunction('/^running: [1-9]/.test(document.querySelector("#guest").textContent || "")');
    await page.click('#guest-pause');
    await page.waitForFunction('/^paused: /.test(document.querySelector("#guest").textContent || "")');
    const held = await instret();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await instret(), held, 'no instruction retires while paused');
    assert.equal(session.guest?.current, 'paused');
    // Pausing twice is refused with the reason, shown in the page.
    assert.equal(await page.isDisabled('#guest-pause'), true);
    await page.click('#guest-resume');
    await page.waitForFunction(
      `Number((/(\\d+) instructions/.exec(document.querySelector("#guest").textContent || "") || [])[1] || 0) > ${held}`,
    );
    const machineBefore = session.machine;
    const before = await instret();
    await page.click('#guest-reset');
    // The new run counts from zero again.
    await page.waitForFunction(
      `Number((/^running: (\\d+) instructions/.exec(document.querySelector("#guest").textContent || "") || [])[1] || 1e18) < ${before}`,
    );
    assert.equal(session.snapshot().resets, 1);
    assert.notEqual(session.machine, machineBefore, 'the machine was rebuilt');
    assert.deepEqual(
      session.machine.regions.map((r) => r.name),
      machineBefore.regions.map((r) => r.name),
      'with the same regions',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-run-control.png'), fullPage: true });
  });
});

test('the mailbox from the page: Identify decoded as cxlemu mailbox says; poison injected, listed and cleared while the guest runs', {
  skip,
}, async () => {
  // echo.elf waits for input: a guest that stays up.
  await withDashboard({ kernel: join(REPO, 'guests', 'bin', 'echo.elf') }, async ({ browser, s, session }) => {
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(s.url);
    await page.waitForSelector('#mailbox #mbop');
    await page.selectOption('#mbmem', 'mem1');
    await page.fill('#mbop', 'identify-memory-device');
    await page.click('#mailbox button');
    await page.waitForFunction('(document.querySelector("#mbreply").textContent || "").includes("decoded")');
    const shown = (await page.textContent('#mbreply'))!;
    const cli = JSON.parse(
      spawnSync(process.execPath, [CLI, 'mailbox', '--json', 'mem1', 'identify-memory-device'], { encoding: 'utf8' })
        .stdout,
    ) as { output: string; decoded: Record<string, unknown> };
    assert.match(shown, /0x4000 Identify Memory Device: return code 0x0 \(Success\), via the sideband/);
    const decoded = JSON.parse(shown.slice(shown.indexOf('decoded:') + 8)) as Record<string, unknown>;
    assert.deepEqual(decoded, cli.decoded, 'decoded as the CLI decodes it');
    // A bad opcode: the library's message.
    await page.fill('#mbop', 'teleport');
    await page.click('#mailbox button');
    await page.waitForFunction('(document.querySelector("#mbreply").textContent || "").includes("opcode")');
    assert.ok(await page.isVisible('#mbreply.error'));
    // Poison: inject at DPA 0x1000 of mem2, list, clear, list again.
    await page.selectOption('#pmem', 'mem2');
    await page.fill('#pdpa', '0x1000');
    await page.click('#pinject');
    await page.waitForFunction(
      '(document.querySelector("#poisonreply").textContent || "").includes("Inject Poison: return code 0x0")',
    );
    await page.click('#plist');
    await page.waitForFunction(
      '(document.querySelector("#poisonreply").textContent || "").includes("Get Poison List")',
    );
    const list = (await page.textContent('#poisonreply'))!;
    const records = (
      JSON.parse(list.slice(list.indexOf('decoded:') + 8)) as { records: { dpa: number; source: string }[] }
    ).records;
    assert.deepEqual(
      records.map((r) => [r.dpa, r.source]),
      [[0x1000, 'injected']],
    );
    assert.equal(session.guest?.current, 'running', 'the guest ran on meanwhile');
    await page.click('#pclear');
    await page.waitForFunction(
      '(document.querySelector("#poisonreply").textContent || "").includes("Clear Poison: return code 0x0")',
    );
    await page.click('#plist');
    await page.waitForFunction('(document.querySelector("#poisonreply").textContent || "").includes("\\"count\\": 0")');
  });
});

const LINUX = join(REPO, 'guests', 'linux', 'out');
const linuxSkip =
  skip ||
  (!existsSync(join(LINUX, 'Image')) || !existsSync(join(LINUX, 'initramfs-tools.cpio'))
    ? 'guests/linux/out/{Image,initramfs-tools.cpio} not built: run npm run linux'
    : false);

test('Linux from the browser: boot to the init shell, run cxl list in the terminal, power off', {
  skip: linuxSkip,
  timeout: 600_000,
}, async () => {
  const guest: GuestOptions = {
    kernel: join(LINUX, 'Image'),
    boot: { initrd: join(LINUX, 'initramfs-tools.cpio'), append: 'console=ttyS0 cxlemu.shell' },
  };
  await withDashboard(guest, async ({ browser, s, guest: run }) => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 }, bypassCSP: true });
    await page.goto(s.url);
    const consoleHas = (text: string, timeout = 60_000) =>
      page.waitForFunction(
        `(document.querySelector("#console").textContent || "").includes(${JSON.stringify(text)})`,
        null,
        {
          timeout,
        },
      );
    await consoleHas('cxlemu# ', 400_000);
    await page.click('#terminal');
    await page.keyboard.type('cxl list -M');
    await page.keyboard.press('Enter');
    await consoleHas('"memdev":"mem3"');
    // What Linux's cxl tool reports is the machine: four memdevs of 512 MiB, serials 0..3 (Linux
    // numbers them in probe order, so the serial is what names a device on both sides). Kernel
    // messages may interleave with the JSON on the console: each memdev's own lines are taken.
    const text = (await page.textContent('#console')) ?? '';
    const listed = [
      ...text
        .slice(text.lastIndexOf('cxl list -M'))
        .matchAll(/"ram_size":(\d+),\s*"ram_qos_class":\d+,\s*"serial":(\d+)/g),
    ].map((x) => [Number(x[2]), Number(x[1])]);
    assert.deepEqual(
      listed.sort((a, b) => a[0]! - b[0]!),
      [0, 1, 2, 3].map((serial) => [serial, 512 * 2 ** 20]),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-linux.png') });
    await page.keyboard.type('poweroff');
    await page.keyboard.press('Enter');
    await run.done;
    assert.equal(run.snapshot().result?.status, 0);
  });
});
