/**
 * A working in-memory AddressManager (tests and simulations): interfaces hold address sets, every call
 * is recorded with the clock's time, and a failure can be armed for the next call of an operation.
 */
import type { Clock } from '../src/core/clock.js';
import { ipEquals } from '../src/core/ip.js';
import type { AddOutcome, AddressManager, InterfaceAddress, RemoveOutcome, VipAssignment } from './address-manager.js';
import { throwIfAborted, VrrpError } from './vrrp-error.js';

export interface AddressChangeRecord {
  readonly atMs: number;
  readonly op: 'add' | 'remove';
  readonly interfaceName: string;
  readonly address: string;
  readonly outcome: AddOutcome | RemoveOutcome | 'failed';
}

export class MemoryAddressManager implements AddressManager {
  readonly history: AddressChangeRecord[] = [];
  private readonly interfaces = new Map<string, InterfaceAddress[]>();
  private readonly armedFailures = new Map<'add' | 'remove', VrrpError>();
  private isClosed = false;

  constructor(
    private readonly clock: Clock,
    interfaceNames: readonly string[] = ['eth0'],
  ) {
    for (const name of interfaceNames) this.interfaces.set(name, []);
  }

  /** The next `op` call rejects with `error` (once). */
  failNext(op: 'add' | 'remove', error: VrrpError): void {
    this.armedFailures.set(op, error);
  }

  /** Addresses on `interfaceName` as "a/len" texts, sorted, for assertions. */
  texts(interfaceName: string): string[] {
    return (this.interfaces.get(interfaceName) ?? []).map((a) => a.address.text).sort();
  }

  add(vip: VipAssignment, signal?: AbortSignal): Promise<AddOutcome> {
    return this.change('add', vip, signal, (list, index) => {
      if (index >= 0) return 'already-present';
      list.push({ address: vip.address, ...(vip.label === undefined ? {} : { label: vip.label }) });
      return 'added';
    });
  }

  remove(vip: VipAssignment, signal?: AbortSignal): Promise<RemoveOutcome> {
    return this.change('remove', vip, signal, (list, index) => {
      if (index < 0) return 'absent';
      list.splice(index, 1);
      return 'removed';
    });
  }

  list(interfaceName: string, signal?: AbortSignal): Promise<InterfaceAddress[]> {
    try {
      this.check(signal);
      return Promise.resolve([...this.addressesOf(interfaceName)]);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  close(): void {
    this.isClosed = true;
  }

  private change<T extends AddOutcome | RemoveOutcome>(
    op: 'add' | 'remove',
    vip: VipAssignment,
    signal: AbortSignal | undefined,
    apply: (list: InterfaceAddress[], index: number) => T,
  ): Promise<T> {
    const record = (outcome: AddressChangeRecord['outcome']): void => {
      this.history.push({ atMs: this.clock.now(), op, interfaceName: vip.interfaceName, address: vip.address.text, outcome });
    };
    try {
      this.check(signal);
      const armed = this.armedFailures.get(op);
      if (armed !== undefined) {
        this.armedFailures.delete(op);
        throw armed;
      }
      const list = this.addressesOf(vip.interfaceName);
      const index = list.findIndex((a) => ipEquals(a.address.address, vip.address.address) && a.address.prefixLength === vip.address.prefixLength);
      const outcome = apply(list, index);
      record(outcome);
      return Promise.resolve(outcome);
    } catch (e) {
      record('failed');
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private check(signal: AbortSignal | undefined): void {
    if (this.isClosed) throw new VrrpError('ERR_VRRP_CLOSED', 'address manager closed');
    throwIfAborted(signal, 'address change');
  }

  private addressesOf(interfaceName: string): InterfaceAddress[] {
    const list = this.interfaces.get(interfaceName);
    if (list === undefined) throw new VrrpError('ERR_VRRP_NO_SUCH_INTERFACE', `no interface ${interfaceName}`);
    return list;
  }
}
