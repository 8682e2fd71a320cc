"""Benchmarks: run with ``python -m benchmarks`` (``--quick``, ``--json``); not part of the tests.

Every suite measures its contenders side by side in one process and reports
medians, so ratios are comparable within a run. See ``docs/performance.md``.
"""
