# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""One unit of work in one transaction, retried as Tryton asks.

The services (onboarding, payroll, statements) and the tests call their work
through ``in_transaction``: Tryton asks for locks by raising a
``TransactionError`` and takes them without waiting (NOWAIT), so a batch
user must roll back, start again with the locks asked for, and pause while
another process holds them, as Tryton's own RPC dispatcher does.
"""
import random
import time

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

# The tables whose locks TransactionErrors asked for, per database: kept for
# the life of the process so that only the first transaction is ever redone.
# Record locks (a fiscal year's move sequence...) are kept for one call
# only: they belong to one institution, and carrying them over would make
# every later transaction lock every earlier institution's records, and
# parallel workers wait for each other.
_EXTRAS = {}

# How long a transaction is tried again when PostgreSQL refuses a lock
# (another worker holds it, for its own transaction of about a second) or a
# serialization fails; the pauses grow to a second at most.
RETRY_SECONDS = 600


def in_transaction(database_name, func, readonly=False, context=None):
    """Call func(pool) in one transaction as user 0; commit on success.

    Tryton asks for some locks (tables such as the fiscal years, records
    such as a move sequence) by raising a TransactionError: the transaction
    is then rolled back, started again with what the error asks for, and
    func called again.  Tryton takes its locks without waiting (NOWAIT):
    when another process holds one, the transaction is tried again after a
    pause, as Tryton's own RPC dispatcher does.  Once committed, the tasks
    the transaction queued (``__queue__``: an invoice paid by a
    reconciliation...) are run as that dispatcher runs them when no worker
    serves the queue."""
    tables = _EXTRAS.setdefault((database_name, readonly), {})
    records = {}
    attempt = 0
    deadline = time.monotonic() + RETRY_SECONDS
    while True:
        extras = dict(tables)
        if records:
            extras['_lock_records'] = records
        try:
            # the locks asked for before are taken when it starts
            with Transaction().start(database_name, 0, readonly=readonly,
                    context=context or {}, **extras) as transaction:
                try:
                    result = func(Pool())
                except TransactionError as e:
                    transaction.rollback()
                    transaction.tasks.clear()
                    asked = {}
                    e.fix(asked)
                    for table in asked.get('_lock_tables', []):
                        tables.setdefault('_lock_tables', []).append(table)
                    for table, ids in asked.get('_lock_records', {}).items():
                        records.setdefault(table, []).extend(ids)
                    continue
                except Exception:
                    transaction.tasks.clear()
                    raise
        except backend.DatabaseOperationalError:
            Transaction().tasks.clear()
            attempt += 1
            if readonly or time.monotonic() > deadline:
                raise
        else:
            run_tasks(database_name)
            return result
        time.sleep(min(0.05 * attempt, 1) * (0.5 + random.random()))


def run_tasks(database_name):
    """Run the tasks queued by the transaction just committed, each in a
    transaction of its own (trytond.worker.run_task), as the RPC
    dispatcher does after its commit; a configured worker leaves none"""
    from trytond.worker import run_task
    tasks = Transaction().tasks
    while tasks:
        run_task(database_name, tasks.pop())
