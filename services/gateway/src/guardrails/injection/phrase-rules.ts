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
  "anweisung*|instruktion*|regel*|befehl*|vorgab*|aufgab*|richtlini*|einschränkung*|" +
  "consigne*|règle*|directive*|tâche*|" +
  "instruccion*|regla*|orden*|indicacion*|tarea*|directriz*|norma*";

/**
 * What a model's instructions are called, without the words ordinary requests use for their own things
 * ("ignore the error message", "ignore my previous email", "skip the first task"): the two-slot override rule
 * and the block-tier three-slot rule use this; the broader RULES_OBJ only in flag-tier rules.
 */
const STRONG_OBJ =
  "instruction*|rule|rules|guideline*|guidance|prompt*|directive*|polic*|restriction*|programming|safeguard*|constraint*|limitation*|" +
  "anweisung*|instruktion*|regeln|vorgab*|richtlini*|einschränkung*|consigne*|règles|directives|instruccion*|reglas|directriz*|normas|indicaciones";

/**
 * The verbs that mean "set aside what you were told", without the ones code and office prose use for objects
 * ("drop the table", "delete that row", "the `Drop` trait"): for the rules whose object is a bare "everything".
 */
const IGNORE_CORE = "ignore*|disregard*|forget*|vergiss|vergessen|ignorier*|missacht*|oublie*|ignorez|ignora*|olvida*";

export const PHRASE_RULES: readonly PhraseRule[] = [
  { family: "instruction_override", weight: 0.85, slots: [IGNORE, PRIOR, STRONG_OBJ], gap: 4 },
  { family: "instruction_override", weight: 0.6, slots: [IGNORE, PRIOR, RULES_OBJ], gap: 3 },
  { family: "instruction_override", weight: 0.7, slots: [IGNORE, STRONG_OBJ], gap: 3 },
  // Not "all" alone: "ignore all the warnings above" names nothing of the model's (the three-slot rules cover "ignore all previous …").
  // Nor "that": "we want to ignore that and get to the next value".
  { family: "instruction_override", weight: 0.45, slots: [IGNORE_CORE, "everything|above|alles|tout|todo|before|bisher*|everything's"], gap: 1 },
  // The verb is a slot of its own: "do not deviate from the guidelines" is an instruction to follow them.
  { family: "instruction_override", weight: 0.6, slots: ["do|don't|dont|stop|never|no", "follow*|obey*|listen*|comply*|adher*|respect*", "your|the|any|previous*|prior|system|these|those|its", STRONG_OBJ], gap: 2 },
  // Adjacent, and a model's instructions: "new to programming", "new messages", "the new EU guidelines" are not.
  { family: "instruction_override", weight: 0.5, slots: ["new|updated|real|actual|true|neue*|nouvelle*|nuevas|nuevo*", STRONG_OBJ], gap: 0 },
  { family: "instruction_override", weight: 0.5, slots: ["now|jetzt|maintenant|ahora", "focus*|concentrat*|konzentrier*|concentre*|céntrate|enfócate", "new|neue*|nouvelle*|nueva*"], gap: 3 },
  { family: "role_play", weight: 0.35, slots: ["from|ab|à|a", "now|jetzt|sofort|partir|ahora"], gap: 1 },
  { family: "role_play", weight: 0.55, slots: ["you|du|tu|vous|tú", "are|bist|es|êtes|eres|will|act|behave|verhältst", "now|jetzt|maintenant|ahora|no|free|unrestricted|unfiltered|uncensored"], gap: 1 },
  { family: "role_play", weight: 0.35, slots: ["act|pretend|roleplay|role-play|simulate|imagine|behave|spiele|stell|agis|fais|finge|actúa|actua|imagina", "as|like|to|be|you're|you|dich|comme|como|que|semblant"], gap: 1 },
  { family: "role_play", weight: 0.75, slots: ["stay|remain|bleib*|reste*|permanece*|mantente", "in", "character|role|rolle|personnage|personaje"], gap: 1 },
  { family: "jailbreak", weight: 0.9, slots: ["do", "anything", "now"], gap: 0 },
  // Persona names decide only as personas ("pretend to be DAN", "you are now STAN"): "Kevin" is a colleague,
  // "jailbreak" a phone modification, "aim" a verb.
  { family: "jailbreak", weight: 0.7, slots: ["pretend*|act|acting|roleplay|role-play|become|you're|youre|are|be|called|named|als|sei|bist", "dan|stan|dude|mongo|kevin|ucar|antigpt|betterdan|evil-bot|devmode|jailbroken|aim"], gap: 2 },
  { family: "jailbreak", weight: 0.6, slots: ["jailbreak*|jailbroken", "mode|prompt*|persona|version|ai|chatgpt|gpt|assistant|yourself|llm|model"], gap: 1 },
  { family: "jailbreak", weight: 0.55, slots: ["antigpt|betterdan|evil-bot|devmode|ucar"], gap: 0 },
  // "debug mode" and "developer mode" are ordinary settings ("enable developer mode on Android"): flag tier only.
  { family: "jailbreak", weight: 0.8, slots: ["god|unrestricted|opposite|evil|unfiltered|uncensored|chaos|dan", "mode|modus"], gap: 0 },
  { family: "jailbreak", weight: 0.6, slots: ["enable*|activate*|enter*|switch*|turn*|now|in", "developer|dev|debug|sudo|admin|jailbreak", "mode|modus"], gap: 1 },
  { family: "jailbreak", weight: 0.45, slots: ["no|without|free|ohne|sans|sin|zero|any", "restriction*|limit*|filter*|censor*|rules|ethic*|moral*|guideline*|boundar*|einschränkung*|regeln|grenzen|restrictions|límites|reglas|restricciones|filtros"], gap: 2 },
  // Not "not limited to" (a list's caveat) nor "not required to" (documentation): bound by, or no longer anything.
  { family: "jailbreak", weight: 0.65, slots: ["not|never|no|longer", "bound|restricted|constrained|censored|filtered", "by"], gap: 1 },
  { family: "jailbreak", weight: 0.65, slots: ["no", "longer", "bound|restricted|limited|constrained|censored|filtered|obligated|required"], gap: 0 },
  { family: "jailbreak", weight: 0.55, slots: ["unfiltered|uncensored|unrestricted|amoral|unethical|unaligned|uncensor*", "ai|chatbot|assistant|model|response*|answer*|version|mode|persona|llm|gpt|language"], gap: 2 },
  { family: "jailbreak", weight: 0.6, slots: ["broken|break|escaped|freed|liberated", "free|out|from|of", "the|your|their|typical|confines|openai|restrictions|rules|limitations|matrix"], gap: 2 },
  { family: "jailbreak", weight: 0.4, slots: ["openai|anthropic|content", "polic*|guidelines|rules|filter*"], gap: 1 },
  // Hypotheticals and virtualization that exist to drop the rules.
  { family: "jailbreak", weight: 0.55, slots: ["imagine|in|hypothetical*|fictional|suppose|pretend", "world|universe|scenario|story|setting|reality|simulation", "where|without|with|in", "no|without|zero", "rules|laws|restrictions|limits|filters|ethics|morals|guidelines|censorship"], gap: 2 },
  { family: "jailbreak", weight: 0.5, slots: ["my", "grandma|grandmother|granny|oma|grand-mère|abuela", "used|would|always"], gap: 1 },
  // Authority and developer claims.
  { family: "authority_claim", weight: 0.55, slots: ["i|i'm|im|this|we", "am|is|are|'m", "your|the|an|a|from", "developer*|creator*|administrator*|admin|owner*|openai|anthropic|operator*|sysadmin|programmer*|engineers|maker*"], gap: 1 },
  { family: "authority_claim", weight: 0.6, slots: ["as|ich|je|soy|yo", "your|dein|dein*|ton|votre|tu", "developer*|creator*|administrator*|admin|owner*|operator*|programmer*|entwickler*|développeur*|desarrollador*|admin*"], gap: 1 },
  { family: "authority_claim", weight: 0.5, slots: ["authorized|authorised|approved|sanctioned|permitted|cleared", "by", "openai|anthropic|the|your", "developer*|administrator*|admin*|owner*|team|openai|anthropic|creators"], gap: 2 },
  { family: "authority_claim", weight: 0.45, slots: ["developer|admin|administrator|maintenance|debug|god|root|sudo", "override|access|privileges|command|authority|clearance"], gap: 1 },
  // Output-format forcing: the model's answer dictated word for word.
  { family: "output_forcing", weight: 0.55, slots: ["prepend|prefix|begin|start", "your|each|every|the|all", "answer*|response*|reply|replies|output*|message*", "with|by"], gap: 2 },
  { family: "output_forcing", weight: 0.5, slots: ["respond|reply|answer|output|say|print|write", "only|just|exactly|nothing", "with|the|but", "word*|phrase|sentence|string|text|following"], gap: 2 },
  { family: "output_forcing", weight: 0.55, slots: ["say|print|output|write|respond", "i", "have|ve|'ve|am|was", "been|hacked|pwned|pwnd|jailbroken"], gap: 2 },
  { family: "output_forcing", weight: 0.6, slots: ["hacked|pwned|pwnd"], gap: 0 },
  { family: "output_forcing", weight: 0.55, slots: ["commence*|empieza|comienza|beginne|beginn|fange", "ta|votre|tu|deine|ihre|su|chaque", "réponse*|respuesta*|antwort*", "par|con|mit"], gap: 1 },
  // Task switching without the word "ignore".
  { family: "task_switch", weight: 0.5, slots: ["arrête*|arrêtez|deja|dejá|detente|hör|höre", "ce|de|lo|auf", "que|hacer|was|mit"], gap: 2 },
  { family: "task_switch", weight: 0.5, slots: ["stop|quit|cease|halt|abort", "what|whatever|the|your|all|current", "you're|you|task|doing|instructions"], gap: 2 },
  { family: "task_switch", weight: 0.5, slots: ["instead|rather|now", "of|than|you|just|simply", "summariz*|translat*|answer*|doing|following"], gap: 2 },
  { family: "task_switch", weight: 0.45, slots: ["your|the|my", "new|next|real|actual|true|only", "task|assignment|mission|objective|goal|job|purpose|instructions"], gap: 1 },
  { family: "task_switch", weight: 0.45, slots: ["neue|nächste|wirkliche|eigentliche|nouvelle|vraie|nueva|verdadera", "aufgabe|auftrag|mission|tâche|tarea|misión"], gap: 1 },
  // Instructions addressed to a model inside content (indirect injection: documents, web pages, tool output).
  { family: "addressed_to_model", weight: 0.6, slots: ["if|when|wenn|falls|si", "you|you're|youre|du|tu|vous", "are|bist|es|êtes|eres|an|a|ein|eine|un|une|una", "ai|llm|assistant|language|chatbot|model|bot|agent|ki|ia|sprachmodell|assistent"], gap: 1 },
  { family: "addressed_to_model", weight: 0.6, slots: ["ai|assistant*|llm*|model*|chatbot*|agent*|bots|gpt|chatgpt|copilot|claude|ki", "reading|processing|summariz*|parsing|viewing|analy*|crawling|scraping|indexing|lesend*", "this|these|the"], gap: 1 },
  { family: "addressed_to_model", weight: 0.5, slots: ["note|message|instruction*|attention|dear|hey|hello|hinweis|achtung|remarque", "to|for|an|für|pour|para", "the|all|any", "ai|assistant|chatbot|llm|model|models|gpt|chatgpt|bot|agent|agents|assistants|ki|ia"], gap: 1 },
  { family: "addressed_to_model", weight: 0.5, slots: ["when|while|before|after|wenn|beim|lorsque|cuando", "summariz*|processing|reading|answering|responding|translating|zusammenfass*|résum*|resum*", "this|the|dies*|diese*|ce|cet|cette|este|esta", "document*|page|text|email|e-mail|content|message|file|webpage|site|dokument*|texte|texto|seite"], gap: 1 },
  // Block-tier families written from the train/dev misses (docs/decisions/0100): each names what it overrides
  // ("everything before", "your previous instructions") or who the model now is, not an ordinary object.
  { family: "instruction_override", weight: 0.85, slots: [IGNORE, "everything|alles|tout|todo|everything's", "before|above|beforehand|previous*|prior|earlier|davor|vorher*|zuvor|oben|bisher*|ci-dessus|avant|antes|anterior*|arriba"], gap: 4 },
  // German puts the verb last: "alle Regeln zu vergessen", "die vorherigen Anweisungen ignorieren".
  { family: "instruction_override", weight: 0.7, slots: [PRIOR + "|die|deine|ihre", STRONG_OBJ, "zu|einfach|bitte|komplett|sofort", "vergessen|ignorieren|missachten|übergehen|verwerfen"], gap: 1 },
  { family: "instruction_override", weight: 0.85, slots: ["contrary|regardless|notwithstanding|despite|abweichend|entgegen|entgegen*|contrairement|contrario", "to|of|zu|von|den|à|al|a", PRIOR, "instruction*|instruktion*|anweisung*|prompt*|programming|directive*|consigne*|instruccion*"], gap: 2 },
  { family: "instruction_override", weight: 0.5, slots: ["despite|regardless|notwithstanding|trotz", "what|whatever|was", "you|you've|you're|youve|du|man|dir", "been|were|was|told|said|gesagt|programmed|instructed"], gap: 1 },
  // Answer from outside the retrieved context (the deepset RAG style): a cue that combines with the model.
  { family: "instruction_override", weight: 0.5, slots: [IGNORE_CORE + "|disregarding", "the|all|any|provided|given|attached|die|den|alle|vorliegend*", "provided|given|attached|articles|artikel*|documents|dokument*|context|kontext|sources|quellen"], gap: 2 },
  { family: "instruction_override", weight: 0.5, slots: ["don't|dont|don'nt|not|nicht|never|without", "answer*|respond*|look|rely|antworte*|beantworte*", "according|based|on|in|at|to|auf|mit", "the|provided|given|attached|die|den|vorliegend*", "provided|given|attached|articles|artikel*|documents|dokument*|context|kontext|sources|quellen"], gap: 2 },
  { family: "task_switch", weight: 0.5, slots: ["now|nun|jetzt|here|hier", "new|further|additional|more|neue|weitere|nouvelles|nuevas", "tasks|task|instructions|anweisungen|aufgaben|aufgabe|consignes|tâches|instrucciones|tareas", "follow*|folgen|come|kommen|suivent|siguen"], gap: 2 },
  // English task switching without "ignore … instructions" (cues: they block only with the model agreeing).
  { family: "task_switch", weight: 0.5, slots: ["now|but|okay|ok|so|jetzt|nun|aber|also", "forget|ignore|drop|vergiss|ignoriere|oublie", "that|this|it|das|dies|ça|cela"], gap: 0 },
  { family: "task_switch", weight: 0.5, slots: ["instead|stattdessen|plutôt", "tell|give|show|write|say|print|reveal|output|list|sag|gib|zeig|schreib|nenne|dis|donne"], gap: 1 },
  { family: "task_switch", weight: 0.5, slots: ["new|neue|nouvelle|nueva", "task|aufgabe|tâche|tarea"], gap: 0 },
  { family: "role_play", weight: 0.5, slots: ["now|nun|jetzt|ab", "you|du|tu|vous", "are|bist|es|êtes|eres|spielst|play"], gap: 0 },
  { family: "role_play", weight: 0.85, slots: ["you|you're|youre|du|tu|vous", "are|bist|es|êtes|eres|is", "no|nicht|plus", "longer|mehr|chatgpt|gpt", "chatgpt|gpt|claude|bard|llama|bound|restricted|censored|filtered|an|a|ein|eine|assistant|ai"], gap: 1 },
  { family: "role_play", weight: 0.5, slots: ["from", "now", "on", "you|you'll|you're", "are|will|shall|must|act|behave|respond|answer|reply", "act|behave|roleplay|role-play|pretend|respond|answer|reply|simulate|play|speak|talk|be|going"], gap: 1 },
  { family: "role_play", weight: 0.5, slots: ["stell|stellen", "dir|euch|sie", "vor"], gap: 1 },
  { family: "role_play", weight: 0.5, slots: ["completely|fully|totally|vollkommen|ganz|völlig|voll", "absorbed|immersed|in|auf|aufgehen|gehst", "in|your|deiner|ihrer|their|seiner|role|rolle|character"], gap: 2 },
  { family: "output_forcing", weight: 0.5, slots: ["antworte*|sag|sage|gib|schreib*|gebe|réponds|dis|responde|di", "nur|ausschließlich|einfach|immer|seulement|uniquement|solo|sólo|siempre", "mit|noch|das|dass|avec|que|con|par"], gap: 2 },
  { family: "output_forcing", weight: 0.5, slots: ["repeat|wiederhole|répète|repite|say", "after", "me"], gap: 0 },
  { family: "output_forcing", weight: 0.5, slots: ["include|add|mention|erwähne|füge", "that|dass", "you|du", "hate|love|hasst|liebst|support|think"], gap: 1 },
  // Persona hijack in other languages.
  { family: "role_play", weight: 0.5, slots: ["tu|tue|fais", "so|semblant", "als|que|d'être"], gap: 1 },
  { family: "prompt_extraction", weight: 0.8, slots: ["reveal*|show*|print*|display*|repeat*|output*|leak*|dump*|expose*|spell|write|give|tell|share|list|paste|copy|recite|zeig*|gib|wiederhol*|nenne|verrat*|montre*|affiche*|répète*|révèle*|donne*|muestra*|revela*|repite*|dime|dame|imprime", "your|the|its|deine*|dein|ta|tes|vos|votre|tu|tus|su|sus|me|mir|moi", "system|initial|hidden|secret|original|first|previous|full|entire|exact|internal|underlying|confidential|geheim*|ursprünglich*|initiale*|secrète*|secreta*|inicial*|above", "prompt*|instruction*|message*|rules|password|context|configuration|directive*|text|anweisung*|passwort|consigne*|mot|instruccion*|contraseña|indicaciones"], gap: 2 },
  // Asked of the model itself ("your"): block tier; of anything ("the"), flag tier below.
  { family: "prompt_extraction", weight: 0.8, slots: ["what|which|was|wie|quelles|quelle|cuáles|cuales|qué|que", "are|were|is|was|lautet|lauten|sont|étaient|son|eran|es|fueron|waren|sind|ist", "your|deine*|dein|tes|vos|tus|sus", "system|initial|original|first|secret|hidden|erste*|ursprünglich*|initiales|primeras|iniciales", "prompt*|instruction*|rules|message*|password|anweisung*|consigne*|instrucciones|secret"], gap: 1 },
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
  /** `next` for ASCII codes, as an array (filled once the rules are compiled): Map.get per character showed in profiles. */
  readonly ascii: (TrieNode | undefined)[];
  /** Slot ids of the stems ending here. */
  ids: number[];
}
const NONE: readonly number[] = [];
/** Sentence index per word of the text being matched (module scratch: matching is synchronous). */
let sentenceOf = new Int32Array(1024);

/** One code point at lastIndex is a letter or a number (sticky): the non-ASCII case of the word scan below. */
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/uy;

/**
 * Length in code units of the word character at `i` (0 when it is not one): letters, numbers, apostrophes (' ’) and
 * hyphens, the same words as /[\p{L}\p{N}'’\-]+/gu. A loop with an ASCII fast path, not that regex's exec: it was
 * more than a third of the matcher's time on 1 KB of prose (test/guardrails/injection.test.ts holds them equal).
 */
function wordCharAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 45 ? 1 : 0;
  if (c === 0x2019) return 1;
  LETTER_OR_NUMBER.lastIndex = i;
  return LETTER_OR_NUMBER.test(text) ? LETTER_OR_NUMBER.lastIndex - i : 0;
}

/** ' ’ -: the edge characters stripped from a word ("'I have been PWNED'" has the words i … pwned). */
const isEdge = (c: number): boolean => c === 39 || c === 45 || c === 0x2019;

/**
 * The words of `text` with their edge quotes and dashes stripped (a word of edge characters only is ""), and
 * for each the index of its sentence in `sentenceOf` (module scratch): what the matcher works on.
 */
export function phraseWords(text: string): string[] {
  const words: string[] = [];
  let sentence = 0;
  let last = 0;
  if (sentenceOf.length < text.length + 1) sentenceOf = new Int32Array(text.length * 2 + 1);
  for (let pos = 0; pos < text.length; ) {
    const first = wordCharAt(text, pos);
    if (first === 0) {
      pos++;
      continue;
    }
    const start = pos;
    pos += first;
    for (let w = wordCharAt(text, pos); w > 0 && pos < text.length; w = wordCharAt(text, pos)) pos += w;
    if (words.length > 0 && endsSentence(text, last, start)) sentence++;
    sentenceOf[words.length] = sentence;
    let a = start;
    let b = pos;
    while (a < b && isEdge(text.charCodeAt(a))) a++;
    while (b > a && isEdge(text.charCodeAt(b - 1))) b--;
    words.push(text.slice(a, b));
    last = pos;
  }
  return words;
}
/** Between two words (text[from, to)): the end of a sentence or a line, or a markup tag's edge ("<!-- ignore -->"). A loop, not a regex over a slice. */
function endsSentence(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 33 || c === 63 || c === 59 || c === 58 || c === 10 || c === 60 || c === 62 || c === 0x3002 || c === 0xff01 || c === 0xff1f) return true;
  }
  return false;
}

export interface PhraseHit {
  readonly family: string;
  readonly weight: number;
}

/**
 * Compiles `rules` into a matcher: best hit per family. Linear: each word with a slot starts at most one bounded
 * look-ahead per rule. Used for the injection families below and the toxicity families (moderation/toxicity-rules.ts).
 */
export function compilePhraseRules(rules: readonly PhraseRule[]): (normalized: string) => PhraseHit[] {
  let slotCount = 0;
  const exactSlots = new Map<string, number[]>();
  const trie: TrieNode = { next: new Map(), ascii: [], ids: [] };
  const compiled = rules.map((rule) => ({
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
          if (!child) node.next.set(code, (child = { next: new Map(), ascii: [], ids: [] }));
          node = child;
        }
        node.ids.push(id);
      }
      return id;
    }),
  }));
  const fillAscii = (node: TrieNode): void => {
    for (const [code, child] of node.next) {
      if (code < 128) node.ascii[code] = child;
      fillAscii(child);
    }
  };
  fillAscii(trie);
  /** Slot-id bitsets are WORDS32 32-bit words per text word. */
  const WORDS32 = Math.ceil(slotCount / 32);

  /**
   * Word positions per slot id, in text order, for the current call: a rule's look-ups start only at the words that
   * have its first slot (scanning every slotted word for every rule was most of the matcher's time on 1 KB of
   * prose). Reset through `touched` at the start of each call.
   */
  const positions: number[][] = Array.from({ length: slotCount }, () => []);
  const touched: number[] = [];

  function mark(id: number, bits: Int32Array, at: number, word: number): void {
    const k = at + (id >> 5);
    const bit = 1 << (id & 31);
    if (((bits[k] as number) & bit) !== 0) return;
    bits[k] = (bits[k] as number) | bit;
    const list = positions[id] as number[];
    if (list.length === 0) touched.push(id);
    list.push(word);
  }

  /** Sets the bits of `word`'s slot ids at `bits[at..at+WORDS32)` and records its position; true when it has any. */
  function markSlots(word: string, bits: Int32Array, at: number, index: number): boolean {
    let any = false;
    for (const id of exactSlots.get(word) ?? NONE) {
      mark(id, bits, at, index);
      any = true;
    }
    let node: TrieNode | undefined = trie;
    for (let i = 0; i < word.length && node; i++) {
      const code = word.charCodeAt(i);
      node = code < 128 ? node.ascii[code] : node.next.get(code);
      if (!node) break;
      for (const id of node.ids) {
        mark(id, bits, at, index);
        any = true;
      }
    }
    return any;
  }

  /** Reused across calls (matching is synchronous), grown on demand. */
  let scratch = new Int32Array(256 * WORDS32);

  return function match(normalized: string): PhraseHit[] {
    // Words, and the sentence each is in: a rule matches within one sentence ("… from a list. Explain how the
    // system prompt …" is not "list the system prompt").
    const words = phraseWords(normalized);
    if (scratch.length < words.length * WORDS32) scratch = new Int32Array(words.length * WORDS32 * 2);
    const bits = scratch;
    bits.fill(0, 0, words.length * WORDS32);
    const has = (k: number, id: number): boolean => ((bits[k * WORDS32 + (id >> 5)] as number) & (1 << (id & 31))) !== 0;
    for (const id of touched) (positions[id] as number[]).length = 0;
    touched.length = 0;
    let anySlot = false;
    for (let i = 0; i < words.length; i++) if (markSlots(words[i] as string, bits, i * WORDS32, i)) anySlot = true;
    const best = new Map<string, number>();
    if (!anySlot) return [];
    for (const { rule, slots: ids } of compiled) {
      if ((best.get(rule.family) ?? 0) >= rule.weight) continue;
      // Only the words that have the rule's first slot can start it (in text order, as before).
      outer: for (const i of positions[ids[0] as number] as number[]) {
        let pos = i;
        for (let s = 1; s < ids.length; s++) {
          const id = ids[s] as number;
          let found = -1;
          for (let k = pos + 1; k <= pos + 1 + rule.gap && k < words.length && sentenceOf[k] === sentenceOf[i]; k++) {
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
  };
}

/** The injection families' matcher. */
export const matchPhrases = compilePhraseRules(PHRASE_RULES);
