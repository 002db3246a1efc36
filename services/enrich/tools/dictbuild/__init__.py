"""The parts of `build_dictionaries.py`: PETRARCH2 / Phoenix / PLOVER sources to our data."""
