// What the rate limiter may know of a client: a keyed hash of its address, with IPv6 cut to
// its /64 (one household or phone can hold a whole /64). Never stored with a report.
import crypto from "node:crypto";
import net from "node:net";

export function addressBucket(address: string): string {
  const unmapped = address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (!net.isIPv6(unmapped)) return unmapped;
  const [head, tail] = unmapped.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const full = tail === undefined ? headParts : [...headParts, ...Array(missing).fill("0"), ...tailParts];
  return `${full.slice(0, 4).map((part) => part.padStart(4, "0").toLowerCase()).join(":")}::/64`;
}

export function clientKey(key: Buffer, address: string): string {
  return crypto.createHmac("sha256", key).update(addressBucket(address)).digest("base64url").slice(0, 32);
}
