"""`newsflow eval`: quality against gold data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from newsflow_cli.common import app

eval_app = typer.Typer(no_args_is_help=True, help="Measure quality against gold data.")
app.add_typer(eval_app, name="eval")


SplitOption = Annotated[
    str,
    typer.Option(help="train | dev | test | all: the split of the labelled data to score"),
]


@eval_app.command("enrich")
def eval_enrich(
    gold: Annotated[
        list[Path], typer.Argument(help="gold JSONL file(s), see tests/gold/FORMAT.md")
    ],
    corpus_root: Annotated[Path, typer.Option(help="the handbook corpus folder")] = Path(
        "../shared/corpus"
    ),
    split: SplitOption = "all",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Actor and event precision/recall/F1 of the enricher on gold documents."""
    from newsflow_enrich.evaluate import evaluate, format_report
    from newsflow_enrich.loader import load_enricher

    enricher = load_enricher()
    for path in gold:
        result = evaluate(
            path,
            enricher,
            corpus_root=corpus_root,
            repo_root=Path.cwd(),
            split=_split(split),
        )
        if as_json:
            print(json.dumps(result, default=str))
        else:
            print(f"== {path} ({split})")
            print(format_report(result))


@eval_app.command("events")
def eval_events(
    split: SplitOption = "test",
    corpus_root: Annotated[Path, typer.Option(help="the handbook corpus folder")] = Path(
        "../shared/corpus"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per-sentence event typing on the labelled sentence corpus, and whole labelled pages
    (services/enrich/training): do pages that report no event stay quiet?"""
    from newsflow_enrich import evaluate_sentences, training
    from newsflow_enrich.loader import load_enricher

    enricher = load_enricher()
    sentences = training.load()
    pages = training.load_pages()
    chosen = _split(split)
    if chosen is not None:
        sentences = list(training.of_split(sentences, chosen))
        pages = [p for p in pages if p.split == chosen]
    report = evaluate_sentences.score(sentences, evaluate_sentences.predict(enricher, sentences))
    docs = evaluate_sentences.parse_pages(
        enricher, [training.page_text(p, corpus_root) for p in pages]
    )
    pages_report = evaluate_sentences.page_report(
        pages, evaluate_sentences.page_results(enricher, pages, docs)
    )
    if as_json:
        print(json.dumps({**report, "pages": pages_report}))
    else:
        print(evaluate_sentences.format_report(report, f"[{split}] "))
        print(evaluate_sentences.format_page_report(pages_report, f"[{split}] "))


def _split(name: str) -> Any:
    if name == "all":
        return None
    if name not in {"train", "dev", "test"}:
        raise typer.BadParameter(f"split must be train, dev, test or all, not {name!r}")
    return name
