"""Benchmark: setting up institutions (kazan_accounting), one per transaction.

Each institution is set up as onboarding will do it: company and party,
the chart from its template (352 accounts), the fiscal year with 12
periods, and the posted opening balance (18 lines over 3 КФО), in one
transaction.  Prints the time per institution and per step.

    # PostgreSQL (a throw-away server on loopback)
    bash .ci/postgres.sh run .venv/bin/python bench/setup_institutions.py
    # SQLite
    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python bench/setup_institutions.py

Options: --count N institutions (default 20), --database NAME.
"""
import argparse
import datetime as dt
import os
import pathlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from bench import machine  # noqa: E402
from kazan import config as kconfig  # noqa: E402
from kazan import database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=20)
    parser.add_argument('--database', default='kazan_bench_setup')
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-'))
    conf = workdir / 'trytond.conf'
    conf.write_text(
        f'[database]\nuri = {uri}\npath = {workdir}\n', encoding='utf-8')
    settings = kconfig.resolve(str(conf), args.database)
    password = workdir / 'admin-password'
    password.write_text('bench-admin-password\n')

    t0 = time.perf_counter()
    if database.exists(settings):
        drop(settings)
    database.create(settings)
    database.run_admin(settings, str(password), admin_email='admin@localhost')
    init_time = time.perf_counter() - t0

    steps = defaultdict(list)
    totals = []
    start = dt.date(2026, 3, 1)
    for number in range(1, args.count + 1):
        def setup(pool):
            from trytond.modules.kazan_accounting.tests import sample
            Company = pool.get('company.company')
            last = [time.perf_counter()]

            def timer(step):
                now = time.perf_counter()
                steps[step].append(now - last[0])
                last[0] = now
            Company.setup_institutions(
                [sample.institution(number, start)], timer=timer)
        t = time.perf_counter()
        database.run(settings, setup)
        totals.append(time.perf_counter() - t)

    backend = uri.split(':', 1)[0]
    print(f"Institution set-up, {backend}, {args.count} institutions, "
        f"one transaction each ({machine.describe()})")
    print(f"  database init (trytond-admin, all modules): {init_time:.1f} s")
    print(f"  per institution: median {statistics.median(totals):.3f} s, "
        f"mean {statistics.mean(totals):.3f} s, max {max(totals):.3f} s "
        "(commit included)")
    for step, values in steps.items():
        print(f"    {step:<16} median {statistics.median(values):.3f} s")
    print(f"  total {sum(totals):.1f} s")
    drop(settings)


def drop(settings):
    backend = database._backend(settings)
    if backend.name == 'sqlite':
        database.sqlite_file(settings).unlink(missing_ok=True)
        return
    backend.Database(settings.database).close()
    db = backend.Database()
    db.connect()
    connection = db.get_connection(autocommit=True)
    try:
        db.drop(connection, settings.database)
    finally:
        db.put_connection(connection)


if __name__ == '__main__':
    main()
