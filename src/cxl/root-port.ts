// Downstream ports: host-bridge root ports and switch downstream ports. A port is named in a parent
// decoder's target list by its port number; it owns its link to one child and nothing else.

import type { HostBridge } from './host-bridge.js';
import type { CxlSwitch } from './switch.js';
import type { Type3Device } from './type3.js';

export type PortChild = Type3Device | CxlSwitch;

export class Dport {
  readonly kind: 'rootPort' | 'downstreamPort';
  readonly id: string;
  /** Port number: the id a parent decoder's target list names. */
  readonly port: number;
  readonly parent: HostBridge | CxlSwitch;
  child: PortChild | null = null;

  constructor(kind: 'rootPort' | 'downstreamPort', id: string, port: number, parent: HostBridge | CxlSwitch) {
    this.kind = kind;
    this.id = id;
    this.port = port;
    this.parent = parent;
  }
}

/** A host bridge's root port. */
export type RootPort = Dport;
