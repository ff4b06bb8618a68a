/**
 * What the VRRP adapters need to know about an interface by name: its index (multicast membership,
 * rtnetlink), its MAC (unsolicited neighbour advertisements) and its state. Owned by the adapters'
 * factories; the real one is in rtnetlink-address-manager.ts.
 */
export interface InterfaceInfo {
  readonly name: string;
  readonly index: number;
  /** Six bytes; all zero for interfaces without one (lo). */
  readonly macAddress: Uint8Array;
  readonly isUp: boolean;
}

export interface LinkLookup {
  /** Rejects with VrrpError ERR_VRRP_NO_SUCH_INTERFACE when the interface does not exist. */
  lookup(interfaceName: string, signal?: AbortSignal): Promise<InterfaceInfo>;
}
