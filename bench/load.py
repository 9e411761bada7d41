"""Benchmark: concurrent accountants and directors on the production shape.

Issue 6 ("Production shape"): 20 clients at once for 60 s against the
service as it runs in production (gunicorn workers, trytond-cron and
trytond-worker over PostgreSQL; tests/fixtures/stack.py), on loopback; no
move lost, every move number unique, no deadlock or serialization failure
left to the user.

1. **The server.**  A PostgreSQL server of its own under ``--dir``
   (.ci/postgres.sh), a database with the first ``--institutions`` of the
   sample batch (``kazan init``, ``kazan onboard``: tests.fixtures.stack),
   then
   gunicorn with ``--workers`` processes, trytond-cron and trytond-worker
   with config/trytond.conf, as ``make production`` runs them, but with
   bench/load-logging.conf: the lines of config/logging.conf plus trytond's
   "Retry" lines.  The set-up is timed apart.  With ``--url`` the clients
   go to a server already running instead (see the options).
2. **The clients**, over JSON-RPC as the desktop client speaks (one
   thread each, no pause between requests):
   - the accountants (``--clients`` minus ``--directors``), users of the
     role "accountant" made for the run by the administrator over RPC,
     each assigned one institution: ``--shared`` of them (half by
     default) share the first institution, where the strict sequence of
     the move numbers is contended; the others are spread over the other
     institutions.  Each posts moves in a loop: ``account.move create``
     (the subsidy due 205.31 / 401.10.131, or its receipt 201.11 with its
     КОСГУ 131 / 205.31, КФО 4, as ``kazan demo`` posts them, on a day of
     an open month of the institution), ``post``, then ``read`` of the
     number it got.  Every ``--same-draft-every``th step, those of the
     shared institution write instead the description of one draft move
     they all edit: concurrent updates of one row, the serialization
     failures trytond must run again;
   - the directors (``--directors``), each in their own institution: the
     trial balance as the client shows it (``kazan.trial_balance`` with
     its context), the dashboard's months (``kazan.statement.monthly``)
     and one form of the statements' export (``kazan.statement.report``,
     the five forms in turn, in XLSX and PDF).
   A 503 answer (trytond gave up waiting for a lock, ``[database]
   retry`` times, or retrying a serialization failure) is sent again
   after 1, 2, ... 5 s, as the desktop client does (tryton/jsonrpc.py);
   it is counted.
3. **The figures**: requests per second, latency p50/p90/p99/max of each
   kind of request (from the request to the answer, client retries
   included), errors by kind and message.
4. **The checks**, in the database: every move a client created exists,
   every move it posted is posted with the number it read, as many moves
   of the clients' users as the clients created, no move number twice in
   an institution's fiscal year, the numbers without a gap (a strict
   sequence); and what the server did with the conflicts: PostgreSQL's
   errors of the run (its log), trytond's retries (the server's log), the
   deadlocks (pg_stat_database); and the CPU time of the machine, of the
   server and of the clients during the run (they share the machine).
   Exit status 1 when a check fails or a request failed for good.

    .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --clients 40 --seconds 120 \\
        --institutions 12 --workers 9 --option database.retry=10
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 \\
        --database kazan --dsn postgresql://kazan@127.0.0.1:5433/kazan \\
        --admin-password-file var/production/data/admin-password \\
        --directors-file var/production/data/directors.csv

The PostgreSQL server of .ci/postgres.sh runs without fsync (throw-away
data): the figures are an upper bound of what a durable server gives.
"""
import argparse
import contextlib
import csv
import datetime as dt
import html
import logging
import math
import os
import pathlib
import random
import re
import resource
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402

LOGGING_CONFIG = REPO / 'bench' / 'load-logging.conf'

# The moves the accountants post, as kazan/demo.py MOVES: (journal code,
# description, [(account, КФО, side, КОСГУ)]); journal 5 is the journal of
# operations with debtors for income, 2 the non-cash one.  A receipt on the
# personal account 201.11 carries its КОСГУ.
ENTRIES = [
    ('5', "Субсидия на муниципальное задание (нагрузочный тест)", [
            ('205.31', '4', 'debit', None),
            ('401.10.131', '4', 'credit', None)]),
    ('2', "Поступление субсидии на лицевой счет (нагрузочный тест)", [
            ('201.11', '4', 'debit', '131'),
            ('205.31', '4', 'credit', None)]),
    ]
FORMS = ['trial_balance', 'balance', 'financial_results', 'plan_execution',
    'general_ledger']
FORMATS = ['xlsx', 'pdf']
TRIAL_BALANCE_FIELDS = ['account_code', 'kfo', 'opening_debit',
    'opening_credit', 'debit', 'credit', 'closing_debit', 'closing_credit']
MONTHLY_FIELDS = ['month', 'kfo', 'income', 'expenses', 'result']
# The role group of the accountants made for the run (res.xml), found by
# its name in English (the names are translated)
ACCOUNTANT_GROUP = 'Service Center Accountant'
# The description of the draft the accountants of the shared institution
# all edit now and then
DRAFT_DESCRIPTION = "Черновик, правят все (нагрузочный тест)"
# The desktop client sends a request again after a 503, at most 5 times,
# after 1, 2, ... s (tryton/jsonrpc.py)
CLIENT_RETRIES = 5


class ServerLogHandler(logging.StreamHandler):
    """stderr, without the DEBUG lines but the retries and the causes of
    the 503 answers (bench/load-logging.conf; runs in the server)"""
    kept = ('Retry: ', 'Exception when processing')

    def filter(self, record):
        if record.levelno < logging.INFO:
            if not str(record.msg).startswith(self.kept):
                return False
        elif (record.levelno == logging.INFO
                and record.name == 'trytond.wsgi'):
            # one line per request, besides the dispatcher's per call
            return False
        return super().filter(record)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--clients', type=int, default=20)
    parser.add_argument('--directors', type=int, default=None,
        help="clients reading statements (default 30 %% of the clients); "
        "the others post moves")
    parser.add_argument('--shared', type=int, default=None,
        help="accountants posting in the first institution together "
        "(default half of them)")
    parser.add_argument('--seconds', type=float, default=60)
    parser.add_argument('--institutions', type=int, default=6,
        help="institutions of the sample batch in the database "
        "(default 6)")
    parser.add_argument('--workers', type=int, default=None,
        help="gunicorn workers (default 2 per core + 1, as "
        "config/gunicorn.conf.py)")
    parser.add_argument('--same-draft-every', type=int, default=4,
        metavar='N', help="every Nth step of an accountant of the shared "
        "institution edits one draft move they all edit, instead of "
        "posting a move: concurrent updates of one row, which trytond "
        "must run again (default 4; 0: never)")
    parser.add_argument('--option', action='append', default=[],
        metavar='SECTION.OPTION=VALUE', help="override an option of "
        "config/trytond.conf for the server started (e.g. "
        "database.retry=10); repeatable")
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--dir', type=pathlib.Path,
        default=pathlib.Path('/tmp/kazan-bench-load'),
        help="the server's files, PostgreSQL's data and logs (emptied "
        "first; default /tmp/kazan-bench-load)")
    parser.add_argument('--port', type=int, default=8630)
    parser.add_argument('--pg-port', type=int, default=5630)
    parser.add_argument('--database', default='kazan_load')
    external = parser.add_argument_group("a server already running")
    external.add_argument('--url', help="http://HOST:PORT of the server: "
        "no server is started; the run adds users and moves to its "
        "database")
    external.add_argument('--admin-password-file', type=pathlib.Path,
        help="the password of admin, who makes the accountants of the run")
    external.add_argument('--directors-file', type=pathlib.Path,
        help="the directors' inn;login;password (with a header line), as "
        "kazan onboard --credentials writes it; the institutions are "
        "theirs, in that order")
    external.add_argument('--dsn', help="postgresql://... of the "
        "database, for the checks")
    external.add_argument('--server-log', type=pathlib.Path,
        help="the server's log, for trytond's retries (at DEBUG for "
        "trytond.protocols.dispatcher and trytond.transaction)")
    args = parser.parse_args()

    if args.directors is None:
        args.directors = round(args.clients * 0.3)
    accountants = args.clients - args.directors
    if args.clients < 1 or args.directors < 0 or accountants < 0:
        parser.error("--clients, --directors: no client")
    if args.shared is None:
        args.shared = (accountants + 1) // 2
    if not 0 <= args.shared <= accountants:
        parser.error(f"--shared: 0 to {accountants}")
    if args.workers is None:
        args.workers = (os.cpu_count() or 1) * 2 + 1
    if args.url and not (args.admin_password_file and args.directors_file
            and args.dsn):
        parser.error("--url needs --admin-password-file, --directors-file "
            "and --dsn")
    if args.url and args.option:
        parser.error("--option: only for the server the benchmark starts")
    for option in args.option:
        if not re.fullmatch(r'\w+\.\w+=.*', option):
            parser.error(f"--option {option}: SECTION.OPTION=VALUE")

    started = time.perf_counter()
    if args.url:
        server = contextlib.nullcontext(external_server(args))
    else:
        server = managed_server(args)
    with server as running:
        setup_time = time.perf_counter() - started
        conninfo = running.extra['dsn']
        print_machine(conninfo, running, args, setup_time)
        plan = prepare(running, args)
        print_plan(plan, args)
        before = ServerState.capture(running, conninfo)
        results = run_clients(plan, args, CPU(server_pids(running)))
        time.sleep(1.5)  # PostgreSQL flushes its statistics every second
        after = ServerState.capture(running, conninfo)
        failures = report(results, args)
        failures += check_database(conninfo, plan, results)
        failures += check_server(running, before, after)
    if failures:
        print("result: FAILED: " + '; '.join(failures))
        sys.exit(1)
    print("result: ok")


# 1. The server

@contextlib.contextmanager
def managed_server(args):
    """tests.fixtures.stack.small_stack with the bench's logging (a handler
    of this file counts the retries) and its options"""
    from tests.fixtures import stack as kstack
    overrides = {}
    for option in args.option:
        name, _, value = option.partition('=')
        section, _, key = name.partition('.')
        overrides[section, key] = value
    # the logging configuration names a handler of this file
    pythonpath = os.pathsep.join(
        p for p in [str(REPO), os.environ.get('PYTHONPATH')] if p)
    with kstack.small_stack(args.dir, port=args.port, pg_port=args.pg_port,
            workers=args.workers, institutions=args.institutions,
            database=args.database, config_overrides=overrides,
            environ={'PYTHONPATH': pythonpath},
            logging_config=LOGGING_CONFIG) as running:
        running.extra.update({
                'web_log': running.manager.logdir / 'web.log',
                'pg_log': pathlib.Path(
                    running.postgres.settings()['PG_ROOT']) / 'server.log',
                })
        yield running


def external_server(args):
    from tests.fixtures.stack import Login, RunningStack
    with open(args.directors_file, encoding='utf-8', newline='') as f:
        directors = [Login(r['login'], r['password'], r['inn'])
            for r in csv.DictReader(f, delimiter=';')]
    return RunningStack(url=args.url.rstrip('/'), database=args.database,
        accountant=None, directors=directors, extra={
            'admin_password': args.admin_password_file.read_text().strip(),
            'dsn': args.dsn,
            'web_log': args.server_log,
            'pg_log': None,
            })


def print_machine(conninfo, running, args, setup_time):
    import psycopg
    with psycopg.connect(conninfo) as connection:
        settings = machine.postgresql_settings(connection, [
                'server_version', 'fsync', 'synchronous_commit',
                'shared_buffers', 'max_connections'])
    print(f"kazan load benchmark, {machine.describe()}; PostgreSQL "
        f"{settings['server_version']} (fsync={settings['fsync']}, "
        f"synchronous_commit={settings['synchronous_commit']}, "
        f"shared_buffers={settings['shared_buffers']}, max_connections="
        f"{settings['max_connections']}); load average "
        f"{machine.load_average()}", flush=True)
    if running.manager:
        print(f"  server: gunicorn with {args.workers} workers, trytond-cron,"
            f" trytond-worker at {running.url}, database «{running.database}»"
            f" with {args.institutions} institutions of the sample batch; "
            f"set-up {setup_time:.0f} s (PostgreSQL, kazan init, onboarding,"
            f" start; not timed below); logs in {running.manager.logdir}"
            + (f"; trytond.conf with {', '.join(args.option)}"
                if args.option else ''), flush=True)
    else:
        print(f"  server: {running.url}, database «{running.database}» "
            "(running already)", flush=True)


def server_pids(running):
    "The first processes of the server this benchmark started"
    if not running.manager:
        return []
    pids = [p.pid for p in running.manager.processes.values()]
    pid_file = pathlib.Path(running.postgres.settings()['PG_ROOT']) / \
        'data' / 'postmaster.pid'
    return pids + [int(pid_file.read_text().split()[0])]


# 2. The clients

def client_class():
    "The JSON-RPC client of the tests, retrying a 503 as the desktop client"
    from tests.rpc import JSONRPCClient

    class Client(JSONRPCClient):

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # the causes of the 503 answers sent again
            self.unavailable = Counter()

        def send(self, path, headers, body):
            for count in range(CLIENT_RETRIES + 1):
                status, text = super().send(path, headers, body)
                if status != 503 or count == CLIENT_RETRIES:
                    return status, text
                self.unavailable[html_message(text)] += 1
                time.sleep(count + 1)

        def call(self, model, method, *args, context=None):
            "model.method with the user's context updated by context"
            return self._post(f'model.{model}.{method}',
                [*args, dict(self.context, **(context or {}))])

    return Client


@dataclass
class Institution:
    id: int
    inn: str
    name: str
    start: dt.date  # the first day in the service


@dataclass
class Worker:
    "One client: who logs in, where it works"
    role: str  # 'accountant' or 'director'
    login: str
    password: str
    institution: Institution
    group: str  # of the figures: 'shared', 'own' or 'director'
    # filled by the run
    samples: list = field(default_factory=list)  # (kind, seconds, error)
    created: list = field(default_factory=list)  # move ids
    posted: dict = field(default_factory=dict)  # move id: number read
    unposted: list = field(default_factory=list)  # post failed
    unavailable: Counter = field(default_factory=Counter)
    draft_writes: list = field(default_factory=list)  # descriptions written


@dataclass
class Plan:
    institutions: list
    workers: list
    users: list  # ids of the accountants made for the run
    url: str
    database: str
    draft: int = None  # the draft move the shared accountants all edit
    draft_every: int = 0


def prepare(running, args):
    """The institutions (the directors'), the accountants of the run made
    by admin over RPC, and who works where"""
    Client = client_class()
    admin = Client(running.database, url=running.url)
    admin.login('admin', running.extra['admin_password'])
    directors = running.directors[:args.institutions]
    rows = admin.model('company.company', 'search_read',
        [('inn', 'in', [d.inn for d in directors])], 0, None, None,
        ['inn', 'rec_name', 'service_start_date'])
    by_inn = {r['inn']: r for r in rows}
    missing = [d.inn for d in directors if d.inn not in by_inn]
    if missing:
        sys.exit(f"institutions not found (or not admin's): {missing}")
    institutions = [Institution(by_inn[d.inn]['id'], d.inn,
            by_inn[d.inn]['rec_name'], by_inn[d.inn]['service_start_date'])
        for d in directors]
    if not institutions:
        sys.exit("no institution")

    accountants = args.clients - args.directors
    where = []
    for i in range(accountants):
        if i < args.shared or len(institutions) == 1:
            where.append((institutions[0], 'shared'))
        else:
            j = (i - args.shared) % (len(institutions) - 1)
            where.append((institutions[1 + j], 'own'))
    # a user per accountant: the current institution is the user's, all
    # the sessions of a login share it
    run = secrets.token_hex(3)
    group, = admin.call('res.group', 'search',
        [('name', '=', ACCOUNTANT_GROUP)], 0, None, None,
        context={'language': 'en'})
    users = [{
            'login': f'load-{run}-{i + 1:02d}',
            'name': f"Бухгалтер {i + 1} (нагрузочный тест)",
            'password': secrets.token_urlsafe(12),
            'groups': [('add', [group])],
            'companies': [('add', [institution.id])],
            'company': institution.id,
            'company_filter': 'one',
            } for i, (institution, _) in enumerate(where)]
    user_ids = admin.model('res.user', 'create', users) if users else []
    workers = [Worker('accountant', u['login'], u['password'], institution,
            kind) for u, (institution, kind) in zip(users, where)]
    shared = [w for w in workers if w.group == 'shared']
    draft = None
    if shared and args.same_draft_every:
        # made by the first of them, before the run
        client = Client(running.database, url=running.url)
        client.login(shared[0].login, shared[0].password)
        state = AccountantLoop.setup(client, shared[0])
        values = AccountantLoop.values(shared[0], state,
            random.Random(args.seed), 0)
        values['description'] = DRAFT_DESCRIPTION
        draft, = client.model('account.move', 'create', [values])
    for i in range(args.directors):
        director = directors[i % len(directors)]
        workers.append(Worker('director', director.login, director.password,
                institutions[i % len(directors)], 'director'))
    return Plan(institutions, workers, user_ids, running.url,
        running.database, draft, args.same_draft_every)


def print_plan(plan, args):
    accountants = [w for w in plan.workers if w.role == 'accountant']
    shared = [w for w in accountants if w.group == 'shared']
    own = Counter(w.institution.inn for w in accountants
        if w.group == 'own')
    directors = [w for w in plan.workers if w.role == 'director']
    print(f"  clients: {len(plan.workers)} for {args.seconds:g} s on "
        f"loopback, one thread each, no pause between requests:",
        flush=True)
    first = plan.institutions[0]
    print(f"    {len(accountants)} accountants posting moves: "
        f"{len(shared)} together in {first.name} (ИНН {first.inn}), "
        f"{sum(own.values())} in {len(own)} other institutions ("
        + ', '.join(f'{n} in {inn}' for inn, n in sorted(own.items()))
        + ")", flush=True)
    if plan.draft:
        print(f"    every {plan.draft_every}th step of those of the shared "
            f"institution edits the one draft move {plan.draft} instead of "
            "posting a move (concurrent updates of one row)", flush=True)
    print(f"    {len(directors)} directors reading the trial balance, the "
        "dashboard and the statements (XLSX, PDF) of their institution",
        flush=True)


def run_clients(plan, args, cpu):
    """Log every client in, start them together, stop them after
    args.seconds; return (workers, seconds of the run, CPU used)"""
    Client = client_class()
    window = {}

    def start():
        window['cpu'] = cpu.snapshot()
        window['start'] = time.perf_counter()
        window['end'] = window['start'] + args.seconds
    barrier = threading.Barrier(len(plan.workers) + 1, action=start)
    threads = []
    for index, worker in enumerate(plan.workers):
        loop = AccountantLoop if worker.role == 'accountant' \
            else DirectorLoop
        thread = threading.Thread(target=run_worker, args=(
                Client, plan, worker, loop, random.Random(args.seed + index),
                barrier, window), daemon=True)
        thread.start()
        threads.append(thread)
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - window['start']
    return plan.workers, elapsed, cpu.used(window['cpu'], cpu.snapshot())


class CPU:
    """The CPU time of the machine, of the server's processes (the trees
    of the given pids) and of this one (the clients)"""
    tick = os.sysconf('SC_CLK_TCK')

    def __init__(self, roots=()):
        self.roots = list(roots)

    def snapshot(self):
        with open('/proc/stat', encoding='ascii') as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        # user, nice, system, irq, softirq, steal: not idle nor iowait
        busy = sum(ticks[i] for i in (0, 1, 2, 5, 6, 7))
        processes = {}
        for pid in self.tree():
            try:
                with open(f'/proc/{pid}/stat', encoding='ascii') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            processes[pid] = int(fields[11]) + int(fields[12])
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return (busy, time.perf_counter(), processes,
            usage.ru_utime + usage.ru_stime)

    def tree(self):
        pids, todo = [], list(self.roots)
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in pathlib.Path(f'/proc/{pid}/task').glob('*'):
                try:
                    todo += [int(p) for p in
                        (task / 'children').read_text().split()]
                except OSError:
                    pass
        return pids

    def used(self, before, after):
        """Seconds of CPU between two snapshots: the machine busy, the
        machine in all (the cores this process may use), the server
        (processes alive at the end: those that ended are not counted),
        the clients"""
        busy = (after[0] - before[0]) / self.tick
        capacity = (after[1] - before[1]) * len(os.sched_getaffinity(0))
        server = sum(ticks - before[2].get(pid, 0)
            for pid, ticks in after[2].items()) / self.tick
        return busy, capacity, server if self.roots else None, \
            after[3] - before[3]


def run_worker(Client, plan, worker, loop, rng, barrier, window):
    client = Client(plan.database, url=plan.url)
    try:
        client.login(worker.login, worker.password)
        state = loop.setup(client, worker)
        if worker.group == 'shared' and plan.draft:
            state.update(draft=plan.draft, draft_every=plan.draft_every)
    except BaseException:
        barrier.abort()
        raise
    barrier.wait()
    while time.perf_counter() < window['end']:
        loop.step(client, worker, state, rng)
    worker.unavailable = client.unavailable


def timed(worker, kind, call, *args, **kwargs):
    "Run call, record its latency or its error; return (ok, result)"
    t = time.perf_counter()
    try:
        result = call(*args, **kwargs)
    except Exception as error:
        worker.samples.append((kind, time.perf_counter() - t,
                summarise(error)))
        return False, None
    worker.samples.append((kind, time.perf_counter() - t, None))
    return True, result


class AccountantLoop:
    "Create a move, post it, read its number"

    @staticmethod
    def setup(client, worker):
        company = worker.institution.id
        accounts = {a['code']: a['id'] for a in client.model(
                'account.account', 'search_read', [
                    ('company', '=', company),
                    ('code', 'in', sorted({line[0] for _, _, lines in ENTRIES
                                for line in lines})),
                    ], 0, None, None, ['code'])}
        journals = {j['code']: j['id'] for j in client.model(
                'account.journal', 'search_read',
                [('code', 'in', [code for code, _, _ in ENTRIES])],
                0, None, None, ['code'])}
        # the open months from the first day in the service to today
        today = dt.date.today()
        periods = client.model('account.period', 'search_read', [
                ('company', '=', company), ('type', '=', 'standard'),
                ('state', '=', 'open'),
                ('end_date', '>=', worker.institution.start),
                ('start_date', '<=', today),
                ], 0, None, None, ['start_date', 'end_date'])
        days = [(p['id'], day) for p in periods
            for day in dates(max(p['start_date'], worker.institution.start),
                min(p['end_date'], today))]
        if not days:
            raise RuntimeError(f"no open period in {worker.institution.inn}")
        return {'accounts': accounts, 'journals': journals, 'days': days,
            'count': 0}

    @staticmethod
    def values(worker, state, rng, entry):
        "A balanced move of the entry on a day of an open month"
        journal, description, lines = ENTRIES[entry % len(ENTRIES)]
        period, date = rng.choice(state['days'])
        amount = Decimal(rng.randint(100_00, 10_000_000_00)) / 100
        return {
            'company': worker.institution.id,
            'journal': state['journals'][journal],
            'period': period,
            'date': date,
            'description': description,
            'lines': [('create', [{
                            'account': state['accounts'][account],
                            'kfo': kfo,
                            'debit': amount if side == 'debit' else Decimal(0),
                            'credit': amount if side == 'credit'
                            else Decimal(0),
                            'kosgu': kosgu,
                            } for account, kfo, side, kosgu in lines])],
            }

    @classmethod
    def step(cls, client, worker, state, rng):
        count = state['count']
        state['count'] += 1
        group = worker.group
        draft = state.get('draft')
        if draft and count % state['draft_every'] == state['draft_every'] - 1:
            # the same draft, edited by every accountant of the shared
            # institution: concurrent updates of one row
            description = f"{DRAFT_DESCRIPTION} ({worker.login}, {count})"
            ok, _ = timed(worker, f'draft.write ({group})', client.model,
                'account.move', 'write', [draft],
                {'description': description})
            if ok:
                worker.draft_writes.append(description)
            return
        ok, ids = timed(worker, f'move.create ({group})', client.model,
            'account.move', 'create', [cls.values(worker, state, rng, count)])
        if not ok:
            return
        move, = ids
        worker.created.append(move)
        ok, _ = timed(worker, f'move.post ({group})', client.model,
            'account.move', 'post', [move])
        if not ok:
            worker.unposted.append(move)
            return
        ok, rows = timed(worker, f'move.read ({group})', client.model,
            'account.move', 'read', [move], ['number', 'state'])
        worker.posted[move] = rows[0]['number'] if ok else None


class DirectorLoop:
    "The trial balance, the dashboard, a form of the statements"

    @staticmethod
    def setup(client, worker):
        today = dt.date.today()
        start = max(worker.institution.start, today.replace(month=1, day=1))
        return {'from_date': start, 'to_date': today, 'count': 0}

    @staticmethod
    def step(client, worker, state, rng):
        company = worker.institution.id
        timed(worker, 'trial balance', client.call, 'kazan.trial_balance',
            'search_read', [], 0, None, None, TRIAL_BALANCE_FIELDS,
            context={'company': company, 'from_date': state['from_date'],
                'to_date': state['to_date'], 'posted': True})
        timed(worker, 'dashboard', client.call, 'kazan.statement.monthly',
            'search_read', [], 0, None, None, MONTHLY_FIELDS,
            context={'company': company})
        count = state['count']
        state['count'] += 1
        form = FORMS[count % len(FORMS)]
        fmt = FORMATS[(count // len(FORMS)) % len(FORMATS)]
        timed(worker, f'statement ({fmt})', client.report,
            'kazan.statement.report', [], {'company': company,
                'date': state['to_date'], 'form': form, 'format': fmt})


def dates(start, end):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def summarise(error):
    "The error as one line, numbers masked, to count alike errors together"
    from tests.rpc import RPCError
    if isinstance(error, RPCError) and error.name.isdigit():
        text = f"HTTP {error.name}: {html_message(error.args[1])}"
    elif isinstance(error, RPCError):
        detail = error.args[1] if len(error.args) > 1 else ''
        if isinstance(detail, (list, tuple)) and detail:
            detail = detail[0]
        text = f"{error.name}: {detail}"
    else:
        text = f"{type(error).__name__}: {error}"
    return re.sub(r'\d+', 'N', ' '.join(text.split()))[:160]


def html_message(text):
    "The message of werkzeug's error page"
    match = re.search(r'<p>(.*?)</p>', text or '', re.S)
    message = html.unescape(match.group(1)) if match else text or ''
    return ' '.join(message.split())[:160]


# 3. The figures

def percentile(values, q):
    "Nearest rank"
    return values[max(0, math.ceil(q * len(values)) - 1)]


def report(results, args):
    workers, elapsed, (busy, capacity, server, clients) = results
    by_kind = defaultdict(list)
    errors = Counter()
    for worker in workers:
        for kind, seconds, error in worker.samples:
            if error is None:
                by_kind[kind].append(seconds)
            else:
                errors[kind, error] += 1
    kinds = sorted({kind for w in workers for kind, _, _ in w.samples},
        key=lambda k: (k.startswith(('trial', 'dashboard', 'statement')),
            k))
    print(f"\nrequests in {elapsed:.1f} s (the last ones end after "
        f"{args.seconds:g} s), latency in ms:")
    header = f"  {'request':<22}{'done':>7}{'/s':>8}{'p50':>8}{'p90':>8}" \
        f"{'p99':>8}{'max':>8}{'errors':>8}"
    print(header)
    everything = []
    for kind in kinds:
        values = sorted(by_kind[kind])
        failed = sum(n for (k, _), n in errors.items() if k == kind)
        everything += values
        print(row(kind, values, elapsed, failed))
    everything.sort()
    print(row('all', everything, elapsed, sum(errors.values())))
    posted = sum(len(w.posted) for w in workers)
    shared = sum(len(w.posted) for w in workers if w.group == 'shared')
    print(f"  moves posted: {posted} ({posted / elapsed:.1f} a second), "
        f"{shared} of them in the shared institution")
    others = busy - clients - (server or 0)
    print(f"  CPU during the run, seconds (% of the {capacity:.0f} s of the "
        f"{capacity / elapsed:.0f} cores): the machine busy {busy:.0f} "
        f"({busy / capacity:.0%})"
        + (f", the server (gunicorn, trytond-cron, trytond-worker, "
            f"PostgreSQL) {server:.0f} ({server / capacity:.0%})"
            if server is not None else '')
        + f", the clients {clients:.0f} ({clients / capacity:.0%}), other "
        f"processes {others:.0f} ({others / capacity:.0%})")
    unavailable = Counter()
    for worker in workers:
        unavailable.update(worker.unavailable)
    if unavailable:
        print(f"  503 answers sent again by the clients (after 1 to "
            f"{CLIENT_RETRIES} s, as the desktop client): "
            f"{sum(unavailable.values())}: " + '; '.join(
                f"{n} × {message}" for message, n in
                unavailable.most_common()))
    else:
        print("  503 answers: none")
    failures = []
    if errors:
        print(f"  requests failed: {sum(errors.values())}:")
        for (kind, message), n in sorted(errors.items(),
                key=lambda item: -item[1]):
            print(f"    {n} × {kind}: {message}")
        failures.append(f"{sum(errors.values())} requests failed")
    else:
        print("  requests failed: none")
    return failures


def row(kind, values, elapsed, failed):
    if not values:
        return f"  {kind:<22}{0:>7}{0:>8.1f}{'':>32}{failed:>8}"
    ms = [v * 1000 for v in values]
    return (f"  {kind:<22}{len(values):>7}{len(values) / elapsed:>8.1f}"
        f"{percentile(ms, .5):>8.0f}{percentile(ms, .9):>8.0f}"
        f"{percentile(ms, .99):>8.0f}{ms[-1]:>8.0f}{failed:>8}")


# 4. The checks

def check_database(conninfo, plan, results):
    "The moves of the clients, as the database holds them"
    import psycopg
    workers, _, _ = results
    created = {m: w for w in workers for m in w.created}
    posted = {m: n for w in workers for m, n in w.posted.items()}
    unposted = {m for w in workers for m in w.unposted}
    companies = [i.id for i in plan.institutions]
    failures = []
    print("\nchecks in the database:")
    with psycopg.connect(conninfo) as connection:
        rows = {r[0]: r[1:] for r in connection.execute(
                'SELECT id, company, state, number FROM account_move '
                'WHERE id = ANY(%s)', [list(created)])}
        lost = sorted(set(created) - set(rows))
        not_posted = sorted(m for m in posted if rows.get(m, (0, None))[1]
            != 'posted')
        other_number = sorted(m for m, n in posted.items() if m in rows
            and rows[m][1] == 'posted' and n is not None
            and rows[m][2] != n)
        wrong_company = sorted(m for m, w in created.items() if m in rows
            and rows[m][0] != w.institution.id)
        posted_anyway = sorted(m for m in unposted
            if rows.get(m, (0, None))[1] == 'posted')
        draft = connection.execute(
            'SELECT state, description FROM account_move WHERE id = %s',
            [plan.draft]).fetchone() if plan.draft else None
        by_users, posted_by_users = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'posted') "
            "FROM account_move WHERE create_uid = ANY(%s)",
            [plan.users]).fetchone()
        duplicates = connection.execute("""
            SELECT m.company, p.fiscalyear, m.number, count(*)
            FROM account_move m JOIN account_period p ON p.id = m.period
            WHERE m.number IS NOT NULL
            GROUP BY m.company, p.fiscalyear, m.number
            HAVING count(*) > 1
            ORDER BY count(*) DESC LIMIT 10""").fetchall()
        numbers = connection.execute("""
            SELECT m.company, p.fiscalyear, array_agg(m.number)
            FROM account_move m JOIN account_period p ON p.id = m.period
            WHERE m.state = 'posted' AND m.company = ANY(%s)
            GROUP BY m.company, p.fiscalyear""", [companies]).fetchall()

    def check(ok, text, failure):
        print(f"  {'ok' if ok else 'FAILED'}: {text}")
        if not ok:
            failures.append(failure)

    check(not lost and not wrong_company,
        f"the {len(created)} moves the clients created are in the database"
        + (f"; missing: {lost[:10]}" if lost else '')
        + (f"; in another institution: {wrong_company[:10]}"
            if wrong_company else ''),
        f"{len(lost) + len(wrong_company)} moves lost or misplaced")
    check(not not_posted and not other_number,
        f"the {len(posted)} moves the clients posted are posted with the "
        "number they read"
        + (f"; not posted: {not_posted[:10]}" if not_posted else '')
        + (f"; another number: {other_number[:10]}" if other_number
            else ''), f"{len(not_posted) + len(other_number)} posted moves "
        "lost or renumbered")
    check(not posted_anyway, f"the {len(unposted)} moves whose post failed "
        "are drafts" + (f"; posted after all: {posted_anyway[:10]}"
            if posted_anyway else ''), "a failed post was posted")
    made = len(created) + (1 if plan.draft else 0)
    check(by_users == made and posted_by_users == len(posted),
        f"the users of the run have {by_users} moves, {posted_by_users} "
        f"posted (the clients: {made}, {len(posted)})",
        "moves the clients do not know of")
    if plan.draft:
        written = [d for w in workers for d in w.draft_writes]
        check(draft is not None and draft[0] == 'draft'
            and draft[1] in written + [DRAFT_DESCRIPTION],
            f"the draft {plan.draft} edited {len(written)} times is a draft "
            "with the description of one of the edits"
            + ('' if draft else ': missing'), "the edited draft is wrong")
    check(not duplicates, "no move number twice in an institution's fiscal "
        "year" + (f": {duplicates}" if duplicates else ''),
        f"{len(duplicates)} duplicate move numbers")
    gaps = []
    for company, fiscalyear, values in numbers:
        by_prefix = defaultdict(list)
        for number in values:
            match = re.fullmatch(r'(.*?)(\d+)', number or '')
            if match:
                by_prefix[match.group(1)].append(int(match.group(2)))
            else:
                gaps.append((company, fiscalyear, number))
        for prefix, ints in by_prefix.items():
            if sorted(ints) != list(range(1, len(ints) + 1)):
                missing = set(range(1, max(ints) + 1)) - set(ints)
                twice = [n for n, c in Counter(ints).items() if c > 1]
                gaps.append((company, fiscalyear, prefix,
                        f"missing {sorted(missing)[:10]}",
                        f"twice {sorted(twice)[:10]}"))
    count = sum(len(v) for _, _, v in numbers)
    check(not gaps, f"the numbers of the {count} posted moves of the "
        f"{len(companies)} institutions run from 1 without a gap in each "
        "fiscal year (strict sequence)" + (f": {gaps[:5]}" if gaps else ''),
        "gaps or repeats in the move numbers")
    return failures


@dataclass
class ServerState:
    "Where the logs end and PostgreSQL's counters, before or after the run"
    web_log: int = None
    pg_log: int = None
    stats: dict = None

    @classmethod
    def capture(cls, running, conninfo):
        import psycopg
        state = cls()
        for name in ['web_log', 'pg_log']:
            path = running.extra.get(name)
            if path and path.exists():
                setattr(state, name, path.stat().st_size)
        with psycopg.connect(conninfo) as connection:
            names = ['xact_commit', 'xact_rollback', 'deadlocks']
            values = connection.execute(
                f"SELECT {', '.join(names)} FROM pg_stat_database "
                "WHERE datname = current_database()").fetchone()
            state.stats = dict(zip(names, values))
        return state


def read_from(path, offset, end):
    with open(path, 'rb') as f:
        f.seek(offset)
        return f.read(end - offset).decode('utf-8', 'replace')


def check_server(running, before, after):
    """What the server did with the conflicts: PostgreSQL's errors, the
    retries of trytond, the deadlocks"""
    extra = running.extra
    failures = []
    print("\nconflicts on the server during the run:")
    stats = {k: after.stats[k] - before.stats[k] for k in before.stats}
    print(f"  PostgreSQL (pg_stat_database): {stats['xact_commit']} "
        f"transactions committed, {stats['xact_rollback']} rolled back, "
        f"{stats['deadlocks']} deadlocks")
    if before.pg_log is not None:
        text = read_from(extra['pg_log'], before.pg_log, after.pg_log)
        errors = Counter(re.sub(r'\d+', 'N', m.strip()) for m in re.findall(
                r'\b(?:ERROR|FATAL):\s+(.*)', text))
        print(f"  PostgreSQL's errors (its log): {sum(errors.values())}"
            + ''.join(f"\n    {n} × {message}"
                for message, n in errors.most_common()))
    else:
        print("  PostgreSQL's errors: its log is not read (a server "
            "running already)")
    if before.web_log is None:
        print("  trytond's retries: not counted (no --server-log)")
        return failures
    text = read_from(extra['web_log'], before.web_log, after.web_log)
    retries = Counter(re.findall(
            r' DEBUG (trytond\.protocols\.dispatcher|trytond\.transaction): '
            r'Retry: ', text))
    # the records, with their tracebacks
    records = re.split(r'\n(?=\d{4}-\d\d-\d\d [\d:,]+ \d+ [A-Z]+ )', text)
    # why the server answered an error page (503): the traceback's end
    unavailable = Counter(re.sub(r'\d+', 'N', r.strip().splitlines()[-1])
        for r in records if ' DEBUG trytond.wsgi: Exception when '
        'processing' in r.split('\n', 1)[0])
    # the errors: the logger, and the traceback's end or the message
    errors = [(match.group(1), r.strip().splitlines()[-1]
            if '\n' in r.strip() else match.group(2))
        for r in records
        for match in [re.match(r'\S+ \S+ \d+ (?:ERROR|CRITICAL) (\S+): '
                r'(.*)', r)] if match]
    timeouts = text.count('WORKER TIMEOUT')
    print(f"  trytond's retries (the server's log): "
        f"{retries['trytond.protocols.dispatcher']} calls run again after a "
        "serialization failure or a deadlock (dispatcher), "
        f"{retries['trytond.transaction']} waits again for a lock at the "
        "start of a transaction"
        + ('' if running.manager else " (if the server logs "
            "trytond.protocols.dispatcher and trytond.transaction at "
            "DEBUG, as bench/load-logging.conf)"))
    if unavailable:
        print(f"  error pages of the server (trytond.wsgi): "
            f"{sum(unavailable.values())}: " + '; '.join(
                f"{n} × {m}" for m, n in unavailable.most_common()))
    if errors:
        print(f"  errors in the server's log: {len(errors)}: " + '; '.join(
                f"{n} × {m}" for m, n in Counter(
                    f"{name}: {re.sub(r'[0-9]+', 'N', message)[:120]}"
                    for name, message in errors).most_common(5)))
        failures.append(f"{len(errors)} errors in the server's log")
    if timeouts:
        print(f"  gunicorn killed {timeouts} workers on timeout")
        failures.append(f"{timeouts} worker timeouts")
    return failures


if __name__ == '__main__':
    main()
