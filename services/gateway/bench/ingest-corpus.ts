/**
 * The benchmark's synthetic documents: Markdown with 12 sections of prose (~12 chunks at the default 350-token
 * chunking), words drawn from a vocabulary by the document's number so documents differ.
 */
const vocabulary =
  "policy refund employees vacation deploy pipeline customer invoice contract security incident backup region latency quota release onboarding payroll laptop network firewall database replica shard tenant account password rotation audit compliance retention archive".split(" ");

function paragraph(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(vocabulary[(seed * 7 + i * 13 + ((seed * i) % 5)) % vocabulary.length] as string);
  return out.join(" ").replace(/(\w+(?: \w+){10})/g, "$1.") + ".";
}

/** Document number n. */
export function syntheticDocument(n: number): { id: string; text: string; metadata: { groups: string[]; title: string; source: string } } {
  const text = Array.from({ length: 12 }, (_, s) => `## Section ${s}\n\n${paragraph(n + s, 150)}\n\n${paragraph(n * 3 + s + 1, 110)}`).join("\n\n");
  return { id: `doc-${n}`, text: `# Document ${n}\n\n${text}`, metadata: { groups: ["staff"], title: `Document ${n}`, source: `docs/doc-${n}.md` } };
}
