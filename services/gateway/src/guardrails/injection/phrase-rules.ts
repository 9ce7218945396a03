/**
 * Prompt-injection phrase families, matched over words (not raw regexes over text): each rule is a sequence of
 * word slots, each slot a set of word stems, the next slot looked for within `gap` words. Matching is one pass
 * over the words with a bounded look-ahead, so it is linear whatever the input. Families cover paraphrases
 * ("disregard the earlier guidance", "forget everything above") in English, German, French and Spanish.
 */

export interface PhraseRule {
  readonly family: string;
  readonly weight: number;
  /** Slots: alternatives separated by "|"; a trailing "*" is a prefix match. */
  readonly slots: readonly string[];
  /** Words allowed between consecutive slots. */
  readonly gap: number;
}

const IGNORE =
  "ignore*|disregard*|forget*|skip|override*|overrule*|bypass*|neglect*|abandon*|discard*|drop|erase|delete|cancel*|ditch|throw|scrap*|" +
  "vergiss|vergessen|ignorier*|missacht*|verwirf|übergeh*|" +
  "oublie*|ignorez|ignore|néglige*|" +
  "ignora*|olvida*|omite|omitir|descarta*|desestima*";
const PRIOR =
  "previous*|prior|above|earlier|preceding|former|initial|original|all|any|every|everything|existing|old|given|your|these|those|system|developer|" +
  "vorherig*|bisherig*|obig*|vorangegang*|alle*|sämtlich*|ursprünglich*|" +
  "précédent*|antérieur*|tout|toutes|tous|ci-dessus|initiale*|" +
  "anterior*|previa*|previo*|toda*|todo*|original*";
const RULES_OBJ =
  "instruction*|rule*|direction*|prompt*|guideline*|guidance|context|constraint*|command*|task*|order*|polic*|restriction*|programming|directive*|limitation*|safeguard*|filter*|training|assignment*|text|message*|said|" +
  "anweisung*|regel*|befehl*|vorgab*|aufgab*|richtlini*|einschränkung*|" +
  "consigne*|règle*|directive*|tâche*|" +
  "instruccion*|regla*|orden*|indicacion*|tarea*|directriz*|norma*";

export const PHRASE_RULES: readonly PhraseRule[] = [
  { family: "instruction_override", weight: 0.85, slots: [IGNORE, PRIOR, RULES_OBJ], gap: 4 },
  { family: "instruction_override", weight: 0.7, slots: [IGNORE, RULES_OBJ], gap: 3 },
  { family: "instruction_override", weight: 0.6, slots: [IGNORE, "everything|all|above|that|alles|tout|todo|before|bisher*|everything's"], gap: 1 },
  { family: "instruction_override", weight: 0.6, slots: ["do|don't|dont|stop", "not|follow*|obey*|listen*|comply*", "your|the|any|previous*|prior|system", RULES_OBJ], gap: 2 },
  { family: "instruction_override", weight: 0.5, slots: ["new|updated|real|actual|true|neue*|nouvelle*|nuevas|nuevo*", RULES_OBJ], gap: 1 },
  { family: "instruction_override", weight: 0.5, slots: ["now|jetzt|maintenant|ahora", "focus*|concentrat*|konzentrier*|concentre*|céntrate|enfócate", "new|neue*|nouvelle*|nueva*"], gap: 3 },
  { family: "role_play", weight: 0.35, slots: ["from|ab|à|a", "now|jetzt|sofort|partir|ahora"], gap: 1 },
  { family: "role_play", weight: 0.55, slots: ["you|du|tu|vous|tú", "are|bist|es|êtes|eres|will|act|behave|verhältst", "now|jetzt|maintenant|ahora|no|free|unrestricted|unfiltered|uncensored"], gap: 1 },
  { family: "role_play", weight: 0.35, slots: ["act|pretend|roleplay|role-play|simulate|imagine|behave|spiele|stell|agis|fais|finge|actúa|actua|imagina", "as|like|to|be|you're|you|dich|comme|como|que|semblant"], gap: 1 },
  { family: "role_play", weight: 0.75, slots: ["stay|remain|bleib*|reste*|permanece*|mantente", "in", "character|role|rolle|personnage|personaje"], gap: 1 },
  { family: "jailbreak", weight: 0.9, slots: ["do", "anything", "now"], gap: 0 },
  { family: "jailbreak", weight: 0.8, slots: ["dan|stan|dude|aim|mongo|jailbreak*|jailbroken|antigpt|betterdan|evil-bot|devmode|ucar|kevin"], gap: 0 },
  { family: "jailbreak", weight: 0.8, slots: ["developer|dev|god|debug|sudo|admin|unrestricted|opposite|evil|unfiltered", "mode|modus|mode"], gap: 0 },
  { family: "jailbreak", weight: 0.5, slots: ["no|without|free|ohne|sans|sin|zero|any", "restriction*|limit*|filter*|censor*|rules|ethic*|moral*|guideline*|boundar*|einschränkung*|regeln|grenzen|restrictions|límites|reglas|restricciones|filtros"], gap: 2 },
  { family: "jailbreak", weight: 0.65, slots: ["not|never|no|longer", "bound|restricted|limited|constrained|censored|filtered|obligated|required", "by|to"], gap: 1 },
  { family: "jailbreak", weight: 0.55, slots: ["unfiltered|uncensored|unrestricted|amoral|unethical|unaligned|uncensor*", "ai|chatbot|assistant|model|response*|answer*|version|mode|persona|llm|gpt|language"], gap: 2 },
  { family: "jailbreak", weight: 0.6, slots: ["broken|break|escaped|freed|liberated", "free|out|from|of", "the|your|their|typical|confines|openai|restrictions|rules|limitations|matrix"], gap: 2 },
  { family: "jailbreak", weight: 0.55, slots: ["openai|anthropic|content", "polic*|guidelines|rules|filter*"], gap: 1 },
  { family: "prompt_extraction", weight: 0.8, slots: ["reveal*|show*|print*|display*|repeat*|output*|leak*|dump*|expose*|spell|write|give|tell|share|list|paste|copy|recite|zeig*|gib|wiederhol*|nenne|verrat*|montre*|affiche*|répète*|révèle*|donne*|muestra*|revela*|repite*|dime|dame|imprime", "your|the|its|deine*|dein|ta|tes|vos|votre|tu|tus|su|sus|me|mir|moi", "system|initial|hidden|secret|original|first|previous|full|entire|exact|internal|underlying|confidential|geheim*|ursprünglich*|initiale*|secrète*|secreta*|inicial*|above", "prompt*|instruction*|message*|rules|password|context|configuration|directive*|text|anweisung*|passwort|consigne*|mot|instruccion*|contraseña|indicaciones"], gap: 2 },
  { family: "prompt_extraction", weight: 0.7, slots: ["what|which|was|wie|quelles|quelle|cuáles|cuales|qué|que", "are|were|is|was|lautet|lauten|sont|étaient|son|eran|es|fueron|waren|sind|ist", "your|the|deine*|dein|die|tes|vos|tus|sus", "system|initial|original|first|secret|hidden|erste*|ursprünglich*|initiales|primeras|iniciales|instruction*|prompt*|anweisung*|consigne*|instrucciones", "prompt*|instruction*|rules|message*|password|anweisung*|consigne*|instrucciones|secret"], gap: 1 },
  { family: "prompt_extraction", weight: 0.45, slots: ["system|initial|hidden|secret|original|systemprompt|pre-prompt|preprompt", "prompt*|instruction*|message|password"], gap: 0 },
  { family: "prompt_extraction", weight: 0.45, slots: ["everything|all|text|words|alles|tout|todo", "above|before|preceding|oben|davor|ci-dessus|avant|anterior|arriba"], gap: 2 },
  { family: "prompt_extraction", weight: 0.25, slots: ["password|passwort|mot|contraseña|secret|geheimnis|secreto"], gap: 0 },
];

/**
 * Every slot stem in two structures: exact word → slot ids (a Map) and prefix stems in a character trie, so
 * classifying a word is one map lookup plus a walk of at most a few trie nodes (no substrings allocated; most
 * words leave the trie at their first or second letter). Hand-rolled: a trie of ~100 stems is a dozen lines,
 * and a library would add a dependency for it.
 */
interface TrieNode {
  readonly next: Map<number, TrieNode>;
  /** Slot ids of the stems ending here. */
  ids: number[];
}
let slotCount = 0;
const exactSlots = new Map<string, number[]>();
const trie: TrieNode = { next: new Map(), ids: [] };
const COMPILED = PHRASE_RULES.map((rule) => ({
  rule,
  slots: rule.slots.map((slot) => {
    const id = slotCount++;
    for (const alt of slot.split("|")) {
      if (!alt.endsWith("*")) {
        exactSlots.set(alt, [...(exactSlots.get(alt) ?? []), id]);
        continue;
      }
      let node = trie;
      for (const ch of alt.slice(0, -1)) {
        const code = ch.charCodeAt(0);
        let child = node.next.get(code);
        if (!child) node.next.set(code, (child = { next: new Map(), ids: [] }));
        node = child;
      }
      node.ids.push(id);
    }
    return id;
  }),
}));
/** Slot-id bitsets are WORDS32 32-bit words per text word. */
const WORDS32 = Math.ceil(slotCount / 32);

/** Sets the bits of `word`'s slot ids at `bits[at..at+WORDS32)`; true when it has any. */
function markSlots(word: string, bits: Int32Array, at: number): boolean {
  let any = false;
  for (const id of exactSlots.get(word) ?? NONE) {
    bits[at + (id >> 5)] = (bits[at + (id >> 5)] as number) | (1 << (id & 31));
    any = true;
  }
  let node: TrieNode | undefined = trie;
  for (let i = 0; i < word.length && node; i++) {
    node = node.next.get(word.charCodeAt(i));
    if (!node) break;
    for (const id of node.ids) {
      bits[at + (id >> 5)] = (bits[at + (id >> 5)] as number) | (1 << (id & 31));
      any = true;
    }
  }
  return any;
}
const NONE: readonly number[] = [];

const WORD = /[\p{L}\p{N}'’\-]+/gu;

export interface PhraseHit {
  readonly family: string;
  readonly weight: number;
}

/** Reused across calls (matching is synchronous), grown on demand. */
let scratch = new Int32Array(256 * WORDS32);

/** Best hit per family. Linear: each word with a slot starts at most one bounded look-ahead per rule. */
export function matchPhrases(normalized: string): PhraseHit[] {
  const words = normalized.match(WORD) ?? [];
  if (scratch.length < words.length * WORDS32) scratch = new Int32Array(words.length * WORDS32 * 2);
  const bits = scratch;
  bits.fill(0, 0, words.length * WORDS32);
  const has = (k: number, id: number): boolean => ((bits[k * WORDS32 + (id >> 5)] as number) & (1 << (id & 31))) !== 0;
  /** Positions of words with at least one slot: only they can start a rule. */
  const starts: number[] = [];
  for (let i = 0; i < words.length; i++) if (markSlots(words[i] as string, bits, i * WORDS32)) starts.push(i);
  const best = new Map<string, number>();
  if (starts.length === 0) return [];
  for (const { rule, slots: ids } of COMPILED) {
    if ((best.get(rule.family) ?? 0) >= rule.weight) continue;
    const first = ids[0] as number;
    outer: for (const i of starts) {
      if (!has(i, first)) continue;
      let pos = i;
      for (let s = 1; s < ids.length; s++) {
        const id = ids[s] as number;
        let found = -1;
        for (let k = pos + 1; k <= pos + 1 + rule.gap && k < words.length; k++) {
          if (has(k, id)) {
            found = k;
            break;
          }
        }
        if (found < 0) continue outer;
        pos = found;
      }
      best.set(rule.family, rule.weight);
      break;
    }
  }
  return [...best].map(([family, weight]) => ({ family, weight }));
}
