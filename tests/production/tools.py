"Helpers of the production tests"
import time

import pytest


def needs_manager(stack):
    """The Stack this session runs: a test that restarts or inspects the
    processes cannot run against a server started elsewhere"""
    if stack.manager is None:
        pytest.fail("this test needs the stack run by the test session "
            "(unset KAZAN_STACK_URL)")
    return stack.manager


def wait_until(predicate, timeout, what, interval=0.5):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} after {timeout} s")
        time.sleep(interval)


def companies_of(client):
    "The ids of the institutions a logged-in user may switch to"
    preferences = client._post(
        'model.res.user.get_preferences', [False, client.context])
    return sorted(preferences['companies'])
