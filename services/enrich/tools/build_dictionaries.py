"""Convert the PETRARCH2 / Phoenix dictionaries and the CAMEO->PLOVER table into our data.

Run once (again only when a source changes):

    .venv/bin/python services/enrich/tools/build_dictionaries.py \
        --reference /work/shared/reference

Writes `verbs.json`, `actors.json`, `agents.json` and `discards.json` into
`services/enrich/newsflow_enrich/data/`, each with a header naming every input file, its
licence and its sha256. Formats: PETRARCH2 `dictionaries.rst`; PLOVER
`CAMEO2PLOVER-2021.txt` ("0311: AGREE, , economic # comment": type, mode, context).

Verb patterns are reduced to what a dependency-based coder can check: the verb lemma, an
optional particle, a direct-object phrase, one preposition with its object, a subject
phrase. Patterns needing more (adverbs, two prepositional phrases, clause words such as
"if") are left out rather than loosened, and counted. Noun phrases are lemmatised with the
spaCy pipeline the enricher uses, so they compare equal to the lemmas it sees at run time.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from dictbuild.actors import write_actors
from dictbuild.common import PETRARCH, source
from dictbuild.lists import build_agents, build_discards
from dictbuild.output import header, write
from dictbuild.verbs import write_verbs

HERE = Path(__file__).resolve()
DATA = HERE.parents[1] / "newsflow_enrich" / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=Path("/work/shared/reference"))
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    ref, out = args.reference, args.out
    out.mkdir(parents=True, exist_ok=True)

    stats: Counter[str] = Counter()
    write_verbs(ref, out, stats)
    write_actors(ref, out, stats)

    agents = build_agents(ref / "petrarch2/Phoenix.agents.txt", stats)
    write(
        out / "agents.json",
        header(
            [source(ref, "petrarch2/Phoenix.agents.txt", PETRARCH)],
            {k: stats[k] for k in stats if k.startswith("agent")},
            "Agent noun (lower case; multiword allowed) -> CAMEO sector code.",
        ),
        "agents",
        agents,
    )
    discards = build_discards(ref / "petrarch2/Phoenix.discards.txt", stats)
    write(
        out / "discards.json",
        header(
            [source(ref, "petrarch2/Phoenix.discards.txt", PETRARCH)],
            {"discards": stats["discards"]},
            "Phrases whose sentence (scope sentence) or whole story (scope story) PETRARCH "
            "does not code; whole_word: the match must end at a word boundary.",
        ),
        "discards",
        discards,
    )
    for key, value in stats.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
