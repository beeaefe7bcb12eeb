// Public surface of the memory layer (arena, stores, region tree, flat map, address space).
export * from './arena.js';
export * from './store.js';
export * from './file-store.js';
export * from './fault.js';
export * from './media-guard.js';
export * from './flat-map.js';
export * from './region.js';
export { RegionTree, type ChangeListener } from './region-tree.js';
export * from './slow-path-counters.js';
export {
  AddressSpace,
  CHUNK_SIZE,
  MAX_PHYS_ADDRESS,
  PageFlag,
  type PageInfo,
  type AddressSpaceOptions,
  type ObserveRequest,
  type ObservedStore,
  type ObservedTarget,
  type ObserveLogSink,
} from './address-space.js';
// Address arithmetic the layers above need for placing ranges (PCI BARs, windows). Re-exported so
// that those layers reach it through the memory API, as DESIGN's rows say (pci uses memory only).
export { alignDown, alignUp, isAligned, isPowerOfTwo } from '../cxl-math/bits.js';
