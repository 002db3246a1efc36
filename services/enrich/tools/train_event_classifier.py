"""Train the sentence event classifier and tune how it combines with the rules.

Reads the labelled corpus (services/enrich/training/sentences/*.jsonl), fits a multinomial
logistic regression on the train split (C and class weighting chosen on dev), tunes the
combination policy on dev, writes services/enrich/newsflow_enrich/data/event_classifier.npz
and policy.json, and prints the dev report. The shipped model is refitted on train + dev
with the chosen settings (so its dev report is optimistic; `--no-refit` keeps train only). `--test` also prints the test split's report:
look at it only after the last change, never tune on it. Run from the repo root:

    .venv/bin/python services/enrich/tools/train_event_classifier.py [--test]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from spacy.tokens import Doc

from newsflow_enrich import classify, evaluate_sentences, training
from newsflow_enrich.classify import MODEL_PATH, POLICY_PATH, Policy, SentenceClassifier
from newsflow_enrich.core import Enricher
from newsflow_enrich.loader import load_enricher
from newsflow_enrich.training import CLASSES, Sentence

SPLITS: tuple[training.Split, ...] = ("train", "dev", "test")
MIN_COUNT = 2  # features seen once in training are noise for a linear head
QUIET_PAGES = 0.9  # the share of dev pages reporting no event that must code none
PAGE_THRESHOLDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6)
OVERRIDES = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # P(type) at which a rule veto gives way (1: never)


def rows(enricher: Enricher, docs: Sequence[tuple[Doc, Doc]]) -> list[tuple[dict, np.ndarray]]:
    """Features of each labelled sentence, as the extractor computes them in production."""
    out = []
    for title_doc, text_doc in docs:
        extractor = enricher.analyse(title_doc, text_doc, None).extractor
        picks = [c for _sent, cands in extractor.rule_picks() for c in cands]
        span = text_doc[:]
        out.append(
            (classify.features(span, [(c.type, c.weight) for c in picks]), classify.dense(span))
        )
    return out


def matrix(
    data: list[tuple[dict, np.ndarray]], vocab: dict[str, int], mean: np.ndarray, scale: np.ndarray
) -> sparse.csr_matrix:
    r, c, v = [], [], []
    for i, (feats, _vec) in enumerate(data):
        for k, val in feats.items():
            if k in vocab:
                r.append(i)
                c.append(vocab[k])
                v.append(val)
    sp = sparse.csr_matrix((v, (r, c)), shape=(len(data), len(vocab)))
    if not mean.size:
        return sp
    dense = np.vstack([(vec - mean) / scale for _f, vec in data])
    return sparse.hstack([sp, sparse.csr_matrix(dense)]).tocsr()


def fit(
    train: list[tuple[dict, np.ndarray]],
    y: list[str],
    c_value: float,
    weight: str | None,
    use_dense: bool,
) -> SentenceClassifier:
    counts = Counter(k for feats, _ in train for k in feats)
    vocab = {k: i for i, k in enumerate(sorted(k for k, n in counts.items() if n >= MIN_COUNT))}
    vecs = np.vstack([vec for _f, vec in train])
    mean, scale = vecs.mean(axis=0), vecs.std(axis=0) + 1e-6
    if not use_dense or not vecs.size:
        mean, scale = np.zeros(0, np.float32), np.zeros(0, np.float32)
    x = matrix(train, vocab, mean, scale)
    model = LogisticRegression(C=c_value, class_weight=weight, max_iter=3000)
    model.fit(x, y)
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:
        # A binary head scores only classes_[1]; as softmax logits that is (0, score).
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    known = [*CLASSES, training.EVENT]
    order = sorted(range(len(model.classes_)), key=lambda i: known.index(model.classes_[i]))
    return SentenceClassifier(
        classes=tuple(str(model.classes_[i]) for i in order),
        vocab=vocab,
        coef=coef[order].astype(np.float32),
        intercept=intercept[order].astype(np.float32),
        dense_mean=mean.astype(np.float32),
        dense_scale=scale.astype(np.float32),
    )


def clf_macro(clf: SentenceClassifier, data: list[tuple[dict, np.ndarray]], y: list[str]) -> float:
    pred = [clf.classes[int(np.argmax(clf.scores(f, v)))] for f, v in data]
    return float(f1_score(y, pred, labels=list(training.TYPES), average="macro", zero_division=0))


Rows = list[tuple[dict[str, float], np.ndarray]]


def page_head(
    data: dict[training.Split, Rows], y: dict[training.Split, list[str]], refit: bool
) -> SentenceClassifier:
    """The page head (NONE / EVENT over whole pages): C chosen on dev by accuracy."""
    fits = []
    for c_value in (1.0, 3.0, 10.0, 30.0):
        clf = fit(data["train"], y["train"], c_value, "balanced", False)
        pred = [clf.classes[int(np.argmax(clf.scores(f, v)))] for f, v in data["dev"]]
        acc = float(np.mean([p == g for p, g in zip(pred, y["dev"], strict=True)]))
        print(f"page head C={c_value}: dev accuracy {acc:.3f}", file=sys.stderr)
        fits.append((acc, c_value, clf))
    _acc, c_value, clf = max(fits, key=lambda f: f[0])
    if refit:
        clf = fit(data["train"] + data["dev"], y["train"] + y["dev"], c_value, "balanced", False)
    return clf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--test", action="store_true", help="also report the test split")
    ap.add_argument(
        "--no-refit", dest="refit", action="store_false", help="ship the train-only model"
    )
    ap.add_argument("--corpus-root", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--sample", type=int, help="only N sentences and pages per split (smoke)")
    args = ap.parse_args()
    sentences = training.load()
    split = {k: list(training.of_split(sentences, k))[: args.sample] for k in SPLITS}
    print({k: len(v) for k, v in split.items()}, Counter(s.label for s in split["train"]))
    base = dataclasses.replace(load_enricher(), classifier=None)
    pages = training.load_pages()
    psplit = {k: [p for p in pages if p.split == k][: args.sample] for k in SPLITS}
    print({k: Counter(p.label for p in v) for k, v in psplit.items()}, file=sys.stderr)
    ptexts = {k: [training.page_text(p, args.corpus_root) for p in v] for k, v in psplit.items()}
    pdocs = {k: evaluate_sentences.parse_pages(base, v) for k, v in ptexts.items()}
    empty = np.zeros(0, dtype=np.float32)
    prows = {k: [(classify.page_features(d), empty) for _t, d in v] for k, v in pdocs.items()}
    py = {k: [p.label for p in v] for k, v in psplit.items()}
    docs = {k: evaluate_sentences.parse(base, v) for k, v in split.items()}
    data = {k: rows(base, docs[k]) for k in split}
    y = {k: [s.label for s in split[k]] for k in split}

    page = page_head(prows, py, refit=False)

    fits = []
    grid = itertools.product((0.3, 1.0, 3.0), (None, "balanced"), (True, False))
    for c_value, weight, use_dense in grid:
        clf = fit(data["train"], y["train"], c_value, weight, use_dense)
        m = clf_macro(clf, data["dev"], y["dev"])
        print(
            f"C={c_value} weight={weight} dense={use_dense}: dev macro-F1 {m:.3f}", file=sys.stderr
        )
        fits.append((m, c_value, weight, use_dense, clf))
    m, c_value, weight, use_dense, clf = max(fits, key=lambda f: f[0])
    print(f"chosen C={c_value} weight={weight} dense={use_dense}", file=sys.stderr)

    enricher = dataclasses.replace(base, classifier=dataclasses.replace(clf, page=page))
    dev = Dev(split["dev"], docs["dev"], psplit["dev"], pdocs["dev"])
    policy = tune(enricher, dev)
    report(dataclasses.replace(enricher, policy=policy), dev, "[dev, train-only model] ")
    if args.refit:
        # The choices are made; the model that ships learns from train and dev together.
        clf = fit(data["train"] + data["dev"], y["train"] + y["dev"], c_value, weight, use_dense)
        page = page_head(prows, py, refit=True)
    clf = dataclasses.replace(clf, page=page)
    clf.save(MODEL_PATH)
    POLICY_PATH.write_text(json.dumps(dataclasses.asdict(policy), indent=1) + "\n")
    enricher = dataclasses.replace(base, classifier=clf, policy=policy)
    for name in ("dev", "test") if args.test else ("dev",):
        report(enricher, Dev(split[name], docs[name], psplit[name], pdocs[name]), f"[{name}] ")
    rules_only = evaluate_sentences.predict(base, split["dev"], docs["dev"])
    print(
        evaluate_sentences.format_report(
            evaluate_sentences.score(split["dev"], rules_only), "[dev, rules only] "
        )
    )


@dataclasses.dataclass(frozen=True)
class Dev:
    """One split's sentences and pages, parsed."""

    sentences: list[Sentence]
    docs: list[tuple[Doc, Doc]]
    pages: list[training.Page]
    page_docs: list[tuple[Doc, Doc]]


def report(enricher: Enricher, split: Dev, title: str) -> None:
    results = evaluate_sentences.predict(enricher, split.sentences, split.docs)
    print(
        evaluate_sentences.format_report(evaluate_sentences.score(split.sentences, results), title)
    )
    pages = evaluate_sentences.page_results(enricher, split.pages, split.page_docs)
    print(
        evaluate_sentences.format_page_report(
            evaluate_sentences.page_report(split.pages, pages), title
        )
    )


def tune(enricher: Enricher, dev: Dev) -> Policy:
    """The policy that codes most events right on dev while keeping eventless pages quiet.

    Two passes: the sentence thresholds with every rule veto standing, then how sure the
    classifier must be to override a veto. The page threshold only silences whole pages, so
    each sentence policy is scored once with it off and every threshold is applied to that
    run's page results."""
    clf = enricher.classifier
    if clf is None:
        raise ValueError("tune needs an enricher with a classifier")
    relevance = [clf.page_relevance(d) for _t, d in dev.page_docs]

    def best_of(policies: Iterable[Policy]) -> tuple[float, Policy]:
        best = (-100.0, classify.POLICY)
        for policy in policies:
            for value, page in _values(enricher, dev, policy, relevance):
                if value > best[0]:
                    best = (value, dataclasses.replace(policy, page=page))
        return best

    grid = itertools.product((0.6, 0.8), (0.2, 0.35), (0.15, 0.2, 0.3), (0.4, 0.5, 0.7))
    value, policy = best_of(
        Policy(gate=g, keep=k, strong=s, add=a, page=0.0, override=1.0) for g, k, a, s in grid
    )
    print(f"policy {policy} (value {value:.3f})", file=sys.stderr)
    value, policy = best_of(dataclasses.replace(policy, page=0.0, override=o) for o in OVERRIDES)
    print(f"policy {policy} (value {value:.3f})", file=sys.stderr)
    return policy


def _values(
    enricher: Enricher, dev: Dev, policy: Policy, relevance: list[float | None]
) -> Iterator[tuple[float, float]]:
    """(value, page threshold) of one sentence policy on dev, for each page threshold."""
    rep = evaluate_sentences.score(
        dev.sentences, evaluate_sentences.predict(enricher, dev.sentences, dev.docs, policy)
    )
    coded = [
        bool(r.events)
        for r in evaluate_sentences.page_results(
            dataclasses.replace(enricher, policy=policy), dev.pages, dev.page_docs
        )
    ]
    for threshold in PAGE_THRESHOLDS:
        kept = [c and (p is None or p >= threshold) for c, p in zip(coded, relevance, strict=True)]
        quiet = np.mean([not k for k, pg in zip(kept, dev.pages, strict=True) if not pg.event_news])
        found = np.mean([k for k, pg in zip(kept, dev.pages, strict=True) if pg.event_news])
        # Code as many events right as possible (typing and not missing them weigh the
        # same, pages that report events keep them) while pages with no event stay quiet.
        value = rep["macro_f1"] + rep["top1_accuracy"] - rep["no_event_on_event_sentences"]
        value += float(found) - (10.0 if quiet < QUIET_PAGES else 0.0)
        yield value, threshold


if __name__ == "__main__":
    main()
