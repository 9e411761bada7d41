"Helpers of the production tests"
import time
from decimal import Decimal

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


def institutions_of(client):
    """The ids of the institutions (companies with an INN, each with its
    ledger) a logged-in user may switch to"""
    allowed = set(companies_of(client))
    return [c for c in client.model('company.company', 'search',
            [('inn', '!=', None)], 0, None, [('id', 'ASC')])
        if c in allowed]


def switch_company(client, company):
    if client.context.get('company') != company:
        client.set_preferences({'company': company})


def move_values(client, company, description, lines=1,
        amount='100.00', date=None):
    """A balanced move of the subsidy due (205.31 / 401.10.131, КФО 4) in
    the journal of operations No. 5 of the current institution, with lines
    pairs of lines"""
    import datetime as dt
    switch_company(client, company)
    date = date or dt.date.today()
    accounts = {a['code']: a['id'] for a in client.model('account.account',
            'search_read', [('company', '=', company),
                ('code', 'in', ['205.31', '401.10.131'])], 0, None, None,
            ['code'])}
    journal, = client.model('account.journal', 'search',
        [('code', '=', '5')], 0, 1)
    period, = client.model('account.period', 'search', [
            ('company', '=', company), ('type', '=', 'standard'),
            ('start_date', '<=', date), ('end_date', '>=', date)], 0, 1)
    return {
        'company': company, 'journal': journal, 'period': period,
        'date': date, 'description': description,
        'lines': [('create', [
                    {'account': accounts[code], 'kfo': '4',
                        'debit': debit, 'credit': credit}
                    for _ in range(lines)
                    for code, debit, credit in [
                        ('205.31', Decimal(amount), Decimal(0)),
                        ('401.10.131', Decimal(0), Decimal(amount))]])],
        }


def post_move(client, company, description, **kwargs):
    "Create and post a move; its id"
    move, = client.model('account.move', 'create',
        [move_values(client, company, description, **kwargs)])
    client.model('account.move', 'post', [move])
    return move


def moves_described(stack, description):
    "(count, states) of the moves with this description, from the database"
    out = stack.postgres.psql(
        "SELECT state FROM account_move WHERE description = "
        + quote(description), stack.database)
    return sorted(out.split()) if out else []


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def run_queued_task(stack, timeout=60):
    """Queue a task (a run of a scheduled task) through the ORM, as a
    call with [queue] worker = True does, and wait until trytond-worker
    has run it"""
    manager = needs_manager(stack)

    def unfinished():
        return int(stack.postgres.psql(
                "SELECT count(*) FROM ir_queue WHERE finished_at IS NULL",
                stack.database))
    finished = int(stack.postgres.psql(
            "SELECT count(*) FROM ir_queue WHERE finished_at IS NOT NULL",
            stack.database))
    manager.run_in_database(
        "Cron = pool.get('ir.cron')\n"
        "cron, = Cron.search([], limit=1, order=[('id', 'ASC')])\n"
        "Cron.__queue__.run_once([cron])\n")
    wait_until(lambda: unfinished() == 0, timeout=timeout,
        what="the queued task finished by trytond-worker")
    assert int(stack.postgres.psql(
            "SELECT count(*) FROM ir_queue WHERE finished_at IS NOT NULL",
            stack.database)) == finished + 1
