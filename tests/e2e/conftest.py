"""The browser tests' pytest hook: a test's outcome is kept on its item, so that the `page` fixture can
save a screenshot and the HTML of a failing test's page in tests/e2e/artifacts/failures/."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
