"""Request and response schemas: one model per direction, typed, with OpenAPI examples.

`base` (errors, buckets), `articles`, `search` (/search, /events, /timeline), `actors`,
`ops` (ingest, jobs, health).
"""
