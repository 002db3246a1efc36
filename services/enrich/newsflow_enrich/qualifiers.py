"""Where a mention's country and role come from in the words around it: the title chain
before a person ("North Korean leader", "Brazil's President"), the country words of an
organisation's name ("Kyrgyz border authorities", "Supreme Court of Pakistan", "Kurdistan
Regional Government")."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsflow_enrich import gazetteer as gz
from newsflow_enrich.mentions import Mention

_ROLE_DEPS = {"compound", "amod", "poss", "case", "nmod", "npadvmod"}


def left_context(doc: Doc, m: Mention) -> list[Token]:
    """Modifier tokens just left of a mention in the same noun phrase ("U.S. President")."""
    chain: list[Token] = []
    k = m.start - 1
    while k >= 0:
        tok = doc[k]
        if tok.tag_ == "POS" and k > 0 and tok.head.i == k - 1:
            # "Brazil's President Lula": the possessive marker hangs on its possessor.
            chain.insert(0, tok)
            k -= 1
            continue
        if tok.is_punct or tok.dep_ not in _ROLE_DEPS or not (k < tok.head.i < m.end + 3):
            break
        chain.insert(0, tok)
        k -= 1
    return chain


def place_code(text: str) -> str | None:
    low = text.lower()
    return (
        gz.country_code(low)
        or gz.demonym_code(low)
        or gz.CAPITALS.get(low)
        or gz.subdivision_country(low)  # "Montana's Republican Gov. Greg Gianforte"
    )


def of_country(doc: Doc, m: Mention) -> str | None:
    """The country an "of" after a name gives it: a country's or a place's ("the Supreme
    Court of Pakistan", "the Central Bank of Nigeria", "Students at the University of
    Dhaka")."""
    k = m.end
    if k >= len(doc) or doc[k].lower_ != "of":
        return None
    k += 1 + (k + 1 < len(doc) and doc[k + 1].lower_ == "the")
    for n in (3, 2, 1):
        if k + n <= len(doc):
            span = doc[k : k + n]
            if not all(t.is_title or t.is_upper for t in span):
                continue
            code = gz.country_code(span.text) or gz.place_country(span.text)
            if code:
                return code
    return None


def multiword_codes(chain: list[Token]) -> dict[int, str]:
    """Countries named by two or three words of a chain ("North Korean leader", "Sri Lankan
    navy", "New Zealand's"), by the index of each word they cover: one word alone would
    say another country ("Korean") or none ("Lankan")."""
    out: dict[int, str] = {}
    for n in (3, 2):
        for i in range(len(chain) - n + 1):
            if any(j in out for j in range(i, i + n)):
                continue
            code = place_code(" ".join(t.text for t in chain[i : i + n]))
            if code:
                out.update(dict.fromkeys(range(i, i + n), code))
    return out


def role_and_country(doc: Doc, m: Mention) -> tuple[str, str | None]:
    chain = left_context(doc, m)
    multi = multiword_codes(chain)
    country: str | None = None
    words: list[str] = []
    for k, tok in enumerate(chain):
        low = tok.lower_
        code = multi.get(k) or place_code(low)
        seat = gz.GOVERNMENT_SEATS.get(low)
        if tok.tag_ == "POS" or low in {"former", "the"}:
            continue
        if code and not seat:
            country = country or code
            continue
        if seat:
            country = country or seat
        if tok.ent_type_ == "PERSON":
            continue
        words.append(tok.text)
    if m.title:
        words.append(m.title)
    role = " ".join(words)
    if not role:
        root = doc[m.end - 1]
        for child in root.children:
            if child.dep_ == "appos" and not child.ent_type_:
                toks = [t for t in child.subtree if t.dep_ not in {"det", "punct", "relcl"}]
                if len(toks) <= 6:
                    role = " ".join(t.text for t in toks)
    return role, country


def org_country(doc: Doc, m: Mention) -> tuple[str | None, str, bool]:
    """Country qualifying an organisation, its generic name ("Defense Department"), and
    whether its own name says where (a region's body: "South Yorkshire Police")."""
    words = m.text.split()
    code = None
    while len(words) > 1 and (gz.country_code(words[0]) or gz.demonym_code(words[0])):
        code = code or gz.country_code(words[0]) or gz.demonym_code(words[0])
        words = words[1:]
    generic = " ".join(words)
    if code is None and m.start >= 2 and doc[m.start - 1].tag_ == "POS":
        prev = doc[m.start - 2].text
        code = gz.country_code(prev) or gz.GOVERNMENT_SEATS.get(prev.lower())
    if code is None and m.start >= 1:
        code = gz.demonym_code(doc[m.start - 1].text)
    if code is None:
        code = of_country(doc, m)
    if code is None and "of" in words[1:-1]:
        # "University of Dhaka", "Bank of England": the place the name itself ends in
        tail = words[len(words) - words[::-1].index("of") :]
        tail = tail[1:] if tail[0].lower() == "the" and len(tail) > 1 else tail
        code = gz.country_code(" ".join(tail)) or gz.place_country(" ".join(tail))
        if code:
            return code, generic, True
    for n in (2, 1):
        if code is None and len(words) > n and gz.sector_of(" ".join(words[n:])):
            # "Kurdistan Regional Government", "South Yorkshire Police": a body of a region,
            # whose own name says where (no "United Kingdom's" before it)
            code = gz.place_country(" ".join(words[:n]))
            if code:
                return code, generic, True
    if code is None:
        # "Zimbabwe's ruling ZANU-PF party", "Kyrgyz border authorities", "Sri Lankan navy"
        chain = left_context(doc, m)
        multi = multiword_codes(chain)
        left = (
            multi.get(k) or gz.country_code(t.text) or gz.demonym_code(t.text)
            for k, t in enumerate(chain)
        )
        code = next((c for c in left if c), None)
    return code, generic, False
