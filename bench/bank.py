"""Benchmark: a month of bank and treasury statements, ``kazan bank import``,
against plain SQL inserting the same rows.

Generates a batch of N institutions (tests.fixtures.sample_batch, the
sample's 42 by default) and their March statements
(tests.fixtures.bank_statements: a 1CClientBankExchange file per
institution, every sixth one in the CSV layout; ``--per-day`` documents per
account and working day, about 60,000 in all by default), prepares a
throw-away PostgreSQL database (``kazan init``, ``kazan onboard``,
``kazan payroll 2026-03 --post --pay``: set-up, timed apart), then:

1. times ``kazan bank import`` of all the files as IT runs it (a
   subprocess, with ``--jobs``);
2. counts the rows it created (statements, their documents, statement
   lines, moves and move lines) and inserts the same rows again with plain
   SQL (bench/plain_sql.py); prints the time and the ratio;
3. times the same import again (every document a duplicate).

    bash .ci/postgres.sh run .venv/bin/python bench/bank.py
    bash .ci/postgres.sh run .venv/bin/python bench/bank.py --jobs 2

PostgreSQL only (the baseline is psycopg).
"""
import argparse
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402
from bench.plain_sql import (  # noqa: E402
    insert_select, insert_values, table_counts)
from bench.scratch import scratch_database  # noqa: E402
from tests.fixtures import bank_statements, sample_batch  # noqa: E402

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))
MONTH = dt.date(2026, 3, 1)
TABLES = [
    ('account_statement', None, None),
    ('account_statement_origin', 'statement', 'account_statement'),
    ('account_move', None, None),
    ('account_move_line', 'move', 'account_move'),
    ('account_statement_line', 'statement', 'account_statement'),
    ]
COMPANY = {
    'account_statement': 'SELECT t.*, t.company AS _company '
    'FROM account_statement t ORDER BY t.id',
    'account_statement_origin': 'SELECT t.*, s.company AS _company '
    'FROM account_statement_origin t JOIN account_statement s '
    'ON t.statement = s.id ORDER BY t.id',
    'account_statement_line': 'SELECT t.*, s.company AS _company '
    'FROM account_statement_line t JOIN account_statement s '
    'ON t.statement = s.id ORDER BY t.id',
    'account_move': "SELECT m.*, m.company AS _company FROM account_move m "
    "WHERE m.id IN (SELECT ml.move FROM account_move_line ml "
    "WHERE ml.origin LIKE 'account.statement.line,%') ORDER BY m.id",
    'account_move_line': "SELECT ml.*, m.company AS _company "
    "FROM account_move_line ml JOIN account_move m ON ml.move = m.id "
    "WHERE ml.origin LIKE 'account.statement.line,%' ORDER BY ml.id",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--institutions', type=int, default=42)
    parser.add_argument('--per-day', type=int, default=26,
        help="documents per account and working day (default 26)")
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        sys.exit('PostgreSQL only: bash .ci/postgres.sh run '
            '.venv/bin/python bench/bank.py')
    import psycopg

    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-bank-'))
    batch = workdir / 'batch'
    sample_batch.generate(batch, institutions=args.institutions,
        start_date=MONTH, january_starters=0, employees=(10, 10))
    scratch = scratch_database(uri, workdir)

    def kazan(*command, check=True):
        t = time.perf_counter()
        result = subprocess.run([KAZAN, *command, *scratch.common],
            env=scratch.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if check and result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-4000:],
                file=sys.stderr)
            sys.exit(f'kazan {command[0]} exited {result.returncode}')
        return result, elapsed

    _, init_time = kazan('init', '--admin-password-file',
        str(scratch.password))
    _, onboard_time = kazan('onboard', str(batch), '--jobs', '2')
    _, payroll_time = kazan('payroll', f'{MONTH:%Y-%m}', '--post', '--pay',
        '--jobs', '2')

    # the statements show the payroll's payments as the ledger holds them
    conninfo = uri + scratch.database
    payments = defaultdict(list)
    with psycopg.connect(conninfo) as connection:
        for inn, date, amount, kfo in connection.execute(
                "SELECT c.inn, m.date, l.debit - l.credit, l.kfo "
                "FROM account_move_line l "
                "JOIN account_move m ON l.move = m.id "
                "JOIN account_account a ON l.account = a.id "
                "JOIN company_company c ON m.company = c.id "
                "WHERE a.code = '201.11' AND m.state = 'posted' "
                "AND m.date >= %s AND m.date < %s ORDER BY l.id",
                (MONTH, next_month(MONTH))):
            payments[inn].append((date, amount, kfo))
    t = time.perf_counter()
    paths = bank_statements.generate(batch, workdir / 'statements',
        month=MONTH, per_day=args.per_day, csv_every=6, payments=payments)
    generate_time = time.perf_counter() - t
    files = [str(p) for p in paths.values()]
    paid = sum(len(p) for p in payments.values())

    report = workdir / 'report.json'
    options = ['--jobs', str(args.jobs)] if args.jobs > 1 else []
    load_before = os.getloadavg()
    result, import_time = kazan('bank', 'import', *files, '--report',
        str(report), *options)
    statuses = Counter(r['status'] for r in json.loads(report.read_text()))
    summary = result.stdout.strip().splitlines()[-1]
    print(f"  kazan bank import: {import_time:.1f} s ({summary})", flush=True)

    with psycopg.connect(conninfo) as connection:
        server = machine.postgresql_settings(connection, [
                'server_version', 'fsync', 'synchronous_commit'])
        rows = {}
        for table, sql in COMPANY.items():
            cursor = connection.execute(sql)
            names = [c.name for c in cursor.description]
            rows[table] = [dict(zip(names, r)) for r in cursor]
        counts = {table: len(rows[table]) for table, _, _ in TABLES}
        before = table_counts(connection, TABLES)
        values_time = insert_values(connection, TABLES, rows)
        select_time = insert_select(connection, TABLES, rows)
        after = table_counts(connection, TABLES)
    if after != before:
        sys.exit(f'the plain-SQL copies were not all deleted: {after}')

    again, again_time = kazan('bank', 'import', *files, *options)
    again_summary = again.stdout.strip().splitlines()[-1]
    load_after = os.getloadavg()

    documents = sum(statuses.values())
    print(f"kazan bank import, PostgreSQL {server['server_version']} "
        f"(fsync={server['fsync']}, synchronous_commit="
        f"{server['synchronous_commit']}), {machine.describe()}; load "
        f"average {load_before[0]:.1f} before the timed runs, "
        f"{load_after[0]:.1f} after")
    print(f"  {args.institutions} institutions, {len(files)} files, "
        f"{documents} documents of March ({args.per_day} per account and "
        f"working day, and the {paid} payments of the payroll), generated "
        f"in {generate_time:.1f} s")
    print(f"  set-up (not timed below): kazan init {init_time:.1f} s, "
        f"onboard {onboard_time:.1f} s, payroll --post --pay "
        f"{payroll_time:.1f} s")
    print(f"  ORM: `kazan bank import` of all files "
        f"{' '.join(options)}: {import_time:.1f} s, "
        f"{import_time / documents * 1000:.2f} ms per document")
    print(f"    {summary}")
    print(f"  rows it created: {sum(counts.values())} ("
        + ', '.join(f'{t} {n}' for t, n in counts.items()) + ")")
    print(f"  plain SQL, the same rows (multi-row INSERT per table and "
        f"institution, commit per institution): {values_time:.2f} s; "
        f"INSERT ... SELECT: {select_time:.2f} s")
    print(f"  ratio ORM / plain SQL: {import_time / values_time:.1f}×")
    print(f"  the same files again: {again_time:.1f} s ({again_summary})")
    print(f"  targets: import under 60 s "
        f"({'met' if import_time < 60 else 'MISSED'}), within 5× of plain "
        f"SQL ({'met' if import_time <= 5 * values_time else 'MISSED'}), "
        f"again under 10 s ({'met' if again_time < 10 else 'MISSED'})")
    if args.keep:
        print(f"  database kept: {conninfo}")
    else:
        subprocess.run(['dropdb', '--if-exists', '--force',
                '--maintenance-db', uri + 'postgres', scratch.database],
            check=False)


def next_month(month):
    return (month + dt.timedelta(days=32)).replace(day=1)


if __name__ == '__main__':
    main()
