"""The core's own tests, run where our modules are activated too.

Tryton's ``account`` and ``company`` test cases and the ``account``
scenarios judge our overrides: each runs in a database where
``kazan_accounting`` and ``kazan_payroll`` are activated beside the module
under test (``extras``).  Run with Tryton's runner (``make test-core``)::

    python -m unittest tests.core.test_company tests.core.test_account \\
        tests.core.test_scenario

pytest does not collect this folder (tests/conftest.py): the account
suite alone takes minutes.  README lists the core tests that cannot hold.
"""
EXTRAS = ['kazan_accounting', 'kazan_payroll']
