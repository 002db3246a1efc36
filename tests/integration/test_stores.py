"""Indices, the content store and the ledger against the real Elasticsearch and Redis."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import BadRequestError

from helpers import REPO
from newsflow_shared.errors import PermanentError
from newsflow_shared.indices import (
    CURRENT_VERSION,
    drop_indices,
    init_indices,
    load_mapping,
    names,
    partitions,
)
from newsflow_shared.ledger import Ledger
from newsflow_shared.messages import Enrichment, ParsedArticle, SourceKind

pytestmark = pytest.mark.integration


def test_node_is_elasticsearch_9(es) -> None:  # type: ignore[no-untyped-def]
    nodes = es.nodes.info(node_id="_local", metric="plugins")["nodes"]
    node = next(iter(nodes.values()))
    assert node["version"].startswith("9."), node["version"]


def _analysis_names(obj: Any) -> set[str]:
    """Every analyzer/normalizer/tokenizer/filter a mapping body names, recursively."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("analyzer", "search_analyzer", "normalizer", "tokenizer") and isinstance(
                v, str
            ):
                out.add(v)
            elif k in ("filter", "char_filter") and isinstance(v, list):
                out.update(x for x in v if isinstance(x, str))
            else:
                out |= _analysis_names(v)
    elif isinstance(obj, list):
        for x in obj:
            out |= _analysis_names(x)
    return out


def test_mappings_need_nothing_the_stripped_build_lacks(es, indices) -> None:  # type: ignore[no-untyped-def]
    """Only the server's built-in `standard` analysis: no analysis-common, no scripts, no pipelines."""
    for path in sorted((REPO / "infra" / "elasticsearch").glob("*.json")):
        body = json.loads(path.read_text())
        assert _analysis_names(body) <= {"standard"}, path
        text = path.read_text()
        for needle in ('"script"', '"default_pipeline"', '"final_pipeline"', '"analysis"'):
            assert needle not in text, (path, needle)
    # and the node we test against really created them and analyses with them
    # (one concrete index: the alias spans every month partition other tests have made)
    current = names("articles", indices).partition(datetime.now(UTC).strftime("%Y-%m"))
    tokens = es.indices.analyze(index=current, field="text", text="Russia's Attacks")
    assert [t["token"] for t in tokens["tokens"]] == ["russia's", "attacks"]


def test_init_is_idempotent_and_aliases_point_at_current_versions(es, indices) -> None:  # type: ignore[no-untyped-def]
    assert init_indices(es, indices) == []
    month = datetime.now(UTC).strftime("%Y-%m")
    for logical in CURRENT_VERSION:
        n = names(logical, indices)
        index = n.partition(month) if n.partitioned else n.concrete
        aliases = es.indices.get_alias(index=index)[index]["aliases"]
        if n.partitioned:  # written by name, read through the alias the template gives
            assert set(aliases) == {n.read}
            got = es.indices.get_index_template(name=n.concrete)["index_templates"][0]
            assert got["index_template"]["index_patterns"] == [n.pattern]
        else:
            assert set(aliases) == {n.read, n.write}
            assert aliases[n.write].get("is_write_index") is True
        mapping = es.indices.get_mapping(index=index)[index]["mappings"]
        assert mapping["dynamic"] == "strict"
        assert mapping["_meta"]["version"] == load_mapping(logical)["_meta"]["version"]


def test_init_brings_dynamic_settings_back_to_the_json(es, indices) -> None:  # type: ignore[no-untyped-def]
    """Settings that change without a new version follow the JSON; absent ones reset."""
    articles = names("articles", indices).partition(datetime.now(UTC).strftime("%Y-%m"))
    content = names("content", indices).concrete
    es.indices.put_settings(index=articles, settings={"index": {"refresh_interval": "7s"}})
    es.indices.put_settings(index=content, settings={"index": {"refresh_interval": "2s"}})
    actions = init_indices(es, indices)
    assert len(actions) == 2, actions
    got = es.indices.get_settings(index=f"{articles},{content}")
    assert "refresh_interval" not in got[articles]["settings"]["index"]  # JSON: the default
    assert (
        got[content]["settings"]["index"]["refresh_interval"]
        == (load_mapping("content")["settings"]["index"]["refresh_interval"])
    )
    assert init_indices(es, indices) == []


def test_shards_and_replicas_are_settings(es) -> None:  # type: ignore[no-untyped-def]
    """A deployment's shard and replica counts go into the templates and every index; a new
    replica count reaches the existing partitions, and the template changes only once."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    try:
        init_indices(es, prefix, shards=2, replicas=0)
        art = names("articles", prefix)
        es.index(index=art.partition("2019-05"), id="a", document={"title": "x"})
        actions = init_indices(es, prefix, shards=2, replicas=1)
        assert any("installed template" in a for a in actions), actions
        assert init_indices(es, prefix, shards=2, replicas=1) == []
        for index in (art.partition("2019-05"), names("content", prefix).concrete):
            got = es.indices.get_settings(index=index)[index]["settings"]["index"]
            assert (got["number_of_shards"], got["number_of_replicas"]) == ("2", "1"), index
    finally:
        drop_indices(es, prefix)
    assert partitions(es, "articles", prefix) == []


def test_strict_mapping_refuses_unknown_fields(es, indices) -> None:  # type: ignore[no-untyped-def]
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError):
        es.index(index=names("articles", indices).partition("2001-01"), id="x",
                 document={"no_such_field": 1})  # fmt: skip


def test_content_store_round_trip(runtime) -> None:  # type: ignore[no-untyped-def]
    store = runtime.store
    doc_id = "t" + uuid.uuid4().hex
    raw = "<html><meta charset='windows-1251'>Киев</html>".encode("cp1251")
    store.put_raw(doc_id, raw, source_kind="url", url="https://x.org/a", encoding="windows-1251")
    got, meta = store.get_raw(doc_id)
    assert got == raw and meta["encoding"] == "windows-1251" and meta["url"] == "https://x.org/a"
    article = ParsedArticle(
        doc_id=doc_id,
        title="T",
        text="Body text",
        source_kind=SourceKind.URL,
        parser="p",
        published=datetime(2025, 7, 3, tzinfo=UTC),
    )
    store.put_parsed(article)
    assert store.get_article(doc_id) == (article, None)
    enr = Enrichment(language="en", enricher="e")
    store.put_enrichment(doc_id, enr)
    assert store.get_article(doc_id) == (article, enr)
    with pytest.raises(PermanentError) as e:
        store.get_parsed("t-missing")
    assert e.value.reason == "content_missing"
    # a batch read: found, missing, and a stored part this version cannot read
    bad = "t" + uuid.uuid4().hex
    runtime.es.index(
        index=store.n.write,
        id=f"{bad}:parsed",
        document={"doc_id": bad, "part": "parsed", "parsed": {"title": 1}},
    )
    got_many = store.get_articles([doc_id, "t-missing", bad])
    assert got_many[doc_id] == (article, enr)
    missing, invalid = got_many["t-missing"], got_many[bad]
    assert isinstance(missing, PermanentError) and missing.reason == "content_missing"
    assert isinstance(invalid, PermanentError) and invalid.reason == "content_invalid"
    runtime.es.indices.refresh(index=names("content", runtime.settings.index_prefix).read)
    selected = [r["doc_id"] for r in store.select(stage_done="fetched", doc_ids=[doc_id])]
    assert selected == [doc_id]


def test_ledger_accounts_for_every_item(redis) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(redis, prefix=f"t{uuid.uuid4().hex[:8]}")
    ledger.create_job("j", "test")
    for i in range(6):
        ledger.add_item("j", f"{i}", f"https://x.org/{i}", "url")
    assert ledger.summary("j")["counts"] == {"queued": 6}
    assert ledger.start("j", "0", "fetch") == 1
    assert ledger.start("j", "0", "fetch") == 2  # a redelivery counts as an attempt
    ledger.indexed("j", "0", "d0")
    ledger.reject("j", "1", "fetch", "http_404", "gone")
    ledger.fail("j", "2", "fetch", "TransientError: timeout")
    ledger.expanded("j", "3", 2)
    ledger.start("j", "4", "parse")
    s = ledger.summary("j")
    assert s["counts"] == {
        "indexed": 1,
        "rejected": 1,
        "failed": 1,
        "expanded": 1,
        "parse": 1,
        "queued": 1,
    }
    assert s["submitted"] == 6 and s["in_flight"] == 2 and not s["done"]
    problems = ledger.items("j", ("rejected", "failed"))
    assert [(p["item_id"], p.get("reason"), p.get("error")) for p in problems] == [
        ("1", "http_404", None),
        ("2", None, "TransientError: timeout"),
    ]
    assert ledger.item("j", "0")["attempts:fetch"] == "2"


def test_init_adds_a_new_field_of_the_current_version_in_place(es, indices) -> None:  # type: ignore[no-untyped-def]
    """A partition made before a field joined its version's JSON (here: actors.spans, the
    stored mention offsets) gets the field from init; documents then carry it."""
    prefix = f"{indices}older-"
    n = names("articles", prefix)
    older = n.partition("2020-01")
    body = load_mapping("articles")
    old = copy.deepcopy(body["mappings"])
    del old["properties"]["actors"]["properties"]["spans"]
    es.indices.create(index=older, settings=body["settings"], mappings=old)
    try:
        with pytest.raises(BadRequestError):  # strict: the old mapping refuses the field
            es.index(index=older, id="a", document={"actors": [{"id": "x", "spans": []}]})
        actions = init_indices(es, prefix)
        assert f"added actors.spans to {older}" in actions
        doc = {"actors": [{"id": "x", "spans": [{"start": 0, "end": 6}]}]}
        es.index(index=older, id="a", document=doc, refresh=True)
        assert es.get(index=older, id="a")["_source"] == doc
        assert init_indices(es, prefix) == []
    finally:
        drop_indices(es, prefix)
