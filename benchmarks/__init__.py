"""netutil benchmarks: `python -m benchmarks [NAME ...]`.

Each `bench_NAME.py` module has `run(quick: bool) -> None` and reports through `benchmarks.harness`,
which prints netutil's median next to its peer's from the same run and the ratio.
"""
