/**
 * VPC CIDR allocation: the lowest block of the requested size inside the supernet that overlaps none of the
 * CIDRs in use. Parsing and overlap reuse the environment schema's functions (the same rules fleet validation
 * applies); the search itself is a few lines of arithmetic on plain numbers (not 32-bit bitwise operators, which
 * would wrap above 2^31), so no CIDR library is needed.
 */
import { cidrsOverlap, parseCidr } from "../../stacks/environment-config";
import { EnvToolError } from "./errors";

function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The first address and the size of a CIDR, as plain numbers. */
function rangeOf(cidr: string): { start: number; size: number } {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new EnvToolError(`Not an IPv4 network in CIDR notation: "${cidr}"`);
  return { start: parsed.network, size: 2 ** (32 - parsed.prefix) };
}

/**
 * Allocates a /`prefixLength` block from `supernet` that overlaps none of `used` (invalid entries are ignored:
 * the schema reports them). Throws EnvToolError when the supernet has no free block of that size.
 */
export function allocateCidr(supernet: string, prefixLength: number, used: readonly string[]): string {
  const outer = rangeOf(supernet);
  const outerPrefix = parseCidr(supernet)!.prefix;
  if (!Number.isInteger(prefixLength) || prefixLength < outerPrefix || prefixLength > 32) {
    throw new EnvToolError(`Cannot allocate a /${prefixLength} from ${supernet}: expected a prefix length between ${outerPrefix} and 32`);
  }
  const size = 2 ** (32 - prefixLength);
  const taken = used.filter((c) => parseCidr(c) !== undefined).map(rangeOf);
  for (let start = outer.start; start + size <= outer.start + outer.size; ) {
    const candidate = `${formatIpv4(start)}/${prefixLength}`;
    const clash = taken.find((t) => t.start < start + size && start < t.start + t.size);
    if (!clash) {
      // Double-check with the schema's own overlap rule, the one synthesis applies.
      if (used.some((c) => cidrsOverlap(c, candidate))) throw new Error(`allocateCidr: ${candidate} overlaps a used CIDR`);
      return candidate;
    }
    // Jump past the clashing range, to the next block boundary.
    const next = Math.ceil((clash.start + clash.size) / size) * size;
    start = Math.max(next, start + size);
  }
  throw new EnvToolError(
    `No free /${prefixLength} left in the VPC supernet ${supernet}: all ${outer.size / size} blocks overlap existing environments or reserved ranges ` +
      `(${used.length} in use). Widen vpcSupernet or raise vpcPrefixLength in environments/_fleet.yaml, or pass --set network.vpcCidr=<free CIDR>`,
  );
}
