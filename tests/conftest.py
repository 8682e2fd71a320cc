from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI: enough examples to matter, derandomized so a failure reproduces from the log.
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the review classifier's accuracy and its misses with every test run."""
    from tests.test_reviews import classifier_report

    terminalreporter.write_sep("-", "review classifier")
    terminalreporter.write_line(classifier_report())
    from tests.test_docs_commands import COUNTS, summary

    if COUNTS:  # the docs-commands test ran: what it ran and skipped, with the reasons
        terminalreporter.write_sep("-", "docs commands")
        terminalreporter.write_line(summary())
