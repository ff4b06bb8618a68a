/**
 * A working in-memory RealServerHost for tests: sysctls, devices with their state and addresses,
 * and modules that create devices when loaded (ipip -> tunl0, with conf/default's sysctls, as the
 * kernel does). Every change is recorded in `operations`; `failOn` makes one operation fail.
 */
import { ipEquals, type IpAddress, type IpPrefix } from '../core/ip.js';
import { RealServerError } from './realserver-error.js';
import type { RealServerHost } from './realserver-host.js';
import type { DeviceObservation } from './realserver-plan.js';

interface Device {
  isUp: boolean;
  addresses: IpPrefix[];
}

export interface MemoryRealServerHostOptions {
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Device name -> up? Default: lo (up) and eth0 (up). */
  readonly devices?: Readonly<Record<string, boolean>>;
  /** Module -> the device it creates. Default: ipip -> tunl0. */
  readonly modules?: Readonly<Record<string, string>>;
}

/** The conf keys a new device copies from conf/default. */
const CONF_KEYS = ['arp_ignore', 'arp_announce', 'rp_filter'];

export class MemoryRealServerHost implements RealServerHost {
  readonly sysctls = new Map<string, string>();
  readonly devices = new Map<string, Device>();
  readonly loadedModules = new Set<string>();
  readonly operations: string[] = [];
  /** An operation text (as in `operations`) that throws ERR_REALSERVER_KERNEL instead. */
  failOn: string | undefined;
  private readonly modules: Readonly<Record<string, string>>;

  constructor(options: MemoryRealServerHostOptions = {}) {
    this.modules = options.modules ?? { ipip: 'tunl0' };
    for (const key of CONF_KEYS) this.sysctls.set(`net/ipv4/conf/default/${key}`, '0');
    for (const key of CONF_KEYS) this.sysctls.set(`net/ipv4/conf/all/${key}`, '0');
    for (const [name, isUp] of Object.entries(options.devices ?? { lo: true, eth0: true })) this.createDevice(name, isUp);
    for (const [name, value] of Object.entries(options.sysctls ?? {})) this.sysctls.set(name, value);
  }

  readSysctl(name: string): Promise<string | undefined> {
    return Promise.resolve(this.sysctls.get(name));
  }

  writeSysctl(name: string, value: string): Promise<void> {
    return this.change(`sysctl ${name}=${value}`, () => {
      if (!this.sysctls.has(name)) throw new RealServerError('ERR_REALSERVER_KERNEL', `cannot set ${name}: ENOENT`);
      this.sysctls.set(name, value);
    });
  }

  readDevice(device: string): Promise<DeviceObservation | undefined> {
    const d = this.devices.get(device);
    return Promise.resolve(d === undefined ? undefined : { isUp: d.isUp, addresses: [...d.addresses] });
  }

  findAddress(address: IpAddress): Promise<{ device: string; address: IpPrefix }[]> {
    const found = [...this.devices].flatMap(([device, d]) => d.addresses.filter((a) => ipEquals(a.address, address)).map((a) => ({ device, address: a })));
    return Promise.resolve(found);
  }

  setLinkUp(device: string, isUp: boolean): Promise<void> {
    return this.change(`link ${device} ${isUp ? 'up' : 'down'}`, () => {
      this.device(device).isUp = isUp;
    });
  }

  addAddress(device: string, address: IpPrefix): Promise<void> {
    return this.change(`address add ${address.text} dev ${device}`, () => {
      const d = this.device(device);
      if (!d.addresses.some((a) => a.text === address.text)) d.addresses.push(address);
    });
  }

  removeAddress(device: string, address: IpPrefix): Promise<void> {
    return this.change(`address del ${address.text} dev ${device}`, () => {
      const d = this.device(device);
      d.addresses = d.addresses.filter((a) => a.text !== address.text);
    });
  }

  loadModule(name: string): Promise<void> {
    return this.change(`modprobe ${name}`, () => {
      const created = this.modules[name];
      if (created === undefined) throw new RealServerError('ERR_REALSERVER_KERNEL', `modprobe ${name}: module not found`);
      if (this.loadedModules.has(name)) return;
      this.loadedModules.add(name);
      if (!this.devices.has(created)) this.createDevice(created, false);
    });
  }

  close(): void {
    // nothing to release
  }

  private createDevice(name: string, isUp: boolean): void {
    this.devices.set(name, { isUp, addresses: [] });
    for (const key of CONF_KEYS) this.sysctls.set(`net/ipv4/conf/${name}/${key}`, this.sysctls.get(`net/ipv4/conf/default/${key}`) ?? '0');
  }

  private device(name: string): Device {
    const d = this.devices.get(name);
    if (d === undefined) throw new RealServerError('ERR_REALSERVER_KERNEL', `no device ${name}: ENODEV`);
    return d;
  }

  private async change(text: string, apply: () => void): Promise<void> {
    await Promise.resolve(); // asynchronous like the kernel: a throw becomes a rejection
    if (this.failOn === text) throw new RealServerError('ERR_REALSERVER_KERNEL', `${text}: injected failure`);
    apply();
    this.operations.push(text);
  }
}
