"""Benchmark: the statements of one large institution, and of the batch.

Issue 5 ("Speed"): under 1 s per form for one institution with 1,000,000
posted move lines on PostgreSQL; under 30 s for the statements of the 42
sample institutions in XLSX and PDF.

1. **One institution, a million lines.**  A throw-away database (``kazan
   init``) gets one institution (``Company.setup_institutions`` with
   ``kazan_accounting.tests.sample.institution``, in this process: chart,
   fiscal year 2026, opening balance), then, with plain SQL on the server
   (INSERT ... SELECT from generate_series, ids from the tables' sequences),
   ``--lines`` posted move lines: moves of 10 lines (5 debit/credit pairs, each
   pair in one КФО of '4', '2', '5', so every move balances per КФО) spread
   over the 12 standard periods of 2026, in the journals of operations 1 to 8,
   on typical entries (subsidy received on the personal account 201.11, wages
   and contributions accrued and paid, suppliers, the cash desk 201.34, the
   bank 201.21, depreciation, ...) plus every postable balance account against
   304.06.  Cash lines carry their КОСГУ, payments their КВР too.  Then an
   approved ПФХД for 2026 (``kazan_plan*``: about 105 % of what the cash lines
   execute, with an amendment of 15 April), and ANALYZE.  The set-up is timed
   apart.
2. **The forms**, in this process (trytond Pool, user 0), for 2026-12-31:
   the trial balance, 0503730, 0503721, 0503737 and 0504072, each through
   ``statement_report.build`` (the SQL and the placing of its rows on the
   form's lines), then rendered to XLSX and to PDF; ``--repeat`` times
   each, printing the best and the median in ms against the target.  When
   a form takes more than 1 s (or with ``--explain``), its SQL queries are
   captured and the slowest one is shown with EXPLAIN (ANALYZE, BUFFERS).
3. **The batch.**  A second throw-away database with the 42 sample
   institutions (``kazan onboard data/sample_batch --jobs 2``; ``kazan
   payroll`` of January, February and March 2026 with ``--post --pay``, as
   ``kazan demo`` does; ``kazan plan import data/sample_plans.csv``), then
   ``kazan statements 2026-03-31 --format xlsx,pdf --out DIR`` timed as a
   subprocess, as IT runs it, and its start-up alone (an unknown INN).

    bash .ci/postgres.sh run .venv/bin/python bench/statements.py
    bash .ci/postgres.sh run .venv/bin/python bench/statements.py \\
        --skip-batch --lines 200000 --explain --keep

PostgreSQL only (the data is written with plain SQL).  The databases are
dropped at the end unless ``--keep``.
"""
import argparse
import datetime as dt
import logging
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))
SAMPLE_BATCH = REPO / 'data' / 'sample_batch'
SAMPLE_PLANS = REPO / 'data' / 'sample_plans.csv'

YEAR = 2026
DATE = dt.date(YEAR, 12, 31)  # the statements of the large institution
BATCH_DATE = dt.date(YEAR, 3, 31)  # those of the batch
# The payroll months of the batch (kazan/demo.py): January and February
# only concern the institutions in the service since January
PAYROLL_MONTHS = ['2026-01', '2026-02', '2026-03']
TARGET_FORM = 1.0  # seconds per form, one institution
TARGET_BATCH = 30.0  # seconds, the batch in XLSX and PDF

# statement_report's form keys, as printed
FORMS = [
    ('trial_balance', 'trial balance'),
    ('balance', 'balance 0503730'),
    ('financial_results', 'financial results 0503721'),
    ('plan_execution', 'plan execution 0503737'),
    ('general_ledger', 'general ledger 0504072'),
    ('obligations', 'obligations 0503738'),
    ('debts', 'receivables and payables 0503769'),
    ('operations_journal', 'journals of operations 0504071'),
    ]

# The КФО of a pair of lines: drawn from the string (70 % '4', 20 % '2',
# 10 % '5' by default)
KFOS = '4444444225'
# The entries of each journal of operations (its code): (debit account,
# its КОСГУ, its КВР, credit account, its КОСГУ, its КВР, the КФО drawn
# from).  A cash account (201.11 treasury, 201.21 bank, 201.34 desk)
# carries its КОСГУ: 1xx receipts, 2xx/3xx payments with their КВР,
# 510/610 transfers between cash accounts.
ENTRIES = {
    '1': [  # cash desk
        ('201.34', '510', None, '201.11', '610', None, KFOS),
        ('208.26', None, None, '201.34', '226', '244', KFOS),
        ('302.11', None, None, '201.34', '211', '111', KFOS),
        ('201.34', '131', None, '205.31', None, None, '2'),
        ],
    '2': [  # non-cash funds: personal accounts and bank
        ('201.11', '131', None, '205.31', None, None, '4442'),
        ('201.11', '152', None, '205.52', None, None, '5'),
        ('201.11', '134', None, '209.34', None, None, KFOS),
        ('302.26', None, None, '201.11', '226', '244', KFOS),
        ('302.23', None, None, '201.11', '223', '247', KFOS),
        ('302.21', None, None, '201.21', '221', '244', '2'),
        ('302.34', None, None, '201.11', '346', '244', KFOS),
        ('302.31', None, None, '201.11', '310', '244', '45'),
        ('303.12', None, None, '201.11', '291', '851', '4'),
        ('201.21', '131', None, '205.31', None, None, '2'),
        ],
    '3': [  # accountable persons
        ('401.20.226', None, None, '208.26', None, None, KFOS),
        ('105.36', None, None, '208.34', None, None, KFOS),
        ],
    '4': [  # suppliers
        ('401.20.226', None, None, '302.26', None, None, KFOS),
        ('401.20.223', None, None, '302.23', None, None, KFOS),
        ('401.20.221', None, None, '302.21', None, None, '2'),
        ('105.36', None, None, '302.34', None, None, KFOS),
        ('106.31', None, None, '302.31', None, None, '45'),
        ('101.34', None, None, '106.31', None, None, '45'),
        ],
    '5': [  # debtors for income
        ('205.31', None, None, '401.10.131', None, None, '4442'),
        ('205.52', None, None, '401.10.152', None, None, '5'),
        ('209.34', None, None, '401.10.134', None, None, KFOS),
        ],
    '6': [  # payroll
        ('401.20.211', None, None, '302.11', None, None, KFOS),
        ('401.20.213', None, None, '303.15', None, None, KFOS),
        ('302.11', None, None, '303.01', None, None, KFOS),
        ('302.11', None, None, '201.11', '211', '111', KFOS),
        ('303.15', None, None, '201.11', '213', '119', KFOS),
        ('303.01', None, None, '201.11', '211', '111', KFOS),
        ],
    '7': [  # non-financial assets
        ('401.20.271', None, None, '104.34', None, None, KFOS),
        ('401.20.272', None, None, '105.36', None, None, KFOS),
        ('401.20.291', None, None, '303.12', None, None, '4'),
        ],
    # '8' (other operations): every postable balance account against
    # 304.06, both ways (added from the chart)
    }
OTHER_JOURNAL, OTHER_ACCOUNT = '8', '304.06'
# The share of the moves in each journal
JOURNAL_WEIGHTS = {'1': 10, '2': 25, '3': 5, '4': 20, '5': 10, '6': 15,
    '7': 5, '8': 10}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lines', type=int, default=1_000_000,
        help="posted move lines of the large institution (default "
        "1,000,000; moves of 10 lines)")
    parser.add_argument('--repeat', type=int, default=3,
        help="runs of each form (default 3)")
    parser.add_argument('--batch-runs', type=int, default=1,
        help="runs of kazan statements on the batch (default 1)")
    parser.add_argument('--onboard-jobs', type=int, default=2)
    parser.add_argument('--explain', action='store_true',
        help="EXPLAIN ANALYZE the slowest query of the slowest form even "
        "when every form is under 1 s")
    parser.add_argument('--skip-million', action='store_true',
        help="only the batch")
    parser.add_argument('--skip-batch', action='store_true',
        help="only the large institution")
    parser.add_argument('--million-database', metavar='NAME',
        help="time the forms on a database kept by an earlier run "
        "(--keep) instead of making one")
    parser.add_argument('--keep', action='store_true',
        help="keep the databases (their names are printed)")
    parser.add_argument('--seed', type=float, default=0.42,
        help="PostgreSQL setseed() of the generated data")
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        sys.exit('PostgreSQL only: bash .ci/postgres.sh run '
            '.venv/bin/python bench/statements.py')
    if args.lines < 10:
        sys.exit('--lines: at least one move of 10 lines')

    # psycopg_pool warns of each connection trytond gives back unfinished
    logging.getLogger('psycopg.pool').setLevel(logging.ERROR)
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-stmts-'))
    print_machine(uri)
    databases = []
    try:
        if args.million_database:
            million(args, Kazan(uri, args.million_database,
                    workdir / 'million'), reuse=True)
        elif not args.skip_million:
            name = new_database_name()
            databases.append(name)
            million(args, Kazan(uri, name, workdir / 'million'))
        if not args.skip_batch:
            name = new_database_name()
            databases.append(name)
            batch(args, Kazan(uri, name, workdir / 'batch'))
    finally:
        if args.keep:
            for name in databases:
                print(f"database kept: {uri}{name}")
            print(f"files kept: {workdir}")
        else:
            for name in databases:
                subprocess.run(['dropdb', '--if-exists', '--force',
                        '--maintenance-db', uri + 'postgres', name],
                    check=False)


def new_database_name():
    return f'kazan_bench_{uuid.uuid4().hex[:8]}'


class Kazan:
    "The kazan command on one throw-away database, in its own folder"

    def __init__(self, uri, database, workdir):
        self.uri, self.database, self.workdir = uri, database, workdir
        workdir.mkdir(parents=True)
        self.conf = workdir / 'trytond.conf'
        self.conf.write_text(f'[database]\nuri = {uri}\npath = {workdir}\n',
            encoding='utf-8')
        self.password = workdir / 'admin-password'
        self.password.write_text('bench-admin-password\n')
        self.env = dict(os.environ, KAZAN_DATA_DIR=str(workdir))
        self.env.pop('TRYTOND_CONFIG', None)
        self.env.pop('KAZAN_DATABASE', None)

    @property
    def conninfo(self):
        return self.uri + self.database

    def __call__(self, *command, check=True):
        "Run kazan COMMAND on the database; return (result, seconds)"
        t = time.perf_counter()
        result = subprocess.run([KAZAN, *command, '--config',
                str(self.conf), '--database', self.database],
            env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if check and result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-4000:],
                file=sys.stderr)
            sys.exit(f'kazan {" ".join(command)} exited '
                f'{result.returncode}')
        return result, elapsed

    def init(self):
        return self('init', '--admin-password-file', str(self.password))[1]

    def settings(self):
        "The settings to open the database in this process"
        from kazan import config as kconfig
        os.environ['KAZAN_DATA_DIR'] = str(self.workdir)
        return kconfig.resolve(str(self.conf), self.database)


def print_machine(uri):
    import psycopg
    with psycopg.connect(uri + 'postgres') as connection:
        settings = machine.postgresql_settings(connection, [
                'server_version', 'fsync', 'shared_buffers', 'work_mem',
                'max_parallel_workers_per_gather'])
    print(f"kazan statements benchmark, {machine.describe()}; "
        f"PostgreSQL {settings['server_version']} (fsync="
        f"{settings['fsync']}, shared_buffers={settings['shared_buffers']},"
        f" work_mem={settings['work_mem']}, "
        f"max_parallel_workers_per_gather="
        f"{settings['max_parallel_workers_per_gather']}); load average "
        f"{machine.load_average()}", flush=True)


# 1. One institution with a million lines

def million(args, kazan, reuse=False):
    import psycopg

    from kazan import database
    settings = kazan.settings()
    if reuse:
        print(f"\n1. One institution, the database {kazan.database}, "
            f"statements as of {DATE}", flush=True)
        company_id = database.run(settings, lambda pool: pool.get(
                'company.company').search([('inn', '!=', None)])[0].id,
            readonly=True)
    else:
        moves = args.lines // 10
        print(f"\n1. One institution, {moves * 10:,} posted move lines "
            f"({moves:,} moves of 10 lines), statements as of {DATE}",
            flush=True)
        init_time = kazan.init()
        t = time.perf_counter()
        company_id = database.run(settings, setup_institution)
        setup_time = time.perf_counter() - t
        with psycopg.connect(kazan.conninfo) as connection:
            steps = generate(connection, company_id, moves, args.seed)
        print(f"  set-up (not timed below): kazan init {init_time:.1f} s; "
            f"the institution (chart, fiscal year, opening balance) "
            f"{setup_time:.1f} s; the data: "
            + ', '.join(f'{step} {seconds:.1f} s' for step, seconds in steps)
            + f"; {sum(s for _, s in steps):.1f} s in all", flush=True)
    with psycopg.connect(kazan.conninfo) as connection:
        print(f"  data: {data_summary(connection, company_id)}", flush=True)

    results, fonts, explained = database.run(settings,
        lambda pool: time_forms(pool, company_id, args.repeat,
            args.explain), readonly=True)
    print_forms(results, fonts, args.repeat)
    for form, plans in explained:
        print_explain(form, plans)


def setup_institution(pool):
    "The sample school No. 1, in the service from 1 January; its id"
    from trytond.modules.kazan_accounting.tests import sample
    Company = pool.get('company.company')
    company, = Company.setup_institutions(
        [sample.institution(1, dt.date(YEAR, 1, 1))])
    return company.id


def generate(connection, company_id, moves, seed):
    """Insert the moves, their lines and the plan with plain SQL; return
    the time of each step"""
    steps = []

    def step(name, started):
        connection.commit()
        steps.append((name, time.perf_counter() - started))

    t = time.perf_counter()
    execute = connection.execute
    execute('SELECT setseed(%s)', (seed,))
    fiscalyear, = execute('SELECT id FROM account_fiscalyear '
        'WHERE company = %s AND start_date <= %s AND end_date >= %s',
        (company_id, DATE, DATE)).fetchone()
    journals = dict(execute('SELECT code, id FROM account_journal '
            'WHERE code = ANY(%s)', (list(JOURNAL_WEIGHTS),)).fetchall())
    accounts = dict(execute('SELECT code, id FROM account_account '
            'WHERE company = %s AND type IS NOT NULL AND NOT closed',
            (company_id,)).fetchall())
    entries = {j: list(e) for j, e in ENTRIES.items()}
    entries[OTHER_JOURNAL] = []
    for code, in execute(
            'SELECT a.code FROM account_account a '
            'JOIN account_account_type t ON a.type = t.id '
            "WHERE a.company = %s AND NOT a.closed AND t.statement = 'balance'"
            " AND t.cash_kind IS NULL AND a.code NOT LIKE '401.%%' "
            'AND a.code != %s ORDER BY a.code',
            (company_id, OTHER_ACCOUNT)):
        entries[OTHER_JOURNAL].append(
            (code, None, None, OTHER_ACCOUNT, None, None, KFOS))
        entries[OTHER_JOURNAL].append(
            (OTHER_ACCOUNT, None, None, code, None, None, KFOS))
    missing = sorted({e[i] for es in entries.values() for e in es
            for i in (0, 3)} - set(accounts))
    if missing or set(journals) != set(JOURNAL_WEIGHTS):
        sys.exit(f'the chart lacks {missing} or the journals '
            f'{sorted(set(JOURNAL_WEIGHTS) - set(journals))}')

    execute('CREATE TEMPORARY TABLE bench_entry (journal integer, '
        'idx integer, debit_account integer, debit_kosgu varchar, '
        'debit_kvr varchar, credit_account integer, credit_kosgu varchar, '
        'credit_kvr varchar, kfos varchar)')
    with connection.cursor() as cursor:
        cursor.executemany('INSERT INTO bench_entry VALUES '
            '(%s, %s, %s, %s, %s, %s, %s, %s, %s)', [
                (journals[j], i, accounts[d], dk, dv, accounts[c], ck, cv,
                    kfos)
                for j, es in entries.items()
                for i, (d, dk, dv, c, ck, cv, kfos) in enumerate(es)])
    # journal: [low, high) of a random number, and its number of entries
    execute('CREATE TEMPORARY TABLE bench_journal (journal integer, '
        'low float, high float, entries integer)')
    total, low = sum(JOURNAL_WEIGHTS.values()), 0
    with connection.cursor() as cursor:
        for code, weight in JOURNAL_WEIGHTS.items():
            high = 1.0 if code == list(JOURNAL_WEIGHTS)[-1] else (
                low + weight / total)
            cursor.execute('INSERT INTO bench_journal VALUES '
                '(%s, %s, %s, %s)', (journals[code], low, high,
                    len(entries[code])))
            low = high

    # The moves, by date over the year (ids in date order), each in the
    # standard period of its date
    execute("""
        CREATE TEMPORARY TABLE bench_move AS
        SELECT nextval(pg_get_serial_sequence('account_move', 'id'))::integer
                AS id, m.*
        FROM (
            SELECT g.n, g.date, j.journal, j.entries, p.id AS period
            FROM (
                SELECT n, random() AS r,
                    %(start)s::date
                        + ((n - 1) * %(days)s / %(moves)s)::integer AS date
                FROM generate_series(1, %(moves)s) AS n
                OFFSET 0) AS g
            JOIN bench_journal j ON g.r >= j.low AND g.r < j.high
            JOIN account_period p ON p.fiscalyear = %(fiscalyear)s
                AND p.type = 'standard'
                AND g.date BETWEEN p.start_date AND p.end_date
            ORDER BY g.n) AS m""", {
            'start': dt.date(YEAR, 1, 1), 'days': 365, 'moves': moves,
            'fiscalyear': fiscalyear})
    execute("""
        INSERT INTO account_move (id, company, create_date, create_uid,
            date, description, journal, number, period, post_date, state)
        SELECT id, %s, now(), 0, date, 'bench/statements.py', journal,
            %s || lpad(n::text, 7, '0'), period, date, 'posted'
        FROM bench_move ORDER BY id""", (company_id, f'B{YEAR}-'))
    step('account_move', t)

    # 5 pairs per move: an entry of its journal, a КФО, an amount
    t = time.perf_counter()
    execute("""
        CREATE TEMPORARY TABLE bench_pair AS
        SELECT p.move, p.pair, e.debit_account, e.debit_kosgu, e.debit_kvr,
            e.credit_account, e.credit_kosgu, e.credit_kvr,
            substr(e.kfos, 1 + floor(p.k * length(e.kfos))::integer, 1)
                AS kfo,
            p.amount
        FROM (
            SELECT m.id AS move, pair, m.journal,
                floor(random() * m.entries)::integer AS idx,
                random() AS k,
                round((10 + 250000 * power(random(), 3))::numeric, 2)
                    AS amount
            FROM bench_move m CROSS JOIN generate_series(1, 5) AS pair
            OFFSET 0) AS p
        JOIN bench_entry e ON e.journal = p.journal AND e.idx = p.idx""")
    execute("""
        INSERT INTO account_move_line (id, account, create_date, create_uid,
            credit, debit, move, state, kfo, kosgu, kvr)
        SELECT nextval(pg_get_serial_sequence('account_move_line', 'id')),
            l.* FROM (
            SELECT CASE WHEN s.debit THEN p.debit_account
                    ELSE p.credit_account END,
                now(), 0,
                CASE WHEN s.debit THEN 0 ELSE p.amount END,
                CASE WHEN s.debit THEN p.amount ELSE 0 END,
                p.move, 'valid', p.kfo,
                CASE WHEN s.debit THEN p.debit_kosgu ELSE p.credit_kosgu END,
                CASE WHEN s.debit THEN p.debit_kvr ELSE p.credit_kvr END
            FROM bench_pair p
            CROSS JOIN (VALUES (true), (false)) AS s (debit)
            ORDER BY p.move, p.pair, NOT s.debit) AS l""")
    step('account_move_line', t)

    t = time.perf_counter()
    plan = insert_plan(connection, company_id)
    if plan:
        step(plan, t)
    else:
        steps.append(('no plan (no kazan_plan table)', 0.0))

    t = time.perf_counter()
    execute('ANALYZE')
    step('ANALYZE', t)
    return steps


def insert_plan(connection, company_id):
    """The approved plan of the year, from what the cash lines execute:
    about 105 % of it by КФО, section, КВР and КОСГУ, rounded up to
    hundreds, plus amendment 1 of 15 April (utilities, КОСГУ 223, +5 %);
    return what was inserted, None without the plan tables"""
    execute = connection.execute
    exists, = execute("SELECT to_regclass('kazan_plan_line') IS NOT NULL"
        ).fetchone()
    if not exists:
        return None
    plan, = execute("""
        INSERT INTO kazan_plan (company, year, state, create_date,
            create_uid)
        VALUES (%s, %s, 'approved', now(), 0) RETURNING id""",
        (company_id, YEAR)).fetchone()
    amendment, = execute("""
        INSERT INTO kazan_plan_amendment (plan, number, date, description,
            create_date, create_uid)
        VALUES (%s, '1', %s, 'bench/statements.py', now(), 0)
        RETURNING id""", (plan, dt.date(YEAR, 4, 15))).fetchone()
    # The executed amounts: receipts (1xx) debit less credit, payments
    # (2xx, 3xx) credit less debit, on the accounts whose type (or a
    # parent type) has a cash kind
    execute("""
        CREATE TEMPORARY TABLE bench_executed AS
        WITH RECURSIVE cash_type AS (
            SELECT id FROM account_account_type
            WHERE company = %(company)s AND cash_kind IS NOT NULL
            UNION
            SELECT t.id FROM account_account_type t
            JOIN cash_type c ON t.parent = c.id)
        SELECT l.kfo,
            CASE WHEN left(l.kosgu, 1) = '1' THEN 'income'
                ELSE 'expense' END AS section,
            CASE WHEN left(l.kosgu, 1) = '1' THEN NULL ELSE l.kvr END AS kvr,
            l.kosgu,
            sum(CASE WHEN left(l.kosgu, 1) = '1' THEN l.debit - l.credit
                ELSE l.credit - l.debit END) AS amount
        FROM account_move_line l
        JOIN account_move m ON l.move = m.id
        JOIN account_account a ON l.account = a.id
        JOIN cash_type c ON a.type = c.id
        WHERE m.company = %(company)s AND m.state = 'posted'
            AND left(l.kosgu, 1) IN ('1', '2', '3')
        GROUP BY 1, 2, 3, 4""", {'company': company_id})
    execute("""
        INSERT INTO kazan_plan_line (plan, amendment, kfo, section, kvr,
            kosgu, amount, create_date, create_uid)
        SELECT %s, NULL, kfo, section, kvr, kosgu,
            ceil(amount * 1.05 / 100) * 100, now(), 0
        FROM bench_executed
        UNION ALL
        SELECT %s, %s, kfo, section, kvr, kosgu,
            ceil(amount * 0.05 / 100) * 100, now(), 0
        FROM bench_executed WHERE kosgu = '223'""",
        (plan, plan, amendment))
    count, = execute('SELECT count(*) FROM kazan_plan_line WHERE plan = %s',
        (plan,)).fetchone()
    return f'kazan_plan ({count} lines)'


def data_summary(connection, company_id):
    "What the database holds, and whether every move balances per КФО"
    execute = connection.execute
    lines, moves, accounts = execute("""
        SELECT count(*), count(DISTINCT l.move), count(DISTINCT l.account)
        FROM account_move_line l JOIN account_move m ON l.move = m.id
        WHERE m.company = %s AND m.state = 'posted'""",
        (company_id,)).fetchone()
    unbalanced, = execute("""
        SELECT count(*) FROM (
            SELECT l.move, l.kfo FROM account_move_line l
            GROUP BY l.move, l.kfo
            HAVING sum(l.debit) != sum(l.credit)) AS u""").fetchone()
    by_kfo = execute("""
        SELECT kfo, count(*) FROM account_move_line GROUP BY kfo
        ORDER BY kfo""").fetchall()
    cash, = execute("""
        SELECT count(*) FROM account_move_line WHERE kosgu IS NOT NULL
        """).fetchone()
    size, = execute("SELECT pg_size_pretty(pg_total_relation_size("
        "'account_move_line'))").fetchone()
    if unbalanced:
        sys.exit(f'{unbalanced} (move, КФО) do not balance')
    return (f"{lines:,} posted lines in {moves:,} moves on {accounts} "
        f"accounts; by КФО " + ', '.join(f'{k}: {n:,}' for k, n in by_kfo)
        + f"; {cash:,} lines with a КОСГУ (cash); every move balances per "
        f"КФО; account_move_line with its indexes: {size}")


# 2. The forms of the large institution

def time_forms(pool, company_id, repeat, explain):
    """Time each form: its SQL queries alone (captured from one build,
    then executed again), the build (SQL and the placing of the rows on
    the form's lines), then the rendering to XLSX and to PDF.  Return
    ({form: {'sql': [s], 'build': [s], 'xlsx': [s], 'pdf': [s], 'rows',
    'queries', 'xlsx_size', 'pdf_size'}}, the font registration, and the
    EXPLAIN ANALYZE of the forms above the target (with explain: at least
    of the slowest) as [(form, [(ms, query, plan)])])"""
    from trytond.modules.kazan_accounting import export, statement_report
    Company = pool.get('company.company')
    company = Company(company_id)

    def build(form):
        return statement_report.build(
            form, statement_report.Subject([company], DATE))

    t = time.perf_counter()
    export.pdf_fonts()
    fonts = time.perf_counter() - t

    results = {}
    for form, _ in FORMS:
        queries = capture_queries(lambda: build(form))
        result = results[form] = {'sql': [], 'build': [], 'xlsx': [],
            'pdf': [], 'queries': queries}
        for _ in range(repeat):
            result['sql'].append(run_queries(queries))
            t0 = time.perf_counter()
            rows, render = build(form)
            t1 = time.perf_counter()
            xlsx = render('xlsx')
            t2 = time.perf_counter()
            pdf = render('pdf')
            t3 = time.perf_counter()
            result['build'].append(t1 - t0)
            result['xlsx'].append(t2 - t1)
            result['pdf'].append(t3 - t2)
        result.update(rows=len(rows), xlsx_size=len(xlsx),
            pdf_size=len(pdf))

    def median(form):
        return statistics.median(results[form]['build'])
    slow = [f for f, _ in FORMS if median(f) >= TARGET_FORM]
    if explain and not slow:
        slow = [max(results, key=median)]
    explained = [(form, explain_queries(results[form]['queries']))
        for form in slow]
    return results, fonts, explained


class _Queries(logging.Handler):
    "Collects the SQL that trytond's cursor logs at DEBUG level"

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        self.queries.append(record.getMessage())


def capture_queries(function):
    """Call function; return the SQL it executed, with its parameters
    (trytond's LoggingCursor writes them at DEBUG level)"""
    logger = logging.getLogger('trytond.backend.postgresql.database')
    handler = _Queries()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        function()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    return [q for q in handler.queries if q.lstrip().upper().startswith(
            ('SELECT', 'WITH'))]


def run_queries(queries):
    "The time to execute the queries and fetch their rows"
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    t = time.perf_counter()
    for query in queries:
        cursor.execute(query)
        cursor.fetchall()
    return time.perf_counter() - t


def explain_queries(queries):
    """EXPLAIN (ANALYZE, BUFFERS) every query that reads the move lines;
    return [(execution ms, query, plan)], slowest first"""
    from trytond.transaction import Transaction
    cursor = Transaction().connection.cursor()
    plans = []
    for query in queries:
        if 'account_move_line' not in query:
            continue
        cursor.execute('EXPLAIN (ANALYZE, BUFFERS) ' + query)
        plan = '\n'.join(r[0] for r in cursor.fetchall())
        execution = 0.0
        for line in plan.splitlines():
            if line.startswith('Execution Time:'):
                execution = float(line.split(':')[1].split()[0])
        plans.append((execution, query, plan))
    plans.sort(key=lambda p: -p[0])
    return plans


def best_median(values):
    "best and median, in ms"
    return (f"{min(values) * 1000:6.0f} "
        f"{statistics.median(values) * 1000:6.0f}")


def print_forms(results, fonts, repeat):
    load = os.getloadavg()[0]
    print(f"  forms of the institution as of {DATE}, in this process, "
        f"{repeat} runs each, ms (best, median); load average "
        f"{load:.1f}; PDF fonts registered once before: "
        f"{fonts * 1000:.0f} ms", flush=True)
    print(f"    {'form':<26} {'rows':>5}  {'SQL alone':>13}  "
        f"{'SQL+rows':>13}  {'+XLSX':>13}  {'+PDF':>13}  "
        f"target < {TARGET_FORM:.0f} s")
    for form, label in FORMS:
        result = results[form]
        build = result['build']
        xlsx = [b + x for b, x in zip(build, result['xlsx'])]
        pdf = [b + p for b, p in zip(build, result['pdf'])]
        if statistics.median(build) >= TARGET_FORM:
            verdict = 'MISSED'
        elif statistics.median(pdf) >= TARGET_FORM:
            verdict = 'met (not with the PDF)'
        else:
            verdict = 'met'
        print(f"    {label:<26} {result['rows']:>5}  "
            f"{best_median(result['sql'])}  {best_median(build)}  "
            f"{best_median(xlsx)}  {best_median(pdf)}  {verdict}")
    print("    sizes: " + ', '.join(
            f"{label} XLSX {results[f]['xlsx_size'] // 1024} KiB PDF "
            f"{results[f]['pdf_size'] // 1024} KiB" for f, label in FORMS))
    total = sum(statistics.median(results[f]['build'])
        + statistics.median(results[f]['xlsx'])
        + statistics.median(results[f]['pdf']) for f, _ in FORMS)
    print(f"    the five forms with XLSX and PDF (sum of the medians): "
        f"{total:.2f} s", flush=True)


def print_explain(form, plans):
    label = dict(FORMS)[form]
    if not plans:
        print(f"  {label}: no query on account_move_line captured")
        return
    print(f"  {label}: its {len(plans)} queries on the move lines take "
        + ', '.join(f'{p[0]:.0f}' for p in plans)
        + " ms (EXPLAIN ANALYZE); the slowest:")
    _, query, plan = plans[0]
    query = ' '.join(query.split())
    print(f"    {query[:400]}{' ...' if len(query) > 400 else ''}")
    for line in plan.splitlines():
        print('    ' + line)
    sys.stdout.flush()


# 3. The batch of the 42 sample institutions

def batch(args, kazan):
    print(f"\n2. The batch: {SAMPLE_BATCH.relative_to(REPO)}, statements "
        f"as of {BATCH_DATE}", flush=True)
    setup = [('kazan init', kazan.init())]
    _, elapsed = kazan('onboard', str(SAMPLE_BATCH), '--jobs',
        str(args.onboard_jobs))
    setup.append((f'onboard --jobs {args.onboard_jobs}', elapsed))
    for month in PAYROLL_MONTHS:
        _, elapsed = kazan('payroll', month, '--post', '--pay')
        setup.append((f'payroll {month} --post --pay', elapsed))
    plans = 'no plan'
    help_, _ = kazan('plan', 'import', '--help', check=False)
    if help_.returncode == 0 and SAMPLE_PLANS.exists():
        _, elapsed = kazan('plan', 'import', str(SAMPLE_PLANS))
        setup.append(('plan import', elapsed))
        plans = f'plans of {SAMPLE_PLANS.relative_to(REPO)}'
    print("  set-up (not timed below): " + ', '.join(
            f'{step} {seconds:.1f} s' for step, seconds in setup)
        + f"; {plans}", flush=True)

    import psycopg
    with psycopg.connect(kazan.conninfo) as connection:
        institutions, lines = connection.execute("""
            SELECT count(DISTINCT c.id), count(l.id)
            FROM company_company c
            LEFT JOIN account_move m ON m.company = c.id
                AND m.state = 'posted'
            LEFT JOIN account_move_line l ON l.move = m.id
            WHERE c.inn IS NOT NULL""").fetchone()
    print(f"  {institutions} institutions, {lines:,} posted move lines",
        flush=True)

    date = BATCH_DATE.isoformat()
    # the start-up alone: the pool, no institution (an unknown INN)
    _, startup = kazan('statements', date, '--format', 'xlsx,pdf',
        '--out', str(kazan.workdir / 'startup'), '--institution',
        '0000000000', check=False)
    times, load = [], os.getloadavg()[0]
    for run in range(args.batch_runs):
        out = kazan.workdir / f'statements-{run}'
        result, elapsed = kazan('statements', date, '--format', 'xlsx,pdf',
            '--out', str(out))
        times.append(elapsed)
    files = [p for p in out.rglob('*') if p.is_file()]
    by_format = defaultdict(int)
    for path in files:
        by_format[path.suffix.lstrip('.')] += 1
    folders = [p for p in out.iterdir() if p.is_dir()]
    founders = [p.name for p in folders if p.name.startswith('founder-')]
    size = sum(p.stat().st_size for p in files)
    summary = result.stderr.strip().splitlines()[-1]
    best = min(times)
    sets = len(folders)
    print(f"  `kazan statements {date} --format xlsx,pdf --out DIR` (a "
        f"subprocess, as IT runs it): "
        + ', '.join(f'{t:.1f}' for t in times)
        + f" s (load average {load:.1f} before); target < "
        f"{TARGET_BATCH:.0f} s: "
        f"{'met' if best < TARGET_BATCH else 'MISSED'}")
    print(f"    {len(files)} files ("
        + ', '.join(f'{n} {fmt}' for fmt, n in sorted(by_format.items()))
        + f"), {size / 2**20:.1f} MiB, in {sets} "
        f"folders ({sets - len(founders)} institutions, founders: "
        f"{', '.join(founders) or 'none'})")
    print(f"    its start-up alone (pool, no institution): {startup:.1f} s;"
        f" per institution {best / institutions:.2f} s in all, "
        f"{(best - startup) / sets:.2f} s per set of forms without the "
        f"start-up ({sets} sets)")
    print(f"    {summary}", flush=True)

    from kazan import database
    settings = kazan.settings()
    parts = database.run(settings, batch_breakdown, readonly=True)
    total = sum(sum(p.values()) for p in parts.values())
    print(f"  where the time goes (the same sets in this process, no "
        f"start-up, {total:.1f} s): " + '; '.join(
            f"{dict(FORMS)[form]} " + ', '.join(
                f"{step} {seconds:.1f} s"
                for step, seconds in parts[form].items())
            for form, _ in FORMS), flush=True)


def batch_breakdown(pool):
    """Build and render the sets of forms as kazan statements does (every
    institution, then each founder's consolidation): the seconds by form
    and step ({form: {step: seconds}})"""
    from trytond.modules.kazan_accounting import export, statement_report
    Company = pool.get('company.company')
    export.pdf_fonts()
    companies = Company.search([('inn', '!=', None)], order=[('inn', 'ASC')])
    subjects = [statement_report.Subject([c], BATCH_DATE) for c in companies]
    by_founder = defaultdict(list)
    for company in companies:
        if company.founder:
            by_founder[company.founder].append(company)
    subjects += [statement_report.Subject(c, BATCH_DATE, founder)
        for founder, c in sorted(by_founder.items())]
    parts = {form: defaultdict(float) for form, _ in FORMS}
    for subject in subjects:
        for form, _ in FORMS:
            if subject.founder and form in statement_report.INSTITUTION_FORMS:
                continue  # as kazan statements
            t = time.perf_counter()
            _, render = statement_report.build(form, subject)
            parts[form]['SQL+rows'] += time.perf_counter() - t
            formats = ['xlsx', 'pdf'] + (
                ['csv'] if form == 'trial_balance' else [])
            for fmt in formats:
                t = time.perf_counter()
                render(fmt)
                parts[form][fmt.upper()] += time.perf_counter() - t
    return parts


if __name__ == '__main__':
    main()
