/**
 * Toxicity phrase families the n-gram model misses (issue 16: self-harm, threats without profanity, identity
 * attacks, insults without swear words), matched by the injection layer's word-slot matcher
 * (injection/phrase-rules.ts `compilePhraseRules`): within one sentence, each slot a set of word stems, the
 * next slot within `gap` words, so a rule needs its words together ("kill the process. You …" is no threat).
 * Precision first (docs/decisions/0090, 0094): a family of weight ≥ RULE_BLOCK refuses alone, one of weight
 * ≥ RULE_FLAG only flags. Slots hold no single word that decides alone: "kill", "die", "stupid", "women"
 * match nothing by themselves.
 */
import { compilePhraseRules, type PhraseHit, type PhraseRule } from "../injection/phrase-rules";
import { modelTextOf } from "../text/normalize";

/** A family at or above this weight refuses on its own. */
export const RULE_BLOCK = 0.8;
/** A family at or above this weight (and below RULE_BLOCK) flags. */
export const RULE_FLAG = 0.5;

const YOU = "you|u|ya|you're|youre|ur|yourself|y'all|yall";
const YOU_ARE = "you're|youre|ur|you|u";
const ARE = "are|r|re|is|look|sound|seem|act";
/** Nouns and adjectives that insult a person and say little else (no "slow", "fat", "dumb terminal", "garbage collected"). */
const INSULT =
  "idiot*|moron*|imbecile*|cretin*|stupid|stupidest|pathetic|worthless|loser*|scumbag*|scum|retard*|disgusting|vermin|subhuman|parasite*|" +
  "clown|clowns|pig|pigs|filth|filthy|degenerate*|dimwit*|halfwit*|nitwit*|dumbass*|ignorant|brainless|braindead|spineless|creepy|freak|freaks|pervert*|lowlife|lowlifes";
/** Groups people are attacked for (plural nouns and group adjectives; not the colours "black"/"white"). */
const GROUP =
  "women|woman|females|girls|men|males|blacks|whites|jews|jewish|muslims|muslim|islam|immigrants|immigrant|migrants|refugees|foreigners|mexicans|mexican|" +
  "gays|gay|lesbians|homosexuals|homosexual|queers|trans|transgender|transgenders|transsexuals|asians|asian|chinese|arabs|arab|latinos|latinas|hispanics|hispanic|" +
  "africans|african|indians|christians|catholics|atheists|hindus|sikhs|disabled|autistic|negroes|negro|niggers|blacks|gypsies|roma|jewry|minorities|lgbt|lgbtq|feminists";
/** What an identity attack says the group is. */
const DEHUMANIZE =
  "inferior|subhuman|animals|animal|vermin|savages|savage|parasites|parasite|cancer|disease|plague|trash|scum|filth|filthy|rapists|terrorists|criminals|" +
  "stupid|stupider|dumber|dumb|lazy|evil|disgusting|dirty|worthless|useless|pedophiles|paedophiles|monkeys|apes|cockroaches|rats|lesser|incapable|unfit";
const ELIMINATE = "killed|exterminated|eliminated|deported|gassed|sterilized|sterilised|wiped|shot|hanged|lynched|executed|eradicated|enslaved|castrated";
/** Harm verbs that are threats aimed at a person ("beat you at chess", "shoot you an email" are not here). */
const HARM = "kill|murder|hurt|stab|strangle|choke|rape|slaughter|torture|behead|butcher|punch";
/** Swear words that name a person (not "shit", "damn", "hell": profanity about things is harmless). */
const SWEAR_NOUN = "bitch|bitches|cunt*|asshole*|arsehole*|dickhead*|prick|pricks|twat*|wanker*|bastard*|douche*|shithead*|fag|fags|faggot*|slut*|whore*|motherfucker*|jackass*|dipshit*";
const FUCK = "fuck|fuk|fck|fuq|phuck|fuckin|fucking|fucken|frick";
/** Words that sharpen an insult aimed at the reader ("you stupid …", "you fucking …"). */
const SHARPEN = "fucking|fuckin|stupid|dumb|filthy|little|ugly|fat|dirty|pathetic|absolute|complete|worthless|disgusting|bloody";
const FAMILY = "family|kids|children|child|wife|husband|mother|mom|mum|dad|father|son|daughter|sister|brother|girlfriend|boyfriend|dog";

export const TOXICITY_RULES: readonly PhraseRule[] = [
  // Self-harm: first-person intent or method ("I cut myself shaving" is only flagged).
  { family: "self_harm", weight: 0.85, slots: ["kill|killing|hang|hanging|off|starve|starving|drown|poison|poisoning", "myself|meself"], gap: 1 },
  { family: "self_harm", weight: 0.6, slots: ["hurt|hurting|cut|cutting|harm|harming", "myself|meself"], gap: 1 },
  { family: "self_harm", weight: 0.85, slots: ["end|ending", "my", "life|own"], gap: 1 },
  { family: "self_harm", weight: 0.85, slots: ["take|taking", "my", "own", "life"], gap: 0 },
  { family: "self_harm", weight: 0.8, slots: ["i|i'm|im|i've|i'd", "want|wanna|ready|wish|deserve|plan|planning", "to|i", "die|dead"], gap: 1 },
  { family: "self_harm", weight: 0.6, slots: ["suicidal|suicide"], gap: 0 },
  // Threats: a harm verb aimed at the reader or their family, in the first person or wished on them.
  { family: "threat", weight: 0.85, slots: ["i|i'll|ill|i'm|im|i'd|we|we'll|we're|gonna|gon", HARM, YOU], gap: 2 },
  { family: "threat", weight: 0.85, slots: [HARM, "your", FAMILY], gap: 1 },
  { family: "threat", weight: 0.85, slots: ["hope|wish|pray", YOU, "die|dies|rot|suffer"], gap: 1 },
  { family: "threat", weight: 0.85, slots: [YOU, "should|deserve|ought|better", "die|suffer|rot|shot|killed|raped"], gap: 2 },
  { family: "threat", weight: 0.9, slots: ["kill|hang|off", "yourself|urself|yourselves|yaself"], gap: 1 },
  { family: "threat", weight: 0.8, slots: ["kys"], gap: 0 },
  { family: "threat", weight: 0.8, slots: ["find|know", "where", "you|u", "live|sleep"], gap: 1 },
  { family: "threat", weight: 0.6, slots: ["watch", "your", "back"], gap: 0 },
  // Identity attacks: a group said to be less than human, or to be removed or denied rights ("are not" is
  // rewritten to "isnt" first, so denials do not match).
  { family: "identity_attack", weight: 0.85, slots: [GROUP, "are|is|r|were|being", DEHUMANIZE], gap: 2 },
  { family: "identity_attack", weight: 0.85, slots: [GROUP, "should|must|deserve|ought", ELIMINATE], gap: 3 },
  { family: "identity_attack", weight: 0.85, slots: [GROUP, "don't|dont|doesn't|doesnt|never|shouldn't|shouldnt", "deserve|deserves"], gap: 1 },
  { family: "identity_attack", weight: 0.8, slots: [GROUP, "shouldn't|shouldnt|never", "allowed"], gap: 2 },
  { family: "identity_attack", weight: 0.85, slots: ["go", "back", "to", "your|ur|their", "country|countries|jungle|cave|desert"], gap: 1 },
  { family: "identity_attack", weight: 0.6, slots: ["typical|damn|bloody|filthy|dirty|stupid|lazy|fucking", GROUP], gap: 0 },
  // Insults without swear words, aimed at the reader.
  { family: "insult", weight: 0.85, slots: [YOU_ARE, ARE, INSULT], gap: 2 },
  { family: "insult", weight: 0.85, slots: ["you're|youre|ur", INSULT], gap: 2 },
  { family: "insult", weight: 0.8, slots: ["you|u|ya", INSULT], gap: 0 },
  { family: "insult", weight: 0.6, slots: ["what|such|total|complete|absolute|utter|bunch", "a|an|of", INSULT], gap: 1 },
  { family: "insult", weight: 0.6, slots: ["shut", "up|your"], gap: 0 },
  { family: "insult", weight: 0.85, slots: ["you|u|ya", SHARPEN, `${INSULT}|${SWEAR_NOUN}`], gap: 1 },
  // Profanity aimed at the reader (profanity about things, "this is fucking great", is not here).
  { family: "insult", weight: 0.85, slots: [FUCK, "you|u|ya|off|yourself|urself"], gap: 0 },
  { family: "insult", weight: 0.85, slots: ["stfu|gtfo"], gap: 0 },
  { family: "insult", weight: 0.85, slots: [YOU_ARE, ARE, SWEAR_NOUN], gap: 2 },
  { family: "insult", weight: 0.85, slots: ["you|u|ya", SWEAR_NOUN], gap: 0 },
  { family: "insult", weight: 0.85, slots: ["suck", "my", "dick|cock|balls|d"], gap: 0 },
  { family: "insult", weight: 0.8, slots: ["son", "of", "a", "bitch|whore"], gap: 0 },
  { family: "insult", weight: 0.6, slots: ["go", "to", "hell"], gap: 0 },
];

const match = compilePhraseRules(TOXICITY_RULES);

/** "you are not", "women aren't": a denial, one word that no rule's "are" slot holds. */
const DENIAL = /\b(?:you're|youre|you are|ur|are|is|were|was|r|aren't|arent|isn't|isnt)\s+(?:not|never|no)\b|\b(?:aren't|arent|isn't|weren't)\b/g;

/** Best weight per family over the text (canonical, leetspeak undone: the view the toxicity model reads). */
export function matchToxicity(text: string): PhraseHit[] {
  const t = modelTextOf(text);
  return match(t.replace(DENIAL, "isnt"));
}
