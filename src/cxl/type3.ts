// A CXL type-3 memory device (endpoint): volatile and persistent partitions and a label storage
// area, each backed by its own BackingStore, plus its HDM decoder block. Owns the DPA layout
// (volatile first, then persistent); never decodes HPAs (its decoders' state does, via the router).

import type { BackingStore } from '../memory/store.js';
import { HdmDecoderBlock } from './hdm-decoder.js';
import type { Dport } from './root-port.js';
import type { Type3Spec } from './topology-spec.js';

export type Partition = 'volatile' | 'persistent';

export class Type3Device {
  readonly kind = 'type3' as const;
  readonly id: string;
  /** memN. */
  readonly name: string;
  readonly serial: number;
  readonly volatileBytes: number;
  readonly persistentBytes: number;
  readonly lsaBytes: number;
  readonly volatileStore: BackingStore | null;
  readonly persistentStore: BackingStore | null;
  readonly lsaStore: BackingStore | null;
  readonly hdm: HdmDecoderBlock;
  readonly spec: Type3Spec;
  parentPort!: Dport;

  constructor(spec: Type3Spec, stores: { volatile: BackingStore | null; persistent: BackingStore | null; lsa: BackingStore | null }) {
    this.spec = spec;
    this.id = spec.id;
    this.name = spec.name;
    this.serial = spec.serial;
    this.volatileBytes = spec.volatileBytes;
    this.persistentBytes = spec.persistentBytes;
    this.lsaBytes = spec.lsaBytes;
    this.volatileStore = stores.volatile;
    this.persistentStore = stores.persistent;
    this.lsaStore = stores.lsa;
    this.hdm = new HdmDecoderBlock(
      { kind: 'endpoint', name: `endpoint ${spec.name} (${spec.id})`, portIds: [], volatileBytes: spec.volatileBytes, persistentBytes: spec.persistentBytes },
      spec.decoders,
    );
  }

  get capacity(): number {
    return this.volatileBytes + this.persistentBytes;
  }

  /** Which partition and store holds DPA `dpa` (null beyond the capacity). */
  locate(dpa: number): { partition: Partition; store: BackingStore; offset: number } | null {
    if (dpa < 0) return null;
    if (dpa < this.volatileBytes) return { partition: 'volatile', store: this.volatileStore!, offset: dpa };
    if (dpa < this.capacity) return { partition: 'persistent', store: this.persistentStore!, offset: dpa - this.volatileBytes };
    return null;
  }
}
