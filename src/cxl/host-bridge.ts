// A CXL host bridge: its root ports and (unless it is a passthrough bridge with one root port and
// no HDM capability, as Linux treats it) its HDM decoder block. Never decodes by itself.

import { HdmDecoderBlock } from './hdm-decoder.js';
import { Dport } from './root-port.js';
import type { HostBridgeSpec } from './topology-spec.js';

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
    for (const r of spec.rootPorts) this.rootPorts.push(new Dport('rootPort', r.id, r.port, this));
    const passthrough = spec.rootPorts.length === 1 && !spec.hdmForPassthrough;
    this.hdm = passthrough
      ? null
      : new HdmDecoderBlock(
          { kind: 'hostBridge', name: `host bridge ${spec.id}`, portIds: spec.rootPorts.map((r) => r.port), volatileBytes: 0, persistentBytes: 0 },
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
