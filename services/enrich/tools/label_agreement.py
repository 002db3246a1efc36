"""How far two labellers agree on the same sentences: the ceiling of the sentence measures.

`services/enrich/training/agreement/*.jsonl` are second labels, given blind by reading, of
sentences that `sentences/gold_dev.jsonl` already labels (the fundus-en pages of the
enrichment development set). They are not training data: the two copies would have
different ids and could fall in different splits. Sentences are paired by their text
(`norm_space`: whitespace and quotes normalised). Prints one JSON object. Run from the repo root:

    .venv/bin/python services/enrich/tools/label_agreement.py
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from newsflow_enrich.evaluate import norm_space
from newsflow_enrich.training import NONE, load

TRAINING = Path(__file__).resolve().parents[1] / "training"
FIRST = TRAINING / "sentences" / "gold_dev.jsonl"
SECOND = sorted((TRAINING / "agreement").glob("*.jsonl"))


def share(flags: Iterable[bool]) -> float | None:
    """The share of true flags, None when there are none."""
    seen = list(flags)
    return round(sum(seen) / len(seen), 3) if seen else None


def main() -> None:
    first = {norm_space(s.text): s for s in load([FIRST])}
    pairs = [(first[key], s) for s in load(SECOND) if (key := norm_space(s.text)) in first]
    both = [(a, b) for a, b in pairs if a.label != NONE and b.label != NONE]
    table = Counter((a.label != NONE, b.label != NONE) for a, b in pairs)
    print(
        json.dumps(
            {
                "paired_sentences": len(pairs),
                "event_or_not_agreement": share(
                    (a.label == NONE) == (b.label == NONE) for a, b in pairs
                ),
                "first_event_second_none": table[(True, False)],
                "first_none_second_event": table[(False, True)],
                "both_event": len(both),
                "same_main_type": share(a.label == b.label for a, b in both),
                "types_overlap": share(
                    bool({a.label, *a.also} & {b.label, *b.also}) for a, b in both
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
