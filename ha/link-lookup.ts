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
  /** Up and running (carrier), as keepalived's IF_ISUP. */
  readonly isUp: boolean;
}

export interface LinkLookup {
  /** The interface as it is now (not cached). Rejects with VrrpError ERR_VRRP_NO_SUCH_INTERFACE when it does not exist. */
  lookup(interfaceName: string, signal?: AbortSignal): Promise<InterfaceInfo>;
}
