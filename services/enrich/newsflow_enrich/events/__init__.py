"""Sentence-level events from the dependency parse and the trigger lexicon.

For each trigger token: its PLOVER type (conditions on objects/particles), source and target
actors from the parse (subjects, passive agents, objects, "with/against/on X", conjuncts,
the subject of the verb governing a noun trigger), who reports it (verbs of saying above
it, "according to X", the speaker of the quote it sits in), negation, hypothetical and
future flags, mode cues, date and location. One event per (sentence, type): the trigger
highest in the tree wins and the others fill in what it lacks.
"""

from newsflow_enrich.events.extractor import EventExtractor

__all__ = ["EventExtractor"]
