import fc from "fast-check";
import { cidrSubnet, cidrsOverlap, formatCidr, parseCidr, subnetLayout } from "../../constructs/private/cidr";

/** Arbitrary VPC CIDRs as the environment schema allows them: /16 to /20 networks. */
const vpcCidr = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 16, max: 20 }))
  .map(([address, prefix]) => formatCidr({ network: (address & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0, prefix }));

describe("cidr arithmetic", () => {
  test("cidrSubnet matches Terraform's cidrsubnet on known values", () => {
    expect(cidrSubnet("10.0.0.0/16", 3, 0)).toBe("10.0.0.0/19");
    expect(cidrSubnet("10.0.0.0/16", 3, 7)).toBe("10.0.224.0/19");
    expect(cidrSubnet("10.0.224.0/19", 3, 2)).toBe("10.0.232.0/22");
    expect(cidrSubnet("172.16.0.0/20", 4, 15)).toBe("172.16.15.0/24");
  });

  test("cidrSubnet refuses what Terraform refuses", () => {
    expect(() => cidrSubnet("10.0.0.1/16", 3, 0)).toThrow("cidrSubnet: base (10.0.0.1/16) is not an IPv4 network in CIDR notation");
    expect(() => cidrSubnet("10.0.0.0/30", 3, 0)).toThrow("cidrSubnet: newbits (3) must keep the prefix of 10.0.0.0/30 within /32");
    expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow("cidrSubnet: netnum (8) must be between 0 and 7 for 3 new bits");
  });

  test("parse and format round-trip every network", () => {
    fc.assert(fc.property(vpcCidr, (c) => formatCidr(parseCidr(c)!) === c));
  });

  test("the subnet layout stays inside the VPC and no two subnets overlap, for every VPC and AZ count", () => {
    fc.assert(
      fc.property(vpcCidr, fc.integer({ min: 1, max: 4 }), (vpc, azs) => {
        const layout = subnetLayout(vpc, azs);
        const all = [...layout.private, ...layout.public];
        expect(layout.private).toHaveLength(azs);
        expect(layout.public).toHaveLength(azs);
        for (const [i, a] of all.entries()) {
          expect(cidrsOverlap(a, vpc)).toBe(true);
          expect(parseCidr(a)!.prefix).toBeGreaterThan(parseCidr(vpc)!.prefix);
          for (const b of all.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
        }
      }),
    );
  });

  test("private subnets are eighths of the VPC; public subnets share the last eighth", () => {
    expect(subnetLayout("10.30.0.0/16", 3)).toEqual({
      private: ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"],
      public: ["10.30.224.0/22", "10.30.228.0/22", "10.30.232.0/22"],
    });
  });

  test("overlap is symmetric and holds for a network and its subnets", () => {
    fc.assert(
      fc.property(vpcCidr, vpcCidr, (a, b) => cidrsOverlap(a, b) === cidrsOverlap(b, a)),
    );
    expect(cidrsOverlap("10.0.0.0/16", "10.0.128.0/17")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/16", "10.1.0.0/16")).toBe(false);
  });
});
