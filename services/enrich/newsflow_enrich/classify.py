"""The learned layer: a linear sentence classifier over the 16 PLOVER types and "no event".

Features of one sentence (`features`): content lemmas and lemma bigrams, verbs with their
objects and prepositions, the root, negation and modal cues, entity labels, the trigger
lexicon's types for the sentence's words (`lex=`), the types the rules coded (`rule=`,
weighted), and the mean of spaCy's own contextual token vectors (`doc.tensor`, 96 numbers
from the parse that runs anyway; no second model). The head is a multinomial logistic
regression trained by `services/enrich/tools/train_event_classifier.py` on
`services/enrich/training/` and stored as `data/event_classifier.npz`; inference is a
sparse dot product and a softmax in numpy.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Span, Token

from newsflow_enrich.dictionaries import discards, verb_triggers
from newsflow_enrich.lexicon import NOUNS, SPEECH, VERBS

MODEL_PATH = Path(__file__).parent / "data" / "event_classifier.npz"
POLICY_PATH = Path(__file__).parent / "data" / "event_policy.json"
_CONTENT = {"VERB", "NOUN", "ADJ"}
_PAGE_POS = _CONTENT | {"PROPN"}
_SCORE = re.compile(r"\b\d{1,3}-\d{1,3}\b(?!-)")
_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "expl"}
_MODALS = {"would", "could", "might", "may", "should", "can", "must", "will", "shall"}
_NEG_WORDS = {"not", "n't", "never", "no", "refuse", "deny", "reject", "decline", "fail"}


@cache
def _lexicon_types() -> dict[tuple[str, str], tuple[str, ...]]:
    """(lemma, "VERB"|"NOUN") -> the PLOVER types the trigger lexicon gives it."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for pos, table in (("VERB", VERBS), ("NOUN", NOUNS)):
        for lemma, rules in table.items():
            types = sorted({str(r.type) for r in rules} - {"NEED", "WARN"})
            if any(str(r.type) == "NEED" for r in rules):
                types.append("REQUEST")
            if any(str(r.type) == "WARN" for r in rules):
                types += ["THREATEN", "ACCUSE"]
            out[(lemma, pos)] = tuple(types)
    return out


def _head(phrases: frozenset[str] | None) -> frozenset[str] | None:
    return frozenset(p.rsplit(" ", 1)[-1] for p in phrases) if phrases else None


_Words = frozenset[str] | None
_Pattern = tuple[str, str | None, _Words, _Words, _Words]


@cache
def _cameo() -> dict[str, tuple[_Pattern, ...]]:
    """verb lemma -> (PLOVER type, particle, object heads, preposition, its object heads)."""
    return {
        verb: tuple(
            (str(p.type), p.particle, _head(p.obj), p.prep, _head(p.pobj)) for p in patterns
        )
        for verb, patterns in verb_triggers().items()
    }


def _cameo_types(tok: Token, lemma: str) -> set[str]:
    """The PLOVER types of the CAMEO verb patterns a verb matches: `cameo=T` for a pattern
    whose particle / object / prepositional phrase is there, `cameo0=T` for a bare verb."""
    patterns = _cameo().get(lemma)
    if not patterns:
        return set()
    prt = {c.lower_ for c in tok.children if c.dep_ == "prt"}
    objs = {c.lemma_.lower() for c in tok.children if c.dep_ in {"dobj", "nsubjpass"}}
    preps = {
        c.lower_: {g.lemma_.lower() for g in c.children if g.dep_ == "pobj"}
        for c in tok.children
        if c.dep_ == "prep"
    }
    out: set[str] = set()
    for type_, particle, obj, prep, pobj in patterns:
        if particle is None and obj is None and prep is None:
            out.add(f"cameo0={type_}")
            continue
        if particle is not None and particle not in prt:
            continue
        if obj is not None and not obj & objs:
            continue
        if prep is not None:
            hit = [p for p in prep if p in preps]
            if not hit or (pobj is not None and not any(pobj & preps[p] for p in hit)):
                continue
        out.add(f"cameo={type_}")
    return out


@cache
def _discard_patterns() -> dict[str, re.Pattern[str]]:
    """One regex per scope ("story", "sentence") over PETRARCH2's discard phrases; bare
    years are left out (they mark historical sentences for PETRARCH, events for us)."""
    by_scope: dict[str, list[str]] = {}
    for d in discards():
        if not d.text.isdigit():
            by_scope.setdefault(d.scope, []).append(re.escape(d.text))
    return {
        scope: re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b")
        for scope, words in by_scope.items()
    }


def has_score(text: str) -> bool:
    """Whether the text has a result like "4-0" or "2-1" (sports, mostly)."""
    return _SCORE.search(text) is not None


def discard_scopes(text: str) -> list[str]:
    """The scopes whose discard phrases occur in lower-cased `text`."""
    return [scope for scope, rx in _discard_patterns().items() if rx.search(text)]


def features(sent: Span, rule_types: Iterable[tuple[str, float]] = ()) -> dict[str, float]:
    """Sparse features of one sentence; `rule_types` are (type, weight) the rules coded."""
    f: dict[str, float] = {}
    lex = _lexicon_types()
    prev = ""
    for tok in sent:
        lemma = tok.lemma_.lower()
        pos = tok.pos_
        if tok.dep_ == "neg" or lemma in _NEG_WORDS:
            f["neg"] = 1.0
        if tok.tag_ == "MD" and lemma in _MODALS:
            f[f"md={lemma}"] = 1.0
        if pos == "ADP":
            f[f"p={lemma}"] = 1.0
        if pos not in _CONTENT or tok.is_stop or not tok.is_alpha:
            continue
        f[f"l={lemma}"] = 1.0
        if prev:
            f[f"b={prev}_{lemma}"] = 1.0
        prev = lemma
        for t in lex.get((lemma, pos), ()):
            f[f"lex={t}"] = 1.0
        if pos == "VERB":
            for key in _cameo_types(tok, lemma):
                f[key] = 1.0
            if tok.dep_ == "ROOT":
                f[f"r={lemma}"] = 1.0
            for c in tok.children:
                if c.dep_ in {"dobj", "nsubjpass"}:
                    f[f"vo={lemma}_{c.lemma_.lower()}"] = 1.0
                elif c.dep_ in {"prep", "prt"}:
                    f[f"vp={lemma}_{c.lower_}"] = 1.0
    for ent in sent.ents:
        f[f"e={ent.label_}"] = 1.0
    text = sent.text.lower()
    for scope in discard_scopes(text):
        f[f"discard={scope}"] = 1.0  # PETRARCH2's sports/entertainment phrases
    if _SCORE.search(text):
        f["score"] = 1.0  # "won 4-0", "a 2-1 lead": results, not events
    for type_, weight in rule_types:
        f[f"rule={type_}"] = max(f.get(f"rule={type_}", 0.0), weight)
    return f


PAGE_MIN_SENTENCES = 5  # a shorter text (a brief, a headline) is judged by its sentences alone
EVENT = "EVENT"  # the page head's class "reports a political or social event"


def page_features(doc: Doc) -> dict[str, float]:
    """Features of a whole page for the page head: its set of content lemmas and entity
    labels, its PETRARCH2 discard scopes and whether it has scores, L2-normalised so a long
    page weighs no more than a short one."""
    keys = {
        f"l={t.lemma_.lower()}" for t in doc if t.pos_ in _PAGE_POS and t.is_alpha and not t.is_stop
    }
    keys.update(f"e={ent.label_}" for ent in doc.ents)
    text = doc.text.lower()
    keys.update(f"discard={scope}" for scope in discard_scopes(text))
    if _SCORE.search(text):
        keys.add("score")
    weight = 1.0 / max(1.0, len(keys)) ** 0.5
    return dict.fromkeys(keys, weight)


def dense(sent: Span) -> np.ndarray:
    """The mean contextual token vector of the sentence (zeros when the model has none)."""
    tensor = sent.doc.tensor
    if tensor is None or tensor.size == 0 or len(sent) == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(tensor[sent.start : sent.end].mean(axis=0), dtype=np.float32)


@dataclass(frozen=True)
class SentenceClassifier:
    """A trained linear head: class probabilities for a sentence's features."""

    classes: tuple[str, ...]
    vocab: dict[str, int]
    coef: np.ndarray  # (n_classes, len(vocab) + n_dense)
    intercept: np.ndarray  # (n_classes,)
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    page: SentenceClassifier | None = None  # the page head (classes NONE, EVENT), if any

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SentenceClassifier:
        """Read a model written by `save` (with its page head when it has one)."""
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        page = cls._from(arrays, "page_") if "page_classes" in arrays else None
        return dataclasses.replace(cls._from(arrays, ""), page=page)

    @classmethod
    def _from(cls, z: dict[str, np.ndarray], prefix: str) -> SentenceClassifier:
        names = [str(n) for n in z[prefix + "vocab"]]
        return cls(
            classes=tuple(str(c) for c in z[prefix + "classes"]),
            vocab={n: i for i, n in enumerate(names)},
            coef=z[prefix + "coef"].astype(np.float32),
            intercept=z[prefix + "intercept"].astype(np.float32),
            dense_mean=z[prefix + "dense_mean"].astype(np.float32),
            dense_scale=z[prefix + "dense_scale"].astype(np.float32),
        )

    def _arrays(self, prefix: str) -> dict[str, np.ndarray]:
        names = sorted(self.vocab, key=self.vocab.__getitem__)
        return {
            prefix + "classes": np.array(self.classes),
            prefix + "vocab": np.array(names),
            prefix + "coef": self.coef.astype(np.float32),
            prefix + "intercept": self.intercept.astype(np.float32),
            prefix + "dense_mean": self.dense_mean,
            prefix + "dense_scale": self.dense_scale,
        }

    def save(self, path: Path) -> None:
        """Write the model and its page head (numpy arrays only, no pickle)."""
        arrays = self._arrays("")
        if self.page is not None:
            arrays.update(self.page._arrays("page_"))
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy stubs: allow_pickle

    def page_relevance(self, doc: Doc) -> float | None:
        """P(the page reports an event) from the page head; None when the page is not
        gated: no page head, or a text under `PAGE_MIN_SENTENCES` sentences (a brief, a
        headline), which is judged by its sentences alone."""
        if self.page is None:
            return None
        if sum(1 for _ in islice(doc.sents, PAGE_MIN_SENTENCES)) < PAGE_MIN_SENTENCES:
            return None
        probs = self.page.proba(page_features(doc), np.zeros(0, dtype=np.float32))
        return float(probs[self.page.classes.index(EVENT)])

    def scores(self, feats: dict[str, float], vec: np.ndarray) -> np.ndarray:
        """Raw class scores (logits)."""
        n_sparse = len(self.vocab)
        out = self.intercept.copy()
        idx = [(self.vocab[k], v) for k, v in feats.items() if k in self.vocab]
        if idx:
            cols, vals = zip(*idx, strict=True)
            out += self.coef[:, list(cols)] @ np.asarray(vals, dtype=np.float32)
        if vec.size and self.dense_mean.size == vec.size:
            out += self.coef[:, n_sparse:] @ ((vec - self.dense_mean) / self.dense_scale)
        return out

    def proba(self, feats: dict[str, float], vec: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax of `scores`), in the order of `classes`."""
        s = self.scores(feats, vec)
        e = np.exp(s - s.max())
        return e / e.sum()


@cache
def default_classifier() -> SentenceClassifier | None:
    """The committed model, or None when it has not been trained yet."""
    return SentenceClassifier.load() if MODEL_PATH.exists() else None


NONE = "NONE"  # the "no event" class, as in `training.CLASSES`


@dataclass(frozen=True)
class Policy:
    """How the classifier's probabilities combine with the rules (tuned on the dev split)."""

    gate: float = 0.8  # P(no event) at which a rule event is dropped ...
    keep: float = 0.15  # ... unless its own type is at least this likely
    strong: float = 0.5  # sure: a rule event naming no one, or in a sports story, kept,
    # and an added event without a named party coded, above this
    add: float = 0.4  # a type no rule found is added at this probability, above "no event"
    page: float = 0.0  # a page of PAGE_MIN_SENTENCES or more codes no event below this
    # P(it reports an event) from the page head: reviews, results, guides stay quiet
    override: float = 1.0  # a type the rules vetoed is added at this probability (never at 1)


def _load_policy() -> Policy:
    """The policy tuned with the committed model, else the defaults."""
    if POLICY_PATH.exists():
        return Policy(**json.loads(POLICY_PATH.read_text()))
    return Policy()


POLICY = _load_policy()


def lexicon_has(sent: Span, type_: str) -> bool:
    """Whether the sentence has a word the trigger lexicon gives `type_`."""
    lex = _lexicon_types()
    return any(type_ in lex.get((t.lemma_.lower(), t.pos_), ()) for t in sent)


def triggers_for(sent: Span, type_: str, override: bool = False) -> list[Token]:
    """The verbs to hang an event of `type_` on, where the rules coded none, best first.

    When the sentence has a lexicon word of that type the rules have already judged it
    (an idiom, a compound, a missing object), so there are none: their vetoes stand unless
    `override` (the classifier is near certain: "The IMF released a $337 million tranche to
    Sri Lanka" is aid though "released" wants captives). The candidates are verbs with a
    subject (headings, list items and instructions, "Create a budget", state no event): the
    root first, verbs of saying last ("Brazil granted visas, the ministry said" hangs on
    "granted").
    """
    if not override and lexicon_has(sent, type_):
        return []
    verbs = [
        t
        for t in sent
        if t.pos_ == "VERB" and t.dep_ != "amod" and any(c.dep_ in _SUBJECTS for c in t.children)
    ]
    verbs.sort(key=lambda t: (t.lemma_.lower() in SPEECH, t.i != sent.root.i))
    return verbs
