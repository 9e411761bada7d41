"""Benchmark: ``kazan onboard`` of a generated batch, as IT runs it.

Generates a batch of N institutions (tests.fixtures.sample_batch, the generator
of data/sample_batch) into a temporary folder, prepares an empty database
(``kazan init``), then times ``kazan onboard`` on it and prints the time in all
and per institution.

    # the 42 sample institutions, PostgreSQL and SQLite
    bash .ci/postgres.sh run .venv/bin/python bench/onboard.py \
        --institutions 42
    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python bench/onboard.py \
        --institutions 42
    # 658 institutions, 2 worker processes
    bash .ci/postgres.sh run .venv/bin/python bench/onboard.py \
        --institutions 658 --jobs 2
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402
from tests.fixtures import sample_batch  # noqa: E402

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--institutions', type=int, default=42)
    parser.add_argument('--jobs', type=int, default=1)
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-onboard-'))
    batch = workdir / 'batch'
    education = round(args.institutions * 35 / 42)
    t = time.perf_counter()
    sample_batch.generate(batch, institutions=args.institutions,
        education=education, culture=args.institutions - education)
    generate_time = time.perf_counter() - t
    employees = sum(1 for _ in open(batch / 'employees.csv',
            encoding='utf-8')) - 1

    scratch = scratch_database(uri, workdir)
    database, password = scratch.database, scratch.password
    common, env = scratch.common, scratch.env
    subprocess.run([KAZAN, 'init', *common, '--admin-password-file',
            str(password)], check=True, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    t = time.perf_counter()
    result = subprocess.run([KAZAN, 'onboard', str(batch), *common,
            '--jobs', str(args.jobs), '--report', str(workdir / 'r.json'),
            '--credentials', str(workdir / 'credentials.csv')],
        env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-4000:], file=sys.stderr)
        sys.exit(f'kazan onboard exited {result.returncode}')
    t = time.perf_counter()
    again = subprocess.run([KAZAN, 'onboard', str(batch), *common],
        env=env, capture_output=True, text=True)
    rerun = time.perf_counter() - t

    backend = uri.split(':', 1)[0]
    print(f"kazan onboard, {backend}, {args.institutions} institutions, "
        f"{employees} employees, --jobs {args.jobs} ({machine.describe()})")
    print(f"  batch generated in {generate_time:.1f} s")
    print(f"  onboarding: {elapsed:.1f} s, "
        f"{elapsed / args.institutions:.2f} s per institution "
        "(reading, validation, one transaction per institution)")
    print(f"  the same batch again: {rerun:.1f} s (exit {again.returncode},"
        " nothing changed)")
    if backend == 'postgresql':
        # the charts copied in parallel must be disjoint nested sets
        overlaps = subprocess.run(['psql', '-tA', uri + database, '-c',
                'SELECT count(*) FROM account_account a JOIN account_account'
                ' b ON a.id < b.id AND a.parent IS NULL AND b.parent IS NULL'
                ' AND a."left" < b."right" AND b."left" < a."right"'],
            capture_output=True, text=True, check=True).stdout.strip()
        print(f"  charts whose nested-set bounds overlap: {overlaps}")
        if overlaps != '0':
            sys.exit('overlapping charts')
        subprocess.run(['dropdb', '--if-exists', '--maintenance-db',
                uri + 'postgres', database], check=False)


if __name__ == '__main__':
    main()
