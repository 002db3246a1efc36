"""Word tables of the event coder: prepositions per type, negating, topic and request verbs,
the dependency labels the coder climbs, and the hashes of every trigger lemma."""

from __future__ import annotations

import numpy as np
from spacy.strings import StringStore

from newsflow_enrich.lexicon import INTENT, NOUNS, VERBS
from newsflow_shared.messages import EventType

T = EventType
TARGET_PREPS: dict[str, set[str]] = {
    "CONSULT": {"with", "to"},
    "AGREE": {"with"},
    "COOPERATE": {"with", "to"},
    "ASSAULT": {"on", "against", "at", "into", "across", "upon"},
    "ACCUSE": {"against", "at", "with", "of", "to"},
    "REJECT": {"from", "to"},
    "THREATEN": {"against", "to"},
    "PROTEST": {"against", "on"},
    "SANCTION": {"on", "against", "to", "for", "with"},
    "AID": {"to", "for"},
    "REQUEST": {"on", "from", "to"},
    "RETREAT": {"from"},
    "COERCE": {"on", "against"},
    "MOBILIZE": {"against", "around", "near", "toward", "towards", "along"},
    "SUPPORT": {"for", "with", "behind"},
    "CONCEDE": {"to", "from"},
}
SOURCE_PREPS = {"by", "from"}
NEGATING_VERBS = {
    "refuse",
    "deny",
    "fail",
    "reject",
    "decline",
    "avoid",
    "rule",
    "halt",
    "stop",
    "cancel",
    "postpone",
}
TOPIC_VERBS = {
    "discuss",
    "talk",
    "negotiate",
    "call",
    "urge",
    "demand",
    "ask",
    "need",
    "require",
    "seek",
    "propose",
    "consider",
    "debate",
    "request",
} | INTENT
HYPO_NOUN_MODS = {
    "possible",
    "potential",
    "proposed",
    "planned",
    "future",
    "prospective",
    "possibility",
    "prospect",
    "idea",
    "chance",
    "plan",
    "proposal",
}
THREAT_CUES = {
    "retaliate",
    "retaliation",
    "consequence",
    "response",
    "respond",
    "strike",
    "attack",
    "sanction",
    "punish",
    "force",
    "war",
    "destroy",
    "hit",
}
_SUBJ = {"nsubj", "csubj"}
# Directed types: vetoed by a rule, the classifier may still code them only with a target.
_SOLE_TARGET_TYPES = {"SANCTION", "ASSAULT", "COERCE", "THREATEN", "ACCUSE"}
# Types whose missing target is the sentence's one other party (`_sole_other`): "Germany
# pledged 500 million euros in assistance for Sudan", "Crowds marched on the French embassy".
# Not MOBILIZE, RETREAT, CONCEDE: they often have no recipient (measured on the dev split).
_OTHER_PARTY_TYPES = _SOLE_TARGET_TYPES | {
    "AGREE",
    "AID",
    "CONSULT",
    "COOPERATE",
    "PROTEST",
    "REJECT",
    "REQUEST",
    "SUPPORT",
}
# Prepositions that place an event ("in Kharkiv", "through Belgrade", "outside parliament").
_PLACE_PREPS = {"in", "at", "through", "across", "outside", "near", "around"}
# Types whose unnamed actors ("protesters marched", "gunmen killed", "police arrested") are
# of the place.
_PLACE_SOURCE_TYPES = {
    "PROTEST",
    "ASSAULT",
    "COERCE",
    "MOBILIZE",
    "REQUEST",
    "REJECT",
    "ACCUSE",
    "THREATEN",
}
# Types whose object (or passive subject) is what the source sends or puts in the field,
# its own side, not the party the event is aimed at: "deployed Chechen fighters to Kursk",
# "A British warship was dispatched", "US missiles were delivered to Ukraine" (for AID only
# a thing: "Ukrainian refugees were given shelter" names the recipients).
_SENT_TYPES = {"MOBILIZE", "AID"}
# Uses of force: with no recipient in the sentence, not assumed domestic (`_domestic`).
_FORCE_TYPES = {"ASSAULT", "MOBILIZE"}
_PLACE_MODS = {"poss", "compound", "amod"}
_NUMERIC_ENTS = {"CARDINAL", "QUANTITY", "ORDINAL", "DATE", "TIME", "PERCENT", "MONEY"}
# Directed types whose unnamed victims ("killed 35 civilians in Goma") are of the place.
_PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "RETREAT", "AID", "CONCEDE"}
_NEG_PREPS = {"of", "for", "to", "with", "on", "about", "toward", "towards"}
_NEG_CLIMB = {
    "advcl",
    "xcomp",
    "acl",
    "dobj",
    "pobj",
    "prep",
    "conj",
    "attr",
    "compound",
    "amod",
    "nmod",
    "appos",
    "pcomp",
}
_OBJ = {"dobj", "dative", "attr", "oprd"}
_DATE_CLIMB = {"prep", "pobj", "advmod", "npadvmod", "amod", "nummod", "compound"}
_OBJECT_MODE_TYPES = {"SANCTION", "AID", "ASSAULT", "RETREAT", "COOPERATE"}
_REQUEST_VERBS = {
    "urge",
    "ask",
    "demand",
    "call",
    "press",
    "request",
    "encourage",
    "tell",
    "implore",
    "appeal",
    "plead",
    "invite",
}
_NON_AGENTIVE = {
    "be",
    "come",
    "happen",
    "occur",
    "follow",
    "remain",
    "seem",
    "become",
    "result",
    "take",
    "continue",
    "mark",
    "amid",
}
_CONTENT_VERBS = {
    "pause",
    "halt",
    "suspend",
    "freeze",
    "cut",
    "stop",
    "withhold",
    "block",
    "delay",
    "cancel",
    "end",
    "resume",
    "lift",
    "ease",
    "launch",
    "impose",
}
# Cooperative and verbal types are only events between actors: with neither a source nor a
# target named ("support livelihoods", "aid groups", "a meeting was held") the word is
# almost never a codable event (on the dev sets about 1 in 12 such triggers was). Violent,
# legal and protest events are kept without actors: the gold labels them with unnamed agents.
NEEDS_ACTOR = {"AID", "SUPPORT", "CONSULT", "AGREE", "COOPERATE", "THREATEN", "REJECT", "CONCEDE"}
# Cooperation takes two: with one party named it is almost always something else.
NEED_PARTIES = {"COOPERATE"}
# Verbs whose direct object is what is talked about; the other party comes with "with".
_TOPIC_OBJECT = {"discuss", "negotiate", "debate"}
# A host's verbs: the guest is the visit's source, the host its target (CAMEO's "make a
# visit" dyad): "al-Sisi received al-Burhan" is Sudan -> Egypt.
_HOST_VERBS = {"host", "receive", "welcome", "greet"}
# Verbs that make a "threat" noun an act of threatening ("issued a threat"); elsewhere the
# noun mostly names a danger ("poses a threat to", "the biggest threat").
_THREAT_ACTS = {"issue", "make", "repeat", "renew", "deliver", "carry", "escalate", "level"}
# Strikes that are not military: a bird hitting a plane, workers or hunger strikers.
_NON_MILITARY_STRIKES = {
    "bird",
    "hunger",
    "general",
    "rail",
    "labour",
    "labor",
    "worker",
    "teacher",
    "nurse",
    "doctor",
    "union",
}
# Noun triggers whose "of" complement is the one acted upon ("the invasion of Ukraine").
# ("the support of X" is X's support: SUPPORT is not among them.)
_OF_PATIENT = {"ASSAULT", "COERCE", "ACCUSE", "SANCTION", "THREATEN", "PROTEST"}
# Coercion nouns whose possessor undergoes them ("Khan's arrest"; but "Israel's blockade").
_PATIENT_POSS = {
    "arrest",
    "detention",
    "imprisonment",
    "conviction",
    "eviction",
    "deportation",
    "expulsion",
}
_HASH = StringStore()  # string -> hash, the same hashes every Vocab uses
# Hashes of every trigger lemma, in the casings a tagger may give a lemma.
_TRIGGER_HASHES = np.array(
    sorted(
        {
            _HASH.as_int(form)
            for lemma in set(VERBS) | set(NOUNS)
            for form in (lemma, lemma.capitalize(), lemma.upper())
        }
    ),
    dtype=np.uint64,
)
_ANAPHORIC_DETS = {"the", "these", "those", "this", "that", "such"}
_CLIMB = {
    "dobj",
    "pobj",
    "prep",
    "conj",
    "appos",
    "attr",
    "npadvmod",
    "compound",
    "pcomp",
    "nsubjpass",
    "agent",
    "dative",
    "acomp",
    "amod",
}
_IMPERATIVE_BLOCKERS = {"nsubj", "nsubjpass", "csubj", "expl"}
