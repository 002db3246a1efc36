"""The one way to build the configured enricher: worker, CLI `eval`, training and benches.

The core takes its model and NER backend as arguments (it reads no settings); this is where
`EnrichSettings` turns into them, so every caller enriches exactly as the workers do.
"""

from __future__ import annotations

import dataclasses

from newsflow_enrich.core import Enricher
from newsflow_enrich.ner import make_backend
from newsflow_enrich.settings import EnrichSettings, get_enrich_settings


def load_enricher(settings: EnrichSettings | None = None) -> Enricher:
    """The spaCy pipeline, the NER backend and the event classifier, as configured."""
    s = settings or get_enrich_settings()
    enricher = Enricher.load(s.model, ner=make_backend(s.ner, s.corenlp_url, s.corenlp_timeout))
    return enricher if s.classifier else dataclasses.replace(enricher, classifier=None)
