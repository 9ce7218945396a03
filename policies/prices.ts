/** The price table kept in the repository (policies/data/prices.json), validated when loaded. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PolicyInputError } from "./errors";

const priceTableSchema = z.strictObject({
  takenOn: z.iso.date(),
  region: z.string().min(1),
  currency: z.literal("USD"),
  hoursPerMonth: z.number().positive(),
  source: z.string().min(1),
  ec2: z.record(z.string(), z.strictObject({ onDemandMonthly: z.number().nonnegative(), spotMonthly: z.number().nonnegative() })),
  elasticache: z.record(z.string(), z.strictObject({ onDemandMonthly: z.number().nonnegative() })),
});

export type PriceTable = z.infer<typeof priceTableSchema>;

export const DEFAULT_PRICES_FILE = join(__dirname, "data", "prices.json");

/** Loads and validates a price table; a broken table is bad input naming the field. */
export function loadPrices(file: string = DEFAULT_PRICES_FILE): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new PolicyInputError(`${file}: cannot read the price table: ${(err as Error).message}`);
  }
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyInputError(`${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** "$23,924.00" with an explicit sign when asked. */
export function formatUsd(amount: number, signed = false): string {
  const abs = Math.abs(amount).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const sign = amount < 0 ? "-" : signed ? "+" : "";
  return `${sign}$${abs}`;
}
