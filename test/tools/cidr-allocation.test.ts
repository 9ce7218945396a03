import fc from "fast-check";
import { cidrsOverlap, parseCidr } from "../../stacks/environment-config";
import { allocateCidr } from "../../tools/env/cidr-allocation";

describe("allocateCidr", () => {
  test("returns the lowest free block of the requested size", () => {
    expect(allocateCidr("10.0.0.0/8", 16, [])).toBe("10.0.0.0/16");
    expect(allocateCidr("10.0.0.0/8", 16, ["10.0.0.0/16", "10.1.0.0/16", "10.3.0.0/16"])).toBe("10.2.0.0/16");
    expect(allocateCidr("10.64.0.0/10", 20, ["10.64.0.0/20"])).toBe("10.64.16.0/20");
  });

  test("jumps past a used range larger than a block, to the next aligned block", () => {
    expect(allocateCidr("10.0.0.0/8", 16, ["10.0.0.0/12"])).toBe("10.16.0.0/16");
    // A used range smaller than a block still blocks the whole block it sits in.
    expect(allocateCidr("10.0.0.0/8", 16, ["10.0.128.0/24"])).toBe("10.1.0.0/16");
  });

  test("works at the top of the address space (no 32-bit sign wrap)", () => {
    expect(allocateCidr("192.168.0.0/16", 17, ["192.168.0.0/17"])).toBe("192.168.128.0/17");
    expect(allocateCidr("240.0.0.0/4", 16, ["240.0.0.0/5"])).toBe("248.0.0.0/16");
  });

  test("ignores used CIDRs outside the supernet and malformed ones", () => {
    expect(allocateCidr("10.20.0.0/15", 16, ["172.16.0.0/12", "not-a-cidr", "10.20.0.0/16"])).toBe("10.21.0.0/16");
  });

  test("an exhausted supernet names the supernet, the size and what to change", () => {
    expect(() => allocateCidr("10.20.0.0/15", 16, ["10.20.0.0/16", "10.21.0.0/16"])).toThrow(
      "No free /16 left in the VPC supernet 10.20.0.0/15: all 2 blocks overlap existing environments or reserved ranges (2 in use). " +
        "Widen vpcSupernet or raise vpcPrefixLength in environments/_fleet.yaml, or pass --set network.vpcCidr=<free CIDR>",
    );
  });

  test("a prefix shorter than the supernet's is refused", () => {
    expect(() => allocateCidr("10.0.0.0/16", 8, [])).toThrow("Cannot allocate a /8 from 10.0.0.0/16: expected a prefix length between 16 and 32");
  });

  test("property: the block is inside the supernet, aligned, and overlaps nothing in use; exhaustion only when full", () => {
    const cidr = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 12, max: 24 }))
      .map(([b, c, prefix]) => {
        const address = (10 * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8) - ((10 * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8) % 2 ** (32 - prefix));
        return `${Math.floor(address / 2 ** 24)}.${Math.floor(address / 2 ** 16) % 256}.${Math.floor(address / 2 ** 8) % 256}.0/${prefix}`;
      });
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 40 }), fc.integer({ min: 14, max: 20 }), (used, prefix) => {
        const supernet = "10.0.0.0/12";
        let got: string;
        try {
          got = allocateCidr(supernet, prefix, used);
        } catch (e) {
          // Exhaustion must be real: every block of the supernet overlaps something in use.
          const blocks = 2 ** (prefix - 12);
          for (let i = 0; i < blocks; i++) {
            const start = 10 * 2 ** 24 + i * 2 ** (32 - prefix);
            const block = `10.${Math.floor(start / 2 ** 16) % 256}.${Math.floor(start / 2 ** 8) % 256}.0/${prefix}`;
            expect(used.some((u) => cidrsOverlap(u, block))).toBe(true);
          }
          return;
        }
        const parsed = parseCidr(got);
        expect(parsed?.prefix).toBe(prefix);
        expect(cidrsOverlap(got, supernet)).toBe(true);
        expect(parseCidr(supernet)!.prefix).toBeLessThanOrEqual(prefix);
        for (const u of used) expect(cidrsOverlap(got, u)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
