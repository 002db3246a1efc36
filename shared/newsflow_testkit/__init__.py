"""Running the pipeline locally with real processes, for the tests and the benchmarks.

Not part of any service and not shipped with them (no service imports it): Celery workers
started and stopped as processes (`workers`), the handbook corpus read by path (`corpus`),
and a local HTTP server of corpus pages and the bad cases a crawler meets (`pageserver`).
"""
