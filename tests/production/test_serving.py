"""The production shape serves: several gunicorn workers that agree on
their caches, trytond-cron and trytond-worker at work, and the settings of
config/trytond.conf in force (no database list, an admin password from a
file, login attempts limited, sessions that expire)."""
import datetime as dt
import threading
import time

import pytest

from tests.rpc import JSONRPCClient, RPCError

from .tools import institutions_of, needs_manager, run_queued_task, wait_until


def client(stack, login):
    c = JSONRPCClient(stack.database, url=stack.url)
    c.login(login.login, login.password)
    return c


def test_processes(stack):
    "gunicorn has its workers; trytond-cron and trytond-worker run"
    manager = needs_manager(stack)
    manager.wait_workers(3)
    assert len(manager.worker_pids()) == 3
    for name in ['cron', 'worker']:
        assert manager.processes[name].poll() is None, manager.log(name)


def test_cron_runs_due_tasks(stack):
    "trytond-cron ran the due scheduled tasks of the database"
    needs_manager(stack)
    # the cron process runs what is due when it starts, then each minute
    wait_until(lambda: int(stack.postgres.psql(
                "SELECT count(*) FROM ir_cron_log", stack.database)) > 0,
        timeout=90, what="a run of trytond-cron in ir_cron_log")


def test_queue_worker_runs_tasks(stack):
    "A task pushed to the queue is run by trytond-worker, not the caller"
    run_queued_task(stack)


def test_company_switch_seen_by_every_worker(stack):
    """After a switch of institution, every worker applies the record rules
    of the new one: their caches are invalidated through PostgreSQL's
    LISTEN/NOTIFY ([cache] clean_timeout = 0) within select_timeout
    (1 s), even when a notification comes while a listener is busy"""
    manager = needs_manager(stack)
    select_timeout = manager.config_int('cache', 'select_timeout')
    accountant = client(stack, stack.accountant)
    institutions = institutions_of(accountant)
    assert len(institutions) >= 2
    others = [client(stack, d) for d in stack.directors]

    def periods(company):
        return len(accountant.model('account.period', 'search',
                [('company', '=', company)]))

    def write(other, stop):
        while not stop.is_set():
            other.model('res.user', 'set_preferences', {'language': None})
    stale = 0
    for company in [institutions[1], institutions[0]] * 3:
        # the switch among other users' writes: the listeners get their
        # notifications in bursts
        stop = threading.Event()
        writers = [threading.Thread(target=write, args=(o, stop))
            for o in others]
        for writer in writers:
            writer.start()
        time.sleep(0.3)
        accountant.set_preferences({'company': company})
        stop.set()
        for writer in writers:
            writer.join()
        time.sleep(select_timeout + 0.5)
        for _ in range(12):  # more calls than workers
            stale += periods(company) == 0
    assert stale == 0


def test_call_naming_another_institution_leaves_no_trace(stack):
    """A call whose context names another institution of the user (a
    second client, a window opened before a switch) does not change what
    the user's later calls may see in any worker (trytond 8.0 cached the
    rules' companies per user from such a call)"""
    needs_manager(stack).wait_workers(3)
    accountant = client(stack, stack.accountant)
    home, other = institutions_of(accountant)[:2]
    accountant.set_preferences({'company': home})
    refused = 0
    for _ in range(6):
        for company in [other, home]:
            context = dict(accountant.context, company=company)
            for _ in range(4):  # more calls than workers
                found = accountant._post('model.account.period.search',
                    [[('company', '=', company)], 0, None, None, context])
                refused += not found
    assert refused == 0


def test_database_list_refused(stack):
    anonymous = JSONRPCClient(stack.database, url=stack.url)
    status, text = anonymous.send('/rpc/',
        {'Content-Type': 'application/json'},
        '{"id": 1, "method": "common.db.list", "params": []}')
    assert status == 403 or 'error' in text, text
    assert stack.database not in text


def test_admin_password_from_file(stack):
    "admin logs in with the password of its file; no default works"
    needs_manager(stack)
    password = stack.extra['admin_password']
    admin = JSONRPCClient(stack.database, url=stack.url)
    assert admin.login('admin', password)
    for default in ['admin', 'password', '']:
        with pytest.raises(RPCError):
            JSONRPCClient(stack.database, url=stack.url).login(
                'admin', default)


def test_login_attempts_limited(stack):
    """After [session] max_attempt failures a login is refused for a while,
    even with the right password; other logins are not affected"""
    target = stack.directors[-1]
    codes = []
    for _ in range(6):
        try:
            JSONRPCClient(stack.database, url=stack.url).login(
                target.login, 'not-the-password')
        except RPCError as e:
            codes.append(e.name)
    assert len(codes) == 6
    with pytest.raises(RPCError) as refused:
        client(stack, target)
    assert refused.value.name == '429', refused.value
    # the accountant still logs in
    assert client(stack, stack.accountant).context['company']


def test_session_expires(stack):
    """A session older than [session] max_age is refused; one unused for
    longer than [session] timeout still reads, but posting and the
    preferences (Tryton's "fresh session" calls) need a new login"""
    manager = needs_manager(stack)
    idle, old = client(stack, stack.directors[0]), client(
        stack, stack.directors[1])
    for c in [idle, old]:
        assert c.model('company.company', 'search', [])
    timeout = manager.config_int('session', 'timeout')
    max_age = manager.config_int('session', 'max_age')
    # age the sessions in the database as time would
    now = dt.datetime.now()
    idle_at = now - dt.timedelta(seconds=timeout + 60)
    created_at = now - dt.timedelta(seconds=max_age + 60)
    stack.postgres.psql(
        f"UPDATE ir_session SET write_date = '{idle_at}', "
        f"create_date = '{idle_at}' WHERE key = '{idle.session_key}'",
        stack.database)
    stack.postgres.psql(
        f"UPDATE ir_session SET create_date = '{created_at}', "
        f"write_date = '{now}' WHERE key = '{old.session_key}'",
        stack.database)

    with pytest.raises(RPCError) as expired:
        old.model('company.company', 'search', [])
    assert expired.value.name == '401'

    assert idle.model('company.company', 'search', [])
    with pytest.raises(RPCError) as stale:
        idle.model('res.user', 'set_preferences', {'language': None})
    assert stale.value.name == '401'
    # a new login works again
    assert client(stack, stack.directors[0]).model(
        'company.company', 'search', [])
