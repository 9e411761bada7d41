"""Benchmark: a month's payroll, ``kazan payroll YYYY-MM --post``, against
plain SQL inserting the same rows.

Generates a batch of N institutions with E employees each
(tests.fixtures.sample_batch; every institution starts on 2026-03-01, so
that March needs no earlier month posted), prepares a throw-away PostgreSQL
database (``kazan init``, ``kazan onboard --jobs 2``: set-up, timed apart),
then:

1. times ``kazan payroll 2026-03 --post`` as IT runs it (a subprocess; the
   time includes its start-up, which is also measured on its own);
2. counts the rows the run created in kazan_payroll_payslip,
   kazan_payroll_payslip_line, account_move and account_move_line, and
   inserts the same rows again with plain SQL on the same database (psycopg,
   ids from the tables' sequences, one multi-row INSERT per table and
   institution, a commit per institution as the ORM run does); prints the
   time and the ratio ORM / plain SQL, and also the server-side lower
   bound (INSERT ... SELECT of the same rows); then deletes the copies;
3. with more ``--jobs`` values, times the following months with them
   (``--jobs 1 2``: March in one process, April with 2 workers);
4. with ``--profile``, computes and posts the next month of 20
   institutions in this process as the command does (ten a transaction)
   with the time of each phase, then one more under cProfile, and prints
   the top costs.

    bash .ci/postgres.sh run .venv/bin/python bench/payroll.py
    bash .ci/postgres.sh run .venv/bin/python bench/payroll.py \\
        --jobs 1 2 --profile

PostgreSQL only (the baseline is psycopg).
"""
import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pathlib
import pstats
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402
from bench.plain_sql import (  # noqa: E402
    insert_select, insert_values, table_counts)
from bench.scratch import scratch_database  # noqa: E402
from kazan import parallel  # noqa: E402
from tests.fixtures import sample_batch  # noqa: E402

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))
MONTH = dt.date(2026, 3, 1)
# The tables a posted run writes, parents first: (table, its parent
# foreign key and the parent table)
TABLES = [
    ('kazan_payroll_payslip', None, None),
    ('kazan_payroll_payslip_line', 'payslip', 'kazan_payroll_payslip'),
    ('account_move', None, None),
    ('account_move_line', 'move', 'account_move'),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--institutions', type=int, default=200)
    parser.add_argument('--employees', type=int, default=50,
        help="employees per institution (default 50)")
    parser.add_argument('--jobs', type=int, nargs='+', default=[1],
        help="kazan payroll --jobs N for March; more values time the "
        "following months with those (default 1: no option given)")
    parser.add_argument('--onboard-jobs', type=int, default=2)
    parser.add_argument('--plain', action='store_true',
        help="the pay alone: no absences, withholdings or second sources")
    parser.add_argument('--profile', action='store_true',
        help="the next month in this process: the phases of 20 "
        "institutions, then one more under cProfile")
    parser.add_argument('--keep', action='store_true',
        help="keep the database (its name is printed)")
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql'):
        sys.exit('PostgreSQL only: bash .ci/postgres.sh run '
            '.venv/bin/python bench/payroll.py')
    import psycopg

    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-payroll-'))
    batch = workdir / 'batch'
    t = time.perf_counter()
    summary = sample_batch.generate(batch, institutions=args.institutions,
        start_date=MONTH, january_starters=0,
        employees=(args.employees, args.employees))
    generate_time = time.perf_counter() - t
    employees = summary['employees']

    scratch = scratch_database(uri, workdir)
    database, conf, password = (
        scratch.database, scratch.conf, scratch.password)
    common, env = scratch.common, scratch.env

    def kazan(*command, check=True):
        t = time.perf_counter()
        result = subprocess.run([KAZAN, *command, *common], env=env,
            capture_output=True, text=True)
        elapsed = time.perf_counter() - t
        if check and result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-4000:],
                file=sys.stderr)
            sys.exit(f'kazan {command[0]} exited {result.returncode}')
        return result, elapsed

    conninfo = uri + database
    _, init_time = kazan('init', '--admin-password-file', str(password))
    _, onboard_time = kazan('onboard', str(batch), '--jobs',
        str(args.onboard_jobs))
    # what the month holds besides the plain pay (issue 15): absences of
    # every kind through `kazan absences import`, withholding orders and
    # second sources of pay written straight into the tables
    extras = {}
    if not args.plain:
        absences = workdir / 'absences.csv'
        extras = write_absences(batch, absences)
        _, absences_time = kazan('absences', 'import', str(absences))
        with psycopg.connect(uri + database) as connection:
            extras.update(add_orders(connection))
        extras['import'] = absences_time
    # the start-up of the command alone (pool, no institution)
    _, startup = kazan('payroll', f'{MONTH:%Y-%m}', '--institution',
        '0000000000', check=False)

    def payroll(month, jobs):
        options = ['--jobs', str(jobs)] if jobs > 1 else []
        result, elapsed = kazan('payroll', f'{month:%Y-%m}', '--post',
            *options)
        command = ' '.join(['kazan payroll', f'{month:%Y-%m}', '--post',
                *options])
        return result, elapsed, command

    load_before = os.getloadavg()
    result, orm_time, command = payroll(MONTH, args.jobs[0])
    summary_line = result.stderr.strip().splitlines()[-1]

    with psycopg.connect(conninfo) as connection:
        server = machine.postgresql_settings(connection, [
                'server_version', 'fsync', 'synchronous_commit'])
        rows = orm_rows(connection)
        counts = {table: len(rows[table]) for table, _, _ in TABLES}
        states = dict(connection.execute(
                'SELECT state, count(*) FROM kazan_payroll_run '
                'GROUP BY state').fetchall())
        runs = states.get('posted', 0)
        if runs != args.institutions or counts[
                'kazan_payroll_payslip'] != employees:
            sys.exit(f'not every run posted: runs {states}, payslips '
                f'{counts["kazan_payroll_payslip"]} of {employees}\n'
                + result.stderr[-4000:])
        before = table_counts(connection, TABLES)
        values_time = insert_values(connection, TABLES, rows)
        select_time = insert_select(connection, TABLES, rows)
        after = table_counts(connection, TABLES)
    if after != before:
        sys.exit(f'the plain-SQL copies were not all deleted: {after}')
    # the next months, with the other --jobs values
    month, others = MONTH, []
    for jobs in args.jobs[1:]:
        month = next_month(month)
        other, elapsed, other_command = payroll(month, jobs)
        others.append((other_command, elapsed,
                other.stderr.strip().splitlines()[-1]))
    load_after = os.getloadavg()

    total_rows = sum(counts.values())
    print(f"kazan payroll, PostgreSQL {server['server_version']} "
        f"(fsync={server['fsync']}, synchronous_commit="
        f"{server['synchronous_commit']}), {machine.describe()}; "
        "load average "
        f"{load_before[0]:.1f} before the timed runs, {load_after[0]:.1f} "
        "after")
    print(f"  batch: {args.institutions} institutions, {employees} "
        f"employees ({args.employees} each), all starting {MONTH}; "
        f"generated in {generate_time:.1f} s")
    print(f"  set-up (not timed below): kazan init {init_time:.1f} s, "
        f"kazan onboard --jobs {args.onboard_jobs} {onboard_time:.1f} s")
    if extras:
        print(f"  the month holds: {extras['vacation']} vacations (paid "
            f"before the leave by their documents), {extras['sick']} sick "
            f"leaves, {extras['child_sick']} child-care leaves, "
            f"{extras['unpaid']} unpaid leaves (kazan absences import "
            f"{extras['import']:.1f} s), {extras['alimony']} alimony "
            f"orders, {extras['union_dues']} union dues, "
            f"{extras['sources']} second sources of pay")
    print(f"  ORM: `{command}` (a subprocess, as IT runs it): "
        f"{orm_time:.1f} s; {orm_time / args.institutions:.3f} s per "
        f"institution, {orm_time / employees * 1000:.2f} ms per employee "
        f"(the command's start-up alone: {startup:.1f} s)")
    print(f"    {summary_line}")
    print(f"  rows the run created: {total_rows} ("
        + ', '.join(f'{t} {n}' for t, n in counts.items())
        + f"; and {runs} kazan_payroll_run)")
    print(f"  plain SQL, the same rows with new ids (psycopg, multi-row "
        f"INSERT per table and institution, commit per institution): "
        f"{values_time:.2f} s")
    print(f"  plain SQL, server-side INSERT ... SELECT of the same rows, "
        f"one transaction: {select_time:.2f} s")
    print(f"  ratio ORM / plain SQL: {orm_time / values_time:.1f}× "
        f"(without the start-up: {(orm_time - startup) / values_time:.1f}×;"
        f" against INSERT ... SELECT: {orm_time / select_time:.0f}×)")
    print(f"  targets: under 60 s for 10,000 employees "
        f"({'met' if orm_time < 60 * employees / 10_000 else 'MISSED'} "
        f"at this size, scaled), within 5× of plain SQL "
        f"({'met' if orm_time <= 5 * values_time else 'MISSED'})")
    for other_command, elapsed, other_summary in others:
        print(f"  then `{other_command}`: {elapsed:.1f} s; "
            f"{elapsed / args.institutions:.3f} s per institution, "
            f"{elapsed / employees * 1000:.2f} ms per employee; "
            f"ratio to plain SQL {elapsed / values_time:.1f}× (the same "
            f"number of rows); targets: under 60 s "
            f"({'met' if elapsed < 60 * employees / 10_000 else 'MISSED'}),"
            f" within 5× "
            f"({'met' if elapsed <= 5 * values_time else 'MISSED'})")
        print(f"    {other_summary}")

    if args.profile:
        profile(conf, database, workdir, next_month(month))
    if args.keep:
        print(f"  database kept: {conninfo}")
    else:
        subprocess.run(['dropdb', '--if-exists', '--force',
                '--maintenance-db', uri + 'postgres', database], check=False)


def write_absences(batch, path):
    """An absences file for a tenth of the staff each: a vacation of March
    (paid before it by its document), a sick leave, the care of a sick
    child, an unpaid leave; returns the counts by kind"""
    with open(batch / 'employees.csv', encoding='utf-8') as f:
        rows = list(csv.DictReader(f, delimiter=';'))
    kinds = {
        0: ('vacation', '2026-03-16', '2026-03-29'),
        3: ('sick', '2026-03-10', '2026-03-14'),
        5: ('child_sick', '2026-03-02', '2026-03-04'),
        7: ('unpaid', '2026-03-23', '2026-03-24'),
        }
    counts = defaultdict(int)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        out = csv.writer(f, delimiter=';')
        out.writerow(['inn', 'personnel_number', 'kind', 'date_from',
                'date_to', 'certificate'])
        for i, row in enumerate(rows):
            if i % 10 not in kinds:
                continue
            kind, start, end = kinds[i % 10]
            certificate = (f'9{i:011d}' if kind in {'sick', 'child_sick'}
                else '')
            out.writerow([row['inn'], row['personnel_number'], kind, start,
                    end, certificate])
            counts[kind] += 1
    return dict(counts)


def add_orders(connection):
    """Alimony of 25 % for every 20th employee, union dues of 1 % for
    every 20th (another), a quarter of the pay from a second КФО for every
    25th: straight into the tables (set-up, not timed)"""
    employees = connection.execute(
        'SELECT id, company, pay_kfo FROM company_employee ORDER BY id'
        ).fetchall()
    alimony = [e for i, e in enumerate(employees) if i % 20 == 1]
    dues = [e for i, e in enumerate(employees) if i % 20 == 11]
    sources = [e for i, e in enumerate(employees) if i % 25 == 2]
    insert = ('INSERT INTO kazan_payroll_withholding (create_uid, '
        'create_date, company, employee, kind, percent, priority, '
        'increased_limit, recipient, document, document_date, start_date) '
        "VALUES (0, now(), %s, %s, %s, %s, %s, false, 'Получатель', "
        "'ИЛ 1', '2026-01-15', '2026-01-15')")
    with connection.cursor() as cursor:
        cursor.executemany(insert, [(c, e, 'alimony', 25, '1')
                for e, c, _ in alimony] + [(c, e, 'union_dues', 1, '4')
                for e, c, _ in dues])
        cursor.executemany('INSERT INTO kazan_payroll_pay_source '
            '(create_uid, create_date, employee, kfo, share) '
            'VALUES (0, now(), %s, %s, 25)',
            [(e, '2' if kfo != '2' else '4') for e, _, kfo in sources])
    connection.commit()
    return {'alimony': len(alimony), 'union_dues': len(dues),
        'sources': len(sources)}


def orm_rows(connection):
    """The rows the payroll run created, by table: lists of dicts, each
    with the company it belongs to under '_company'"""
    query = {
        'kazan_payroll_payslip': 'SELECT p.*, p.company AS _company '
        'FROM kazan_payroll_payslip p ORDER BY p.id',
        'kazan_payroll_payslip_line': 'SELECT l.*, p.company AS _company '
        'FROM kazan_payroll_payslip_line l JOIN kazan_payroll_payslip p '
        'ON l.payslip = p.id ORDER BY l.id',
        'account_move': "SELECT m.*, m.company AS _company "
        "FROM account_move m WHERE m.origin LIKE 'kazan.payroll.run,%' "
        "OR m.origin LIKE 'kazan.payroll.vacation_pay,%' ORDER BY m.id",
        'account_move_line': "SELECT l.*, m.company AS _company "
        "FROM account_move_line l JOIN account_move m ON l.move = m.id "
        "WHERE m.origin LIKE 'kazan.payroll.run,%' "
        "OR m.origin LIKE 'kazan.payroll.vacation_pay,%' ORDER BY l.id",
        }
    result = {}
    for table, sql in query.items():
        cursor = connection.execute(sql)
        names = [c.name for c in cursor.description]
        result[table] = [dict(zip(names, r)) for r in cursor]
    return result


# Where an institution's time goes: (model, method, label), timed around
# every call (the labels are indented under the call they are part of)
PHASES = [
    ('kazan.payroll.run', 'compute', 'Run.compute'),
    ('kazan.payroll.run', 'compute_slips_of',
        '  employees, year-to-date, rules (compute_slips_of)'),
    ('kazan.payroll.vacation_pay', 'create_for_runs',
        '  the vacation-pay documents (create_for_runs)'),
    ('kazan.payroll.payslip', 'insert_computed',
        '  Payslip.insert_computed (COPY, with the lines)'),
    ('kazan.payroll.run', 'post', 'Run.post'),
    ('kazan.payroll.vacation_pay', 'post_in',
        '  the documents\' moves (VacationPay.post_in)'),
    ('account.move', 'create', '  Move.create (with the lines)'),
    ('account.move.line', 'create', '    MoveLine.create'),
    ('account.move', 'post', '  Move.post'),
    ]


def next_month(month):
    return (month + dt.timedelta(days=32)).replace(day=1)


def profile(conf, database_name, workdir, month, count=20):
    """In this process, the month of ``count`` institutions as ``kazan
    payroll`` does it (payroll.CHUNK a transaction) with the time of each
    phase and the attempts of each transaction; then the next month of one
    more institution (which warmed the caches) under cProfile"""
    from kazan import config as kconfig
    from kazan import database, payroll
    from trytond.pool import Pool
    settings = kconfig.resolve(str(conf), database_name)
    companies = database.run(settings, lambda pool: [c.id
            for c in pool.get('company.company').search(
                [('inn', '!=', None)], order=[('inn', 'ASC')],
                limit=count + 1)],
        readonly=True)
    phases = defaultdict(float)

    def patch():
        for model, method, label in PHASES:
            Model = Pool().get(model)
            function = getattr(Model, method)
            unbound = getattr(function, '__func__', function)
            classmethod_ = getattr(function, '__self__', None) is Model

            def timed(*args, _unbound=unbound, _label=label, **kwargs):
                t = time.perf_counter()
                try:
                    return _unbound(*args, **kwargs)
                finally:
                    phases[_label] += time.perf_counter() - t
            setattr(Model, method,
                classmethod(timed) if classmethod_ else timed)
    database.run(settings, lambda pool: patch(), readonly=True)

    def run_month(company_ids, month, profiler=None):
        "(seconds, attempts per transaction, employees, statuses)"
        attempts, employees, statuses = [], 0, []
        t = time.perf_counter()
        for chunk in parallel.chunked(company_ids, 1, payroll.CHUNK):
            tries = []

            def work(pool):
                tries.append(1)
                if profiler:
                    profiler.enable()
                try:
                    return payroll.process(pool, chunk, month, post=True)
                finally:
                    if profiler:
                        profiler.disable()
            for status, staff, _ in database.run(settings, work):
                statuses.append(status)
                employees += staff
            attempts.append(len(tries))
        return time.perf_counter() - t, attempts, employees, statuses

    last, first = companies[-1:], companies[:-1]
    run_month(last, month)  # warms the caches of this process
    elapsed, attempts, employees, _ = run_month(first, month)
    n = len(first)
    print(f"  in this process, {month:%Y-%m} of {n} institutions "
        f"({employees} employees), {payroll.CHUNK} a transaction as kazan "
        f"payroll does it: {elapsed:.2f} s, {elapsed / n:.3f} s per "
        f"institution; attempts per transaction: {sorted(set(attempts))}")
    for _, _, label in PHASES:
        print(f"    {label:<52} {phases.get(label, 0) / n * 1000:6.1f}"
            " ms per institution (all attempts)")
    profiler = cProfile.Profile()
    profiled, _, staff, (status,) = run_month(last, next_month(month),
        profiler=profiler)
    path = workdir / 'payroll.prof'
    profiler.dump_stats(path)
    print(f"  cProfile of one more institution, {next_month(month):%Y-%m} "
        f"({staff} employees, {status}; one attempt: this process already "
        f"holds the lock of its sequence): {profiled:.2f} s with the "
        f"profiler; {path}")
    for order, limit in [('cumulative', 30), ('tottime', 15)]:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(limit)
        text = out.getvalue()
        text = text[text.index('   ncalls'):]
        print(f"  top {limit} by {order}:")
        print(re.sub(r'^', '    ', text.rstrip(), flags=re.M))


if __name__ == '__main__':
    main()
