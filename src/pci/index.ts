// Public surface of the PCI layer: config space with masks, capabilities (PCIe, AER, DSN, DOE,
// DVSEC), MSI-X, BARs, the hierarchy (functions, buses, host bridges), the ECAM and INTx routing.
export * from './errors.js';
export * from './config-space.js';
export * from './capabilities.js';
export * from './bar.js';
export * from './topology.js';
export * from './ecam.js';
export * from './intx.js';
export * from './msix.js';
export * from './enumerate.js';
