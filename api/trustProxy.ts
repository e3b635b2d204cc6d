import { isIP } from 'node:net';

/** express `trust proxy`: false, a hop count, or addresses/CIDRs/named ranges */
export type TrustProxy = false | number | string[];

// express (proxy-addr) knows these names; anything wider ("true", "*") would believe any client.
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length || !address || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
  const version = isIP(address);
  return version !== 0 && Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: unset or `false` — the socket's address is the client's and `X-Forwarded-For` is
 * ignored; `loopback` (or linklocal, uniquelocal), addresses and CIDRs, comma-separated — the proxies
 * whose word is believed; a number — that many proxy hops in front. Returns `undefined` for a value
 * it cannot read, so the caller can name the variable in its error.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  if (value === undefined || /^(false|off|no|0)$/i.test(value)) return false;
  if (/^[1-9][0-9]?$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim().toLowerCase());
  const readable = entries.every((entry) => NAMED.has(entry) || isIP(entry) !== 0 || isCidr(entry));
  return readable && entries.length > 0 ? entries : undefined;
}
