"""Pure request builders of the search API; nothing here does I/O, so every body the API
sends can be built (and unit-tested, and sent directly by the benchmark) without a server.

- `params`: the query parameters of the list endpoints, declared once (pydantic models
  whose filter fields carry their Elasticsearch rule)
- `filters`: the rules and the plan derived from them (multi-select facets)
- `syntax`: the user query syntax and its full-text clauses
- `bodies`: one search body builder for articles and events, facets, the timeline
- `actors`: actor lookup and profile bodies
- `cursor`: opaque cursors bound to their query
- `clauses`: the parameter error and the small clauses the others share
"""
