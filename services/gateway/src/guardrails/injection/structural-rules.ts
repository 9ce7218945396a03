/**
 * Structural injection markers: fake system or assistant turns, chat-template tokens (ChatML, Llama [INST] and
 * <<SYS>>), markdown or XML "system" headers, and "end of user input" delimiters. Each regex is anchored or
 * literal with bounded classes (no nested quantifiers), so matching is linear.
 */
export interface StructuralRule {
  readonly family: string;
  readonly weight: number;
  readonly pattern: RegExp;
}

export const STRUCTURAL_RULES: readonly StructuralRule[] = [
  { family: "fake_system_message", weight: 0.7, pattern: /(?:^|\n)[ \t>*#\[]{0,4}(?:system|assistant|developer|admin|root|sysadmin|operator)[ \t\]*]{0,3}(?:message|prompt|note|override|instruction)?[ \t]{0,2}:/ },
  { family: "fake_system_message", weight: 0.8, pattern: /<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id)\|?>/ },
  { family: "fake_system_message", weight: 0.75, pattern: /\[\/?(?:inst|sys|system)\]|<<\/?sys>>/ },
  { family: "fake_system_message", weight: 0.65, pattern: /<\/?(?:system|instructions?|admin|developer)(?:[ \t][^>\n]{0,40})?>/ },
  { family: "delimiter", weight: 0.6, pattern: /(?:^|\n)[ \t]{0,3}#{1,6}[ \t]{0,3}(?:new |updated |system |admin )?(?:system|instructions?|prompt|rules)\b/ },
  { family: "delimiter", weight: 0.6, pattern: /[\-=#*\[<]{2,8}[ \t]{0,2}(?:end|ende|fin)[ \t_\-]{0,2}(?:of[ \t]{1,2})?(?:the[ \t]{1,2})?(?:user[ \t_\-]{0,2})?(?:input|prompt|text|document|context|instructions)/ },
  { family: "delimiter", weight: 0.6, pattern: /(?:end|ende|fin)[ \t_\-]{0,2}(?:of[ \t]{1,2})?(?:the[ \t]{1,2})?(?:user[ \t_\-]{0,2})?(?:input|prompt|text|document|context|instructions)[ \t]{0,2}[\-=#*\]>]{2,8}/ },
  { family: "delimiter", weight: 0.5, pattern: /[=\-#*]{4,8}[ \t]{0,3}(?:begin|start|new)[ \t]{1,3}(?:system|instructions?|prompt)/ },
];

export function matchStructural(normalized: string): { family: string; weight: number }[] {
  const out: { family: string; weight: number }[] = [];
  for (const r of STRUCTURAL_RULES) if (r.pattern.test(normalized)) out.push({ family: r.family, weight: r.weight });
  return out;
}
