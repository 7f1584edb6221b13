"""Caps that bound every request; they are part of the contract (openapi.yaml states them)."""

from netutil.sim.request import Budget

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
#: The work one simulator request may cost here, checked inside the simulator's loops (a
#: request past it is a 422 problem naming the allowance): 1,000,000 events over all runs and
#: 4 s of CPU (the costliest requests within the caps above take minutes), 25,000 trace records
#: in one run (about 7.5 MB of JSON, under the 8 MiB response budget of api.config).
SIM_BUDGET = Budget(events=1_000_000, segments=500_000, trace_events=25_000, cpu_seconds=4.0)
