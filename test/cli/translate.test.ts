// `cxlemu translate` reports what the compiled router does (the production route) and checks it
// against the reference decoder: the printed device and DPA equal a raw WindowRoute.resolve on the
// same machine; a router stubbed (in-process, on WindowRoute.prototype) to disagree for one HPA
// makes the command exit 70 with a bug report naming the HPA and both answers, never a stack trace.
// Oracles: the router itself (raw resolve) and the reference decoder (src/cxl/reference-decoder.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { defaultDescription, Machine } from '../../src/machine/index.js';
import { WindowRoute, type RouteOut } from '../../src/cxl/router.js';

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, { out: (s) => (out += s), err: (s) => (err += s), progress: false });
  return { status, out, err };
}

/** Replace WindowRoute.prototype.resolve for the duration of `fn` (this process only). */
async function withResolve(
  stub: (real: (hpa: number, out: RouteOut) => boolean, hpa: number, out: RouteOut) => boolean,
  fn: () => Promise<void>,
): Promise<void> {
  const original = Object.getOwnPropertyDescriptor(WindowRoute.prototype, 'resolve')!;
  const real = original.value as (this: WindowRoute, hpa: number, out: RouteOut) => boolean;
  WindowRoute.prototype.resolve = function (this: WindowRoute, hpa: number, out: RouteOut) {
    return stub((h, o) => real.call(this, h, o), hpa, out);
  };
  try {
    await fn();
  } finally {
    Object.defineProperty(WindowRoute.prototype, 'resolve', original);
  }
}

const HPAS = ['0x100000000', '0x100001234', '0x10000ff08', '0x13fffffff', '0x200000300', '0x20fffff00'];

test('translate prints the router answer: device and DPA equal a raw resolve on the same machine', async () => {
  const r = await run('--json', 'translate', ...HPAS);
  assert.equal(r.status, 0, r.err);
  const got = JSON.parse(r.out) as { memdev: string; dpa: string; partition: string }[];
  const m = Machine.build(defaultDescription());
  try {
    HPAS.forEach((text, i) => {
      const hpa = Number(text);
      const w = m.cxl.windowAt(hpa)!;
      const out: RouteOut = { store: null, offset: 0, run: 0 };
      assert.ok(w.router.resolve(hpa, out), text);
      const dev = m.cxl.memdevs.find((d) => d.volatileStore === out.store || d.persistentStore === out.store)!;
      const dpa = out.store === dev.volatileStore ? out.offset : dev.volatileBytes + out.offset;
      assert.deepEqual(
        [got[i]!.memdev, got[i]!.dpa],
        [dev.name, `0x${dpa.toString(16)}`],
        `${text}: the CLI answer is the router's`,
      );
    });
  } finally {
    m.close();
  }
});

test('a router that disagrees with the reference decoder: exit 70, the HPA and both answers', async () => {
  const hit = 0x1_0000_1234; // mem1 DPA 0x434 in R0 (see cli.test.ts)
  const bug =
    /^cxlemu: internal error \(a bug in cxlemu; please report it with the command line\): RouteMismatchError: HPA 0x100001234: the compiled router and the reference decoder disagree: router -> mem1 DPA 0x534 \(volatile\); reference decoder -> mem1 DPA 0x434 \(volatile\)\n$/;
  // Wrong DPA: the stubbed router sends the HPA 256 bytes further into the same device.
  await withResolve(
    (real, h, o) => {
      const ok = real(h, o);
      if (h === hit) o.offset += 0x100;
      return ok;
    },
    async () => {
      for (const argv of [
        ['translate', '0x1_0000_1234'],
        ['--json', 'translate', '0x1_0000_1234'],
        ['translate', '--dpa', 'mem1', '0x434'],
      ]) {
        const r = await run(...argv);
        assert.equal(r.status, 70, argv.join(' '));
        assert.match(r.err, bug, argv.join(' '));
        assert.equal(r.out, '', 'no answer is printed for the address');
      }
      const other = await run('translate', '0x1_0000_1000');
      assert.equal(other.status, 0, `other HPAs still translate: ${other.err}`);
    },
  );
  // No route where the reference decoder routes.
  await withResolve(
    (real, h, o) => (h === hit ? false : real(h, o)),
    async () => {
      const r = await run('translate', '0x1_0000_1234');
      assert.equal(r.status, 70);
      assert.match(
        r.err,
        /RouteMismatchError: HPA 0x100001234: .*router -> no route \(window W0 routes HPA 0x100001234 nowhere\); reference decoder -> mem1 DPA 0x434 \(volatile\)\n$/,
      );
      assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
    },
  );
  // Without the stub the same command succeeds with the same answer.
  const ok = await run('--json', 'translate', '0x1_0000_1234');
  assert.equal(ok.status, 0, ok.err);
  assert.deepEqual([JSON.parse(ok.out).memdev, JSON.parse(ok.out).dpa], ['mem1', '0x434']);
});
