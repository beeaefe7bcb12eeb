// One test per error class of the QEMU-compatible parser: each bad command line must throw a
// ConfigError whose issue names the option text, the offending property and its value.
// Oracle: QEMU's own refusals (unknown option/property/device, bad size, missing cxl=on, bad bus)
// and the rules written in docs/machine.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQemuCommandLine, tokenizeQemu, splitQemuOpts } from '../../src/machine/qemu-parser.js';
import { ConfigError, type ConfigIssue } from '../../src/machine/errors.js';

const BASE = [
  '-M q35,cxl=on -m 4G',
  '-object memory-backend-ram,id=vmem0,size=256M',
  '-object memory-backend-ram,id=vmem1,size=256M',
  '-device pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1',
  '-device cxl-rp,port=0,bus=cxl.1,id=rp0,chassis=0,slot=2',
  '-device cxl-rp,port=1,bus=cxl.1,id=rp1,chassis=0,slot=3',
  '-device cxl-type3,bus=rp0,volatile-memdev=vmem0,id=d0',
  '-device cxl-type3,bus=rp1,volatile-memdev=vmem1,id=d1',
  '-M cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=4G,cxl-fmw.0.interleave-granularity=8k',
].join(' ');

function issuesOf(cmd: string): ConfigIssue[] {
  try {
    parseQemuCommandLine(cmd);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.ok(!/\n\s+at /.test(e.message), 'no stack trace in the message');
    return e.issues;
  }
  assert.fail(`no error for: ${cmd}`);
}
function expectIssue(cmd: string, want: Partial<ConfigIssue> & { code: string }): void {
  const issues = issuesOf(cmd);
  const hit = issues.find((i) => i.code === want.code);
  assert.ok(hit, `want ${want.code}, got ${JSON.stringify(issues)}`);
  for (const [k, v] of Object.entries(want)) {
    if (k === 'option') assert.ok(String(hit.option).includes(String(v)), `option ${hit.option} should include ${v}`);
    else assert.deepEqual((hit as unknown as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(hit)}`);
  }
}

test('the base command line is valid', () => {
  assert.equal(parseQemuCommandLine(BASE).description.cxl.hostBridges.length, 1);
});
test('tokenizer: quotes, continuation, comments', () => {
  assert.deepEqual(tokenizeQemu(`a 'b c' "d \\"e\\"" \\\n f # comment -x\n g\\ h`), ['a', 'b c', 'd "e"', 'f', 'g h']);
  assert.deepEqual(splitQemuOpts('memory-backend-file,mem-path=/a,,b,size=1G', 'qom-type'), [
    { key: 'qom-type', value: 'memory-backend-file' },
    { key: 'mem-path', value: '/a,b' },
    { key: 'size', value: '1G' },
  ]);
});
test('syntax: unterminated quote', () => expectIssue(`${BASE} -append 'abc`, { code: 'syntax' }));
test('unknown option', () =>
  expectIssue(`${BASE} -frobnicate 3`, { code: 'unknown_option', path: '-frobnicate', value: '3' }));
test('option missing its argument', () =>
  expectIssue(`${BASE} -device`, { code: 'missing_argument', path: '-device' }));
test('stray argument', () => expectIssue(`${BASE} disk.img`, { code: 'unexpected_argument', value: 'disk.img' }));
test('bad size', () =>
  expectIssue(BASE.replace('id=vmem0,size=256M', 'id=vmem0,size=256Q'), {
    code: 'bad_size',
    path: 'size',
    value: '256Q',
    option: 'id=vmem0',
  }));
test('bad -m', () =>
  expectIssue(BASE.replace('-m 4G', '-m lots'), { code: 'bad_size', value: 'lots', option: '-m lots' }));
test('unknown property', () =>
  expectIssue(BASE.replace('id=d0', 'id=d0,colour=red'), {
    code: 'unknown_property',
    path: 'colour',
    value: 'red',
    option: 'cxl-type3',
  }));
test('duplicate property', () =>
  expectIssue(BASE.replace('id=d0', 'id=d0,bus=rp1'), { code: 'duplicate_property', path: 'bus' }));
test('unsupported property', () =>
  expectIssue(BASE.replace('id=d0', 'id=d0,num-dc-regions=2'), {
    code: 'unsupported',
    path: 'num-dc-regions',
    value: '2',
  }));
test('bad machine type', () =>
  expectIssue(BASE.replace('-M q35,cxl=on', '-M pc,cxl=on'), { code: 'bad_machine_type', value: 'pc' }));
test('bad boolean', () =>
  expectIssue(BASE.replace('cxl=on', 'cxl=maybe'), { code: 'bad_bool', path: 'cxl', value: 'maybe' }));
test('cxl=on missing', () => expectIssue(BASE.replace('-M q35,cxl=on', '-M q35'), { code: 'cxl_not_enabled' }));
test('unknown machine property', () =>
  expectIssue(BASE.replace('cxl=on', 'cxl=on,warp=9'), { code: 'unknown_property', path: 'warp' }));
test('unknown cxl-fmw property', () =>
  expectIssue(`${BASE},cxl-fmw.0.colour=red`, { code: 'unknown_property', path: 'cxl-fmw.0.colour' }));
test('unknown object type', () =>
  expectIssue(`${BASE} -object memory-backend-magic,id=x,size=1G`, {
    code: 'unknown_object',
    value: 'memory-backend-magic',
  }));
test('unknown device', () =>
  expectIssue(`${BASE} -device cxl-type9,id=x`, { code: 'unknown_device', value: 'cxl-type9' }));
test('duplicate device id', () => expectIssue(BASE.replace('id=d1', 'id=d0'), { code: 'duplicate_id', value: 'd0' }));
test('bus that does not exist', () =>
  expectIssue(BASE.replace('bus=rp1,', 'bus=rp9,'), { code: 'bad_bus', path: 'bus', value: 'rp9' }));
test('bus of the wrong kind', () =>
  expectIssue(BASE.replace('bus=rp1,', 'bus=cxl.1,'), { code: 'bad_bus', path: 'bus', value: 'cxl.1' }));
test('pxb-cxl not on pcie.0', () =>
  expectIssue(BASE.replace('bus=pcie.0', 'bus=pcie.7'), { code: 'bad_bus', value: 'pcie.7' }));
test('two devices on one port', () =>
  expectIssue(BASE.replace('bus=rp1,', 'bus=rp0,'), { code: 'port_in_use', value: 'rp0' }));
test('unknown memory backend', () =>
  expectIssue(BASE.replace('volatile-memdev=vmem1', 'volatile-memdev=vmem7'), {
    code: 'unknown_backend',
    path: 'volatile-memdev',
    value: 'vmem7',
  }));
test('backend used twice', () =>
  expectIssue(BASE.replace('volatile-memdev=vmem1', 'volatile-memdev=vmem0'), {
    code: 'backend_in_use',
    value: 'vmem0',
  }));
test('memdev and persistent-memdev together', () =>
  expectIssue(BASE.replace('volatile-memdev=vmem1', 'memdev=vmem1,persistent-memdev=vmem1'), {
    code: 'conflicting_properties',
    path: 'memdev',
  }));
test('type-3 without memory', () =>
  expectIssue(BASE.replace('volatile-memdev=vmem1,', ''), { code: 'missing_property', path: 'volatile-memdev' }));
test('pxb-cxl without bus_nr', () =>
  expectIssue(BASE.replace('bus_nr=12,', ''), { code: 'missing_property', path: 'bus_nr' }));
test('bad integer', () =>
  expectIssue(BASE.replace('bus_nr=12', 'bus_nr=300'), { code: 'bad_integer', path: 'bus_nr', value: '300' }));
test('window target that is not a host bridge', () =>
  expectIssue(BASE.replace('targets.0=cxl.1', 'targets.0=rp0'), {
    code: 'unknown_target',
    path: 'cxl-fmw.0.targets.0',
    value: 'rp0',
  }));
test('window targets with a gap', () =>
  expectIssue(BASE.replace('targets.0=cxl.1', 'targets.1=cxl.1'), { code: 'bad_targets' }));
test('window without size', () =>
  expectIssue(BASE.replace('cxl-fmw.0.size=4G,', ''), { code: 'missing_property', path: 'cxl-fmw.0.size' }));
test('window granularity not allowed (description rule, pointed at the option)', () =>
  expectIssue(BASE.replace('granularity=8k', 'granularity=3k'), {
    code: 'bad_granularity',
    path: 'cxl.windows[0].granularity',
    value: 3072,
    option: 'cxl-fmw.0',
  }));
test('window size not a multiple of 256 MiB', () =>
  expectIssue(BASE.replace('size=4G,', 'size=300M,'), { code: 'bad_window_size', option: 'cxl-fmw' }));
test('device capacity not a multiple of 256 MiB (pointed at the backend)', () =>
  expectIssue(BASE.replace('id=vmem0,size=256M', 'id=vmem0,size=100M'), { code: 'bad_capacity', option: 'id=vmem0' }));
test('unreachable device chain', () =>
  expectIssue(`${BASE} -device cxl-upstream,bus=dsx,id=usx -device cxl-downstream,port=0,bus=usx,id=dsx`, {
    code: 'unreachable',
  }));
test('numa: bad type, unknown node, missing value', () => {
  expectIssue(`${BASE} -numa blob,nodeid=0`, { code: 'bad_value', path: 'type', value: 'blob' });
  expectIssue(`${BASE} -numa node,nodeid=0 -numa dist,src=0,dst=3,val=20`, {
    code: 'unknown_numa_node',
    path: 'numa.distances[0].dst',
  });
  expectIssue(`${BASE} -numa node,nodeid=0 -numa dist,src=0,dst=0`, { code: 'missing_property', path: 'val' });
  expectIssue(
    `${BASE} -numa node,nodeid=0 -numa hmat-lb,initiator=0,target=0,hierarchy=memory,data-type=fast,latency=5`,
    { code: 'bad_value', path: 'data-type' },
  );
});
test('every issue is reported at once', () => {
  const issues = issuesOf(BASE.replace('size=256M', 'size=x').replace('id=d1', 'id=d1,colour=red') + ' -bogus');
  assert.ok(issues.length >= 3, JSON.stringify(issues));
});
test('ignored options are warnings, not errors', () => {
  const r = parseQemuCommandLine(
    `${BASE} -nographic -display none -device virtio-net-pci,netdev=n0 -object iothread,id=io0`,
  );
  assert.deepEqual(r.warnings, [
    'ignored: -nographic (no meaning in cxlemu)',
    'ignored: -display none (no meaning in cxlemu)',
    'ignored: -device virtio-net-pci (no meaning in cxlemu)',
    'ignored: -object iothread (no meaning in cxlemu)',
  ]);
});
test('unknown device named like an Object property (no crash)', () =>
  expectIssue(`${BASE} -device toString,id=x`, { code: 'unknown_device', value: 'toString' }));

test('boot options of a QEMU line are kept for run: -kernel, -initrd, -append, -bios', async () => {
  const { parseQemuCommandLine } = await import('../../src/machine/index.js');
  const r = parseQemuCommandLine(
    '-M virt -m 2G -bios default -kernel /k/Image -initrd /k/initramfs.cpio -append "console=ttyS0 quiet"',
  );
  assert.deepEqual(r.boot, {
    bios: 'default',
    kernel: '/k/Image',
    initrd: '/k/initramfs.cpio',
    append: 'console=ttyS0 quiet',
  });
  assert.deepEqual(
    r.warnings.filter((w) => /kernel|initrd|append|bios/.test(w)),
    [],
  );
  assert.deepEqual(parseQemuCommandLine('-m 1G').boot, {});
});
