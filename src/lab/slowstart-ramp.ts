/**
 * What `ipvsadm -Ln` samples show of a slowstart ramp (issue 5's acceptance: a returning real server's
 * weight ramps). Pure: the lab samples, these read the samples.
 */
import type { IpvsListService } from './ipvsadm-stats.js';

/** One `ipvsadm -Ln` sample of a service: each destination's weight, by address as printed. */
export type WeightSample = Readonly<Record<string, number>>;

/** The weights of `service` ("TCP 192.0.2.50:80") in a parsed `ipvsadm -Ln`; empty when it is not listed. */
export function serviceWeights(services: readonly IpvsListService[], service: { readonly protocol: string; readonly address: string }): WeightSample {
  const found = services.find((s) => s.protocol === service.protocol && s.address === service.address);
  return Object.fromEntries((found?.destinations ?? []).map((d) => [d.address, d.weight]));
}

/** One destination's weight in each sample; 0 where a sample does not list it. */
export function weightsOf(samples: readonly WeightSample[], address: string): number[] {
  return samples.map((s) => s[address] ?? 0);
}

/**
 * A ramp was seen: the weights never go down, at least one lies strictly between 0 and the full
 * weight, and the last is the full weight.
 */
export function isRampObserved(weights: readonly number[], fullWeight: number): boolean {
  const isNonDecreasing = weights.every((w, i) => i === 0 || w >= (weights[i - 1] ?? 0));
  return isNonDecreasing && weights.some((w) => w > 0 && w < fullWeight) && weights.at(-1) === fullWeight;
}

/** Each of `addresses` was listed with `fullWeight` in every sample (and there was a sample). */
export function areWeightsSteady(samples: readonly WeightSample[], addresses: readonly string[], fullWeight: number): boolean {
  return samples.length > 0 && addresses.length > 0 && samples.every((s) => addresses.every((a) => s[a] === fullWeight));
}
