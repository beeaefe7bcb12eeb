// The CXL components of a topology: root ports and switch downstream ports (Dport), host bridges,
// switches (any depth) and type-3 memory devices. One file because ports, parents and children
// point at each other (the layering test forbids import cycles, type-only ones included).
// Components own their ports, stores and HDM decoder blocks; they never decode HPAs (router.ts and
// reference-decoder.ts do, from the decoder state).

import type { BackingStore } from '../memory/store.js';
import { HdmDecoderBlock } from './hdm-decoder.js';
import type { HostBridgeSpec, LinkSpec, SwitchSpec, Type3Spec } from './topology-spec.js';

export type PortChild = Type3Device | CxlSwitch;

export class Dport {
  readonly kind: 'rootPort' | 'downstreamPort';
  readonly id: string;
  /** Port number: the id a parent decoder's target list names. */
  readonly port: number;
  readonly parent: HostBridge | CxlSwitch;
  /** The link below this port (both ends report it). */
  readonly link: LinkSpec;
  child: PortChild | null = null;

  constructor(
    kind: 'rootPort' | 'downstreamPort',
    id: string,
    port: number,
    parent: HostBridge | CxlSwitch,
    link: LinkSpec,
  ) {
    this.kind = kind;
    this.id = id;
    this.port = port;
    this.parent = parent;
    this.link = link;
  }
}

/** A host bridge's root port. */
export type RootPort = Dport;

export class HostBridge {
  readonly kind = 'hostBridge' as const;
  readonly id: string;
  readonly uid: number;
  readonly busNr: number;
  readonly rootPorts: Dport[] = [];
  /** null for a passthrough bridge (one root port, no HDM decoder capability). */
  readonly hdm: HdmDecoderBlock | null;
  readonly spec: HostBridgeSpec;

  constructor(spec: HostBridgeSpec) {
    this.spec = spec;
    this.id = spec.id;
    this.uid = spec.uid;
    this.busNr = spec.busNr;
    for (const r of spec.rootPorts) this.rootPorts.push(new Dport('rootPort', r.id, r.port, this, r.link));
    const passthrough = spec.rootPorts.length === 1 && !spec.hdmForPassthrough;
    this.hdm = passthrough
      ? null
      : new HdmDecoderBlock(
          {
            kind: 'hostBridge',
            name: `host bridge ${spec.id}`,
            portIds: spec.rootPorts.map((r) => r.port),
            volatileBytes: 0,
            persistentBytes: 0,
          },
          spec.decoders,
        );
  }

  get passthrough(): boolean {
    return this.hdm === null;
  }

  portById(port: number): Dport | undefined {
    return this.rootPorts.find((p) => p.port === port);
  }
}

export class CxlSwitch {
  readonly kind = 'switch' as const;
  readonly id: string;
  readonly downstreamPorts: Dport[] = [];
  readonly hdm: HdmDecoderBlock;
  readonly spec: SwitchSpec;
  parentPort!: Dport;

  constructor(spec: SwitchSpec) {
    this.spec = spec;
    this.id = spec.id;
    for (const d of spec.downstreamPorts)
      this.downstreamPorts.push(new Dport('downstreamPort', d.id, d.port, this, d.link));
    this.hdm = new HdmDecoderBlock(
      {
        kind: 'switch',
        name: `switch ${spec.id}`,
        portIds: spec.downstreamPorts.map((d) => d.port),
        volatileBytes: 0,
        persistentBytes: 0,
      },
      spec.decoders,
    );
  }

  portById(port: number): Dport | undefined {
    return this.downstreamPorts.find((p) => p.port === port);
  }
}

export type Partition = 'volatile' | 'persistent';

export class Type3Device {
  readonly kind = 'type3' as const;
  readonly id: string;
  /** memN. */
  readonly name: string;
  readonly serial: number;
  /** Partition sizes and stores: set at build, changed only by repartition() (a reset). */
  volatileBytes: number;
  persistentBytes: number;
  readonly lsaBytes: number;
  volatileStore: BackingStore | null;
  persistentStore: BackingStore | null;
  readonly lsaStore: BackingStore | null;
  /** Creates an anonymous (zeroed) partition store; set by the topology. null: cannot repartition. */
  storeFactory: ((partition: Partition, size: number) => BackingStore) | null = null;
  private readonly repartitionListeners = new Set<(dev: Type3Device) => void>();
  readonly hdm: HdmDecoderBlock;
  readonly spec: Type3Spec;
  parentPort!: Dport;

  constructor(
    spec: Type3Spec,
    stores: { volatile: BackingStore | null; persistent: BackingStore | null; lsa: BackingStore | null },
  ) {
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
      {
        kind: 'endpoint',
        name: `endpoint ${spec.name} (${spec.id})`,
        portIds: [],
        volatileBytes: spec.volatileBytes,
        persistentBytes: spec.persistentBytes,
      },
      spec.decoders,
    );
  }

  get capacity(): number {
    return this.volatileBytes + this.persistentBytes;
  }

  /** Called after repartition() changed the split and the stores (guards, labels, route caches). */
  onRepartition(fn: (dev: Type3Device) => void): () => void {
    this.repartitionListeners.add(fn);
    return () => this.repartitionListeners.delete(fn);
  }

  /**
   * Apply a new volatile/persistent split (the reset that follows Set Partition Info). Returns null
   * when applied (or nothing to change), else the reason it was refused (the split is unchanged).
   * Refused while any of this device's HDM decoders is committed, and for file-backed partitions.
   * The partitionable media is not preserved: both partitions get fresh zeroed anonymous stores.
   */
  repartition(volatileBytes: number): string | null {
    if (volatileBytes === this.volatileBytes) return null;
    const cap = this.capacity;
    const SZ = 2 ** 28;
    if (!Number.isSafeInteger(volatileBytes) || volatileBytes < 0 || volatileBytes > cap || volatileBytes % SZ !== 0) {
      return `${this.name}: volatile size ${volatileBytes} is not a 256 MiB multiple within the capacity ${cap}`;
    }
    for (let i = 0; i < this.hdm.count; i++) {
      if (this.hdm.isCommitted(i))
        return `${this.name}: HDM decoder ${i} is committed (un-commit every decoder of the device before the reset that repartitions it)`;
    }
    if (this.spec.volatileFile || this.spec.persistentFile) {
      return `${this.name}: a partition is file-backed (repartitioning file-backed media on reset is not supported; save the machine and rebuild it)`;
    }
    if (!this.storeFactory) return `${this.name}: the device has no store factory (not built by a topology)`;
    const persistentBytes = cap - volatileBytes;
    let vol: BackingStore | null = null;
    let pers: BackingStore | null = null;
    try {
      vol = volatileBytes > 0 ? this.storeFactory('volatile', volatileBytes) : null;
      pers = persistentBytes > 0 ? this.storeFactory('persistent', persistentBytes) : null;
    } catch (e) {
      vol?.close();
      return `${this.name}: cannot allocate the new partition stores (${e instanceof Error ? e.message : String(e)})`;
    }
    this.volatileStore?.close();
    this.persistentStore?.close();
    this.volatileStore = vol;
    this.persistentStore = pers;
    this.volatileBytes = volatileBytes;
    this.persistentBytes = persistentBytes;
    this.hdm.owner.volatileBytes = volatileBytes;
    this.hdm.owner.persistentBytes = persistentBytes;
    for (const fn of [...this.repartitionListeners]) fn(this);
    return null;
  }

  /** Which partition and store holds DPA `dpa` (null beyond the capacity). */
  locate(dpa: number): { partition: Partition; store: BackingStore; offset: number } | null {
    if (dpa < 0) return null;
    if (dpa < this.volatileBytes) return { partition: 'volatile', store: this.volatileStore!, offset: dpa };
    if (dpa < this.capacity)
      return { partition: 'persistent', store: this.persistentStore!, offset: dpa - this.volatileBytes };
    return null;
  }
}
