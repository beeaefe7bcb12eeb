// src/boot: booting an operating system as data for src/machine: the Linux Image header, OpenSBI's
// fw_dynamic hand-off, and where each piece goes in RAM. Never touches guest memory itself.
export * from './linux-image.js';
export * from './fw-dynamic.js';
export * from './placement.js';
export * from './firmware-files.js';
