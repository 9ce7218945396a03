/**
 * IPv4 CIDR arithmetic: parsing, overlap and Terraform's `cidrsubnet`, computed at synth time so subnet ranges
 * are plain values in the synthesized JSON (reviewable in a plan, checkable in tests). Hand-rolled because it is
 * thirty lines of bit arithmetic; the npm CIDR libraries would add a dependency for the same three functions.
 */
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** A parsed IPv4 network: the network address as an unsigned 32-bit number and the prefix length. */
export interface Ipv4Network {
  readonly network: number;
  readonly prefix: number;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "10.0.0.0/16"; undefined when it is not a valid IPv4 network (bad octet, prefix > 32, host bits set). */
export function parseCidr(cidr: string): Ipv4Network | undefined {
  const m = IPV4_CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  if ((address & maskOf(prefix)) >>> 0 !== address) return undefined; // "10.0.0.1/16" is not a network
  return { network: address, prefix };
}

/** Formats a parsed network back to CIDR notation. */
export function formatCidr({ network, prefix }: Ipv4Network): string {
  return `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}/${prefix}`;
}

/** True when two IPv4 CIDRs share any address; false when either is not a valid CIDR. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const mask = maskOf(Math.min(x.prefix, y.prefix));
  return (x.network & mask) >>> 0 === (y.network & mask) >>> 0;
}

/** Terraform's `cidrsubnet(base, newbits, netnum)`: the netnum-th subnet with newbits more prefix bits. */
export function cidrSubnet(base: string, newbits: number, netnum: number): string {
  const parsed = parseCidr(base);
  if (!parsed) throw new Error(`cidrSubnet: base (${base}) is not an IPv4 network in CIDR notation`);
  const prefix = parsed.prefix + newbits;
  if (!Number.isInteger(newbits) || newbits < 0 || prefix > 32) {
    throw new Error(`cidrSubnet: newbits (${newbits}) must keep the prefix of ${base} within /32`);
  }
  if (!Number.isInteger(netnum) || netnum < 0 || netnum >= 2 ** newbits) {
    throw new Error(`cidrSubnet: netnum (${netnum}) must be between 0 and ${2 ** newbits - 1} for ${newbits} new bits`);
  }
  const network = (parsed.network + netnum * 2 ** (32 - prefix)) >>> 0;
  return formatCidr({ network, prefix });
}

/** The subnets of one VPC: one private and one public subnet per availability zone. */
export interface SubnetLayout {
  /** Large subnets for nodes and pods (the VPC CNI gives every pod a VPC address). */
  readonly private: readonly string[];
  /** Small subnets for load balancers and NAT gateways. */
  readonly public: readonly string[];
}

/** Most availability zones a layout holds. */
export const MAX_LAYOUT_AZS = 4;

/**
 * Splits a VPC into eighths: private subnet i is eighth i (a /19 of a /16), the last eighth is split into
 * eighths again for the public subnets (a /22 of a /16). Eighths 4 to 6 stay free for later use.
 */
export function subnetLayout(vpcCidr: string, azCount: number): SubnetLayout {
  if (!Number.isInteger(azCount) || azCount < 1 || azCount > MAX_LAYOUT_AZS) {
    throw new Error(`azCount (${azCount}) must be between 1 and ${MAX_LAYOUT_AZS}`);
  }
  const azs = [...Array(azCount).keys()];
  const publicBlock = cidrSubnet(vpcCidr, 3, 7);
  return {
    private: azs.map((i) => cidrSubnet(vpcCidr, 3, i)),
    public: azs.map((i) => cidrSubnet(publicBlock, 3, i)),
  };
}
