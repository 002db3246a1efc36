"""Index names, versioned mappings as data, and the one idempotent `init` that creates them.

`content` is one concrete, versioned index (`content-v1`) behind a read alias (`content`)
and a write alias (`content-write`). `articles` and `events` are partitioned by month
(`articles-v1-2026-11`: the article's publication month, else the month it was indexed;
an article's events live in the partition of the same month): `init` installs a composable
index template per logical index (`articles-v1` for `articles-v1-*`) that carries the
mapping, the settings and the read alias, and creates the current month's partitions so
the aliases always exist. The index stage writes to a month's partition by name, and
Elasticsearch creates a partition it has not seen from the template; readers only ever use
the read aliases (`articles`, `events`). Only `init` decides a mapping.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

LOGICAL_INDICES = ("articles", "events", "content")
PARTITIONED = ("articles", "events")
# Index settings that may change without a new index version: `init` brings existing
# indices in line with the JSON (a setting absent from the JSON is reset to its default).
DYNAMIC_SETTINGS = ("refresh_interval", "number_of_replicas")
CURRENT_VERSION = {"articles": 1, "events": 1, "content": 1}
# Above the built-in templates (priority 100), whose patterns never overlap ours anyway.
TEMPLATE_PRIORITY = 200


@dataclass(frozen=True)
class IndexNames:
    """Concrete, partition and alias names of one logical index under a prefix."""

    logical: str
    prefix: str = ""

    @property
    def version(self) -> int:
        return CURRENT_VERSION[self.logical]

    @property
    def partitioned(self) -> bool:
        return self.logical in PARTITIONED

    @property
    def concrete(self) -> str:
        """The index (`content-v1`); for a partitioned index the template's name and the
        name of a single, unpartitioned index made before partitions (`newsflow migrate`)."""
        return f"{self.prefix}{self.logical}-v{self.version}"

    @property
    def pattern(self) -> str:
        """The partitions' index pattern (`articles-v1-*`)."""
        return f"{self.concrete}-*"

    def partition(self, month: str) -> str:
        """The partition of `month` (`2026-11`)."""
        return f"{self.concrete}-{month}"

    @property
    def read(self) -> str:
        return f"{self.prefix}{self.logical}"

    @property
    def write(self) -> str:
        """The write alias of an unpartitioned index (partitions are written by name)."""
        return f"{self.prefix}{self.logical}-write"


def names(logical: str, prefix: str = "") -> IndexNames:
    """Names for a logical index (`articles`, `events` or `content`)."""
    if logical not in CURRENT_VERSION:
        raise ValueError(f"unknown index {logical!r}")
    return IndexNames(logical, prefix)


def month_of(published: str | None, indexed: str) -> str:
    """The partition month (`2026-11`) of a document with these ISO dates: its publication
    month, else the month it was indexed."""
    when = datetime.fromisoformat(published or indexed)
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{when.year:04d}-{when.month:02d}"


def sibling(index: str, source: IndexNames, target: IndexNames) -> str:
    """The index of `target` that pairs with `index` of `source` (same month, or both the
    unpartitioned ones): an article's events live in `sibling(its index, articles, events)`."""
    if not index.startswith(source.concrete):
        raise ValueError(f"{index!r} is not an index of {source.concrete!r}")
    return target.concrete + index[len(source.concrete) :]


def _mapping_dir() -> Path:
    # In a checkout the mappings live in infra/elasticsearch; in a wheel they are
    # force-included under newsflow_shared/_infra (see pyproject).
    repo = Path(__file__).resolve().parents[2] / "infra" / "elasticsearch"
    if repo.is_dir():
        return repo
    return Path(str(resources.files("newsflow_shared") / "_infra" / "elasticsearch"))


@cache
def load_mapping(logical: str, version: int | None = None) -> dict[str, Any]:
    """The settings+mappings body of `<logical>.v<version>.json`."""
    v = version or CURRENT_VERSION[logical]
    path = _mapping_dir() / f"{logical}.v{v}.json"
    body: dict[str, Any] = json.loads(path.read_text())
    return body


def index_settings(
    logical: str, shards: int | None = None, replicas: int | None = None
) -> dict[str, Any]:
    """The JSON's index settings with the deployment's shard and replica counts, if set."""
    settings = dict(load_mapping(logical)["settings"]["index"])
    if shards is not None:
        settings["number_of_shards"] = shards
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    return settings


def init_indices(
    es: Elasticsearch, prefix: str = "", *, shards: int | None = None, replicas: int | None = None
) -> list[str]:
    """Install templates, create missing indices and point aliases at the current versions;
    bring dynamic settings (refresh, replicas) of existing indices in line. Idempotent.

    `shards`/`replicas` override the JSON's (NEWSFLOW_ES_SHARDS/_REPLICAS); a new shard
    count applies to partitions created from then on. Returns the actions taken.
    """
    actions: list[str] = []
    month = datetime.now(UTC).strftime("%Y-%m")
    for logical in LOGICAL_INDICES:
        n = names(logical, prefix)
        settings = index_settings(logical, shards, replicas)
        if n.partitioned:
            actions.extend(_put_template(es, n, settings))
            current = n.partition(month)
            if not es.indices.exists(index=current):
                es.indices.create(index=current)  # from the template, with its alias
                actions.append(f"created {current}")
            existing = _existing(es, n.pattern)
            if es.indices.exists(index=n.concrete):
                existing.append(n.concrete)
                actions.append(f"{n.concrete} is not partitioned: run `newsflow migrate`")
            for index in existing:
                actions.extend(_sync_dynamic_settings(es, index, settings))
                actions.extend(_add_new_fields(es, index, load_mapping(logical)["mappings"]))
            continue
        if not es.indices.exists(index=n.concrete):
            es.indices.create(index=n.concrete, settings={"index": settings}, mappings=_mappings(n))
            actions.append(f"created {n.concrete}")
        else:
            actions.extend(_sync_dynamic_settings(es, n.concrete, settings))
            actions.extend(_add_new_fields(es, n.concrete, load_mapping(logical)["mappings"]))
        actions.extend(_point_aliases(es, n))
    return actions


def _mappings(n: IndexNames) -> dict[str, Any]:
    body = load_mapping(n.logical)
    return {**body["mappings"], "_meta": body["_meta"]}


def _put_template(es: Elasticsearch, n: IndexNames, settings: dict[str, Any]) -> list[str]:
    """Install or update `n`'s index template; a digest in its `_meta` says whether the
    installed one is what the JSON and settings ask for."""
    template = {"settings": {"index": settings}, "mappings": _mappings(n), "aliases": {n.read: {}}}
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:16]
    got = es.options(ignore_status=404).indices.get_index_template(name=n.concrete)
    for t in got.get("index_templates", []):
        if t["index_template"].get("_meta", {}).get("digest") == digest:
            return []
    es.indices.put_index_template(
        name=n.concrete,
        index_patterns=[n.pattern],
        priority=TEMPLATE_PRIORITY,
        template=template,
        meta={"digest": digest, "version": n.version},
    )
    return [f"installed template {n.concrete} ({n.pattern} -> alias {n.read})"]


def _existing(es: Elasticsearch, pattern: str) -> list[str]:
    """The indices matching `pattern` (hidden and closed ones too)."""
    got = es.indices.get(index=pattern, expand_wildcards="all", ignore_unavailable=True)
    return sorted(got.body)


def _point_aliases(es: Elasticsearch, n: IndexNames) -> list[str]:
    alias_actions: list[dict[str, Any]] = []
    for alias, is_write in ((n.read, False), (n.write, True)):
        holders: set[str] = set()
        if es.indices.exists_alias(name=alias):
            holders = set(es.indices.get_alias(name=alias).body)
        if holders == {n.concrete}:
            continue
        for old in holders - {n.concrete}:
            alias_actions.append({"remove": {"index": old, "alias": alias}})
        add: dict[str, Any] = {"index": n.concrete, "alias": alias}
        if is_write:
            add["is_write_index"] = True
        alias_actions.append({"add": add})
    if not alias_actions:
        return []
    es.indices.update_aliases(actions=alias_actions)
    return [f"aliased {n.read}, {n.write} -> {n.concrete}"]


def _new_fields(wanted: dict[str, Any], current: dict[str, Any], prefix: str = "") -> list[str]:
    """Paths of fields in the JSON's `properties` that the index's mapping lacks."""
    out: list[str] = []
    for name, spec in wanted.items():
        if name not in current:
            out.append(prefix + name)
        elif "properties" in spec:
            out += _new_fields(
                spec["properties"], current[name].get("properties", {}), f"{prefix}{name}."
            )
    return out


def _add_new_fields(es: Elasticsearch, index: str, mappings: dict[str, Any]) -> list[str]:
    """A field added to the JSON of the current version is added to the index in place
    (Elasticsearch merges new fields into a mapping; changing a field's type needs a new
    version). Documents indexed before have no value for it."""
    current = es.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    added = _new_fields(mappings["properties"], current)
    if not added:
        return []
    es.indices.put_mapping(index=index, properties=mappings["properties"])
    return [f"added {', '.join(added)} to {index}"]


def _sync_dynamic_settings(es: Elasticsearch, index: str, settings: dict[str, Any]) -> list[str]:
    wanted = {k: settings.get(k) for k in DYNAMIC_SETTINGS}
    current = es.indices.get_settings(index=index)[index]["settings"]["index"]
    changed = {k: v for k, v in wanted.items() if current.get(k) != (None if v is None else str(v))}
    if not changed:
        return []
    es.indices.put_settings(index=index, settings={"index": changed})
    return [f"updated {index} settings {changed}"]


def partitions(es: Elasticsearch, logical: str, prefix: str = "") -> list[str]:
    """The existing partitions of a partitioned index, oldest month first."""
    return _existing(es, names(logical, prefix).pattern)


def drop_indices(es: Elasticsearch, prefix: str) -> None:
    """Delete every index and template under `prefix` (cleans up isolated test runs)."""
    if not prefix:
        raise ValueError("refusing to drop indices without a prefix")
    # Wildcard deletes are refused by default (action.destructive_requires_name), so name each.
    for logical in LOGICAL_INDICES:
        n = names(logical, prefix)
        doomed = [n.concrete, *(_existing(es, n.pattern) if n.partitioned else [])]
        for i in range(0, len(doomed), 50):
            es.indices.delete(index=",".join(doomed[i : i + 50]), ignore_unavailable=True)
        if n.partitioned:
            es.options(ignore_status=404).indices.delete_index_template(name=n.concrete)
