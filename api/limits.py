"""Caps that bound every request; they are part of the contract (openapi.yaml states them)."""

#: Addresses in one `POST /api/ip` batch.
BATCH_MAX = 1000
#: Items in one page of a paged list (`GET /api/subnet/split`), and the default page size.
PAGE_MAX = 1000
PAGE_DEFAULT = 100
#: Items in any other request list (summarize, exclude); the body cap bounds them too.
LIST_MAX = 100_000
#: Simulator requests: bytes one run sends, Monte Carlo runs, and runs x bytes (the core allows
#: more for the CLI; a service answers within its worker timeout).
SIM_DATA_MAX = 1024 * 1024
SIM_RUNS_MAX = 10_000
SIM_RUNS_DATA_MAX = 16 * 1024 * 1024
