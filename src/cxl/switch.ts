// A CXL switch: its upstream port's HDM decoder block routes to downstream ports by target list.
// Switches nest to any depth. Owns its ports; never decodes (the router compiles its decoders).

import { HdmDecoderBlock } from './hdm-decoder.js';
import { Dport } from './root-port.js';
import type { SwitchSpec } from './topology-spec.js';

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
    for (const d of spec.downstreamPorts) this.downstreamPorts.push(new Dport('downstreamPort', d.id, d.port, this));
    this.hdm = new HdmDecoderBlock(
      { kind: 'switch', name: `switch ${spec.id}`, portIds: spec.downstreamPorts.map((d) => d.port), volatileBytes: 0, persistentBytes: 0 },
      spec.decoders,
    );
  }

  portById(port: number): Dport | undefined {
    return this.downstreamPorts.find((p) => p.port === port);
  }
}
