// NS16550A register behaviour, driven directly through its MmioOps read/write.
// Oracle: the 16550A datasheet register map and QEMU hw/char/serial.c (reset values, IIR priority,
// THRI clear-on-IIR-read, FIFO trigger levels, loopback MSR mapping).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Ns16550a,
  IIR_NO_INT,
  IIR_THRI,
  IIR_RDI,
  IIR_CTI,
  LSR_DR,
  LSR_THRE,
  LSR_TEMT,
  LCR_DLAB,
  MCR_LOOP,
  IER_RDI,
  IER_THRI,
  FCR_FE,
  LSR_OE,
} from '../../src/devices/ns16550a.js';

function uart() {
  const out: number[] = [];
  const levels: boolean[] = [];
  const u = new Ns16550a({ sink: (b) => out.push(b), irq: (l) => levels.push(l) });
  return { u, out, levels };
}

test('reset values match QEMU serial_reset', () => {
  const { u } = uart();
  assert.equal(u.read(2, 1), IIR_NO_INT);
  assert.equal(u.read(5, 1), LSR_THRE | LSR_TEMT);
  assert.equal(u.read(6, 1), 0xb0); // DCD | DSR | CTS
  assert.equal(u.read(4, 1), 0x08); // OUT2
  assert.equal(u.read(3, 1), 0);
  assert.equal(u.read(1, 1), 0);
});

test('THR writes reach the sink; "hello" byte for byte', () => {
  const { u, out } = uart();
  for (const c of Buffer.from('hello\n')) u.write(0, 1, c);
  assert.equal(Buffer.from(out).toString(), 'hello\n');
  assert.equal(u.read(5, 1) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
  assert.equal(u.txCount, 6);
});

test('DLAB selects the divisor latch; SCR is scratch', () => {
  const { u, out } = uart();
  u.write(3, 1, LCR_DLAB | 0x03);
  u.write(0, 1, 0x34);
  u.write(1, 1, 0x12);
  assert.equal(u.read(0, 1), 0x34);
  assert.equal(u.read(1, 1), 0x12);
  assert.deepEqual(out, [], 'DLL write is not a transmit');
  u.write(3, 1, 0x03);
  assert.equal(u.read(1, 1), 0, 'IER untouched by DLM write');
  u.write(7, 1, 0xa5);
  assert.equal(u.read(7, 1), 0xa5);
});

test('THRI: raised when enabled with THR empty, cleared by reading IIR, raised again after a write', () => {
  const { u, levels } = uart();
  u.write(1, 1, IER_THRI);
  assert.equal(u.read(2, 1), IIR_THRI);
  assert.deepEqual(levels, [true, false]);
  assert.equal(u.read(2, 1), IIR_NO_INT);
  u.write(0, 1, 0x41);
  assert.equal(u.irqLevel, true);
  assert.equal(u.read(2, 1), IIR_THRI);
  assert.equal(u.irqLevel, false);
});

test('receive without FIFO: DR, RDI, one byte at a time from the host queue', () => {
  const { u } = uart();
  u.write(1, 1, IER_RDI);
  u.pushInput(Buffer.from('ab'));
  assert.equal(u.irqLevel, true);
  assert.equal(u.read(2, 1), IIR_RDI);
  assert.equal(u.read(5, 1) & LSR_DR, LSR_DR);
  assert.equal(u.read(0, 1), 0x61);
  assert.equal(u.irqLevel, true, 'second byte moved in');
  assert.equal(u.read(0, 1), 0x62);
  assert.equal(u.read(5, 1) & LSR_DR, 0);
  assert.equal(u.irqLevel, false);
  assert.equal(u.read(5, 1) & LSR_OE, 0, 'flow control: no overrun');
});

test('FIFO mode: trigger level gives RDI, data below it gives CTI (timeout expires at once)', () => {
  const { u } = uart();
  u.write(2, 1, FCR_FE | 0x40); // trigger level 4
  assert.equal(u.read(2, 1) & 0xc0, 0xc0);
  u.write(1, 1, IER_RDI);
  u.pushInput([1, 2, 3]);
  assert.equal(u.read(2, 1) & 0x0f, IIR_CTI);
  u.pushInput([4, 5]);
  assert.equal(u.read(2, 1) & 0x0f, IIR_RDI);
  const got: number[] = [];
  while (u.read(5, 1) & LSR_DR) got.push(u.read(0, 1));
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.equal(u.irqLevel, false);
});

test('FIFO holds 16; the rest waits in the host queue', () => {
  const { u } = uart();
  u.write(2, 1, FCR_FE);
  const data = Array.from({ length: 40 }, (_, i) => i);
  u.pushInput(data);
  assert.equal(u.inputPending, 40);
  const got: number[] = [];
  while (u.read(5, 1) & LSR_DR) got.push(u.read(0, 1));
  assert.deepEqual(got, data);
  u.pushInput([9]);
  u.write(2, 1, FCR_FE | 0x02); // clear receive FIFO
  assert.equal(u.read(5, 1) & LSR_DR, 0);
});

test('loopback: transmitted bytes come back, MSR mirrors MCR, nothing reaches the sink', () => {
  const { u, out } = uart();
  u.write(4, 1, MCR_LOOP | 0x0b); // loop, OUT2, RTS, DTR
  u.write(0, 1, 0x5a);
  assert.deepEqual(out, []);
  assert.equal(u.read(0, 1), 0x5a);
  assert.equal(u.read(6, 1), 0x80 | 0x10 | 0x20);
});

test('IIR priority: RDI outranks THRI', () => {
  const { u } = uart();
  u.write(1, 1, IER_RDI | IER_THRI);
  u.pushInput([7]);
  assert.equal(u.read(2, 1), IIR_RDI);
  u.read(0, 1);
  assert.equal(u.read(2, 1), IIR_THRI);
});
