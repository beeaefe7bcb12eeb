// src/cxl-math: pure CXL spec math (no state, no I/O, imports nothing outside this folder).
export * from './addresses.js';
export * from './bits.js';
export * from './interleave.js';
export * from './xor.js';
export * from './routing.js';
export * from './hdm-registers.js';
export * from './decoder-rules.js';
export * from './checksum.js';
