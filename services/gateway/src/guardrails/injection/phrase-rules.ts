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
 * Every slot stem in two maps (exact word → slot ids, prefix → slot ids), so classifying a word costs one
 * lookup per prefix length rather than one test per stem; each distinct word is classified once per text.
 */
let slotCount = 0;
const exactSlots = new Map<string, number[]>();
const prefixSlots = new Map<string, number[]>();
let maxPrefix = 0;
const COMPILED = PHRASE_RULES.map((rule) => ({
  rule,
  slots: rule.slots.map((slot) => {
    const id = slotCount++;
    for (const alt of slot.split("|")) {
      const [map, key] = alt.endsWith("*") ? [prefixSlots, alt.slice(0, -1)] : [exactSlots, alt];
      map.set(key, [...(map.get(key) ?? []), id]);
      if (alt.endsWith("*")) maxPrefix = Math.max(maxPrefix, key.length);
    }
    return id;
  }),
}));
function slotsOf(word: string): Set<number> {
  const out = new Set<number>(exactSlots.get(word) ?? []);
  for (let l = 1; l <= Math.min(maxPrefix, word.length); l++) for (const id of prefixSlots.get(word.slice(0, l)) ?? []) out.add(id);
  return out;
}

const WORD = /[\p{L}\p{N}'’\-]+/gu;

export interface PhraseHit {
  readonly family: string;
  readonly weight: number;
}

/** Best hit per family. Linear: each word starts at most one bounded look-ahead per rule. */
export function matchPhrases(normalized: string): PhraseHit[] {
  const words = normalized.match(WORD) ?? [];
  const memo = new Map<string, Set<number>>();
  const slots: Set<number>[] = words.map((w) => {
    let s = memo.get(w);
    if (!s) memo.set(w, (s = slotsOf(w)));
    return s;
  });
  const best = new Map<string, number>();
  for (const { rule, slots: ids } of COMPILED) {
    if ((best.get(rule.family) ?? 0) >= rule.weight) continue;
    const first = ids[0] as number;
    outer: for (let i = 0; i < words.length; i++) {
      if (!(slots[i] as Set<number>).has(first)) continue;
      let pos = i;
      for (let s = 1; s < ids.length; s++) {
        const id = ids[s] as number;
        let found = -1;
        for (let k = pos + 1; k <= pos + 1 + rule.gap && k < words.length; k++) {
          if ((slots[k] as Set<number>).has(id)) {
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
