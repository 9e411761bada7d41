"""Benchmark: the peak memory of ``kazan onboard --dry-run`` on a large batch.

Generates a batch of N institutions of E employees each
(tests.fixtures.sample_batch) into a temporary folder, prepares an empty
database (``kazan init``), then runs ``kazan onboard --dry-run`` on it and
prints its peak resident memory (getrusage of the child) and time.  A table
over kazan.batch.MAX_ROWS rows or MAX_FILE_BYTES is refused before it is
parsed: the figure is then the refusal's.

    # at the limit: 200,000 employees
    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python bench/onboard_memory.py \
        --institutions 40 --employees 5000
    # a million rows: refused
    TRYTOND_DATABASE_URI=sqlite:// .venv/bin/python bench/onboard_memory.py \
        --institutions 200 --employees 5000
"""
import argparse
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import machine  # noqa: E402
from bench.scratch import scratch_database  # noqa: E402
from kazan import batch as batch_reader  # noqa: E402
from tests.fixtures import sample_batch  # noqa: E402

KAZAN = str(pathlib.Path(sys.executable).with_name('kazan'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--institutions', type=int, default=40)
    parser.add_argument('--employees', type=int, default=5000,
        help="employees of each institution")
    args = parser.parse_args()

    uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
    workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-bench-memory-'))
    try:
        run(args, uri, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, uri, workdir):
    batch = workdir / 'batch'
    education = round(args.institutions * 35 / 42)
    sample_batch.generate(batch, institutions=args.institutions,
        education=education, culture=args.institutions - education,
        employees=(args.employees, args.employees))
    rows = args.institutions * args.employees
    size = (batch / 'employees.csv').stat().st_size

    scratch = scratch_database(uri, workdir)
    database, password = scratch.database, scratch.password
    common, env = scratch.common, scratch.env
    subprocess.run([KAZAN, 'init', *common, '--admin-password-file',
            str(password)], check=True, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # the children's peak so far: kazan init's, to tell it apart
    init_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    t = time.perf_counter()
    result = subprocess.run([KAZAN, 'onboard', str(batch), '--dry-run',
            *common], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    backend = uri.split(':', 1)[0]
    print(f"kazan onboard --dry-run, {backend}, {args.institutions} "
        f"institutions, {rows:,} employee rows, employees.csv "
        f"{size / 2**20:.0f} MiB (limits: {batch_reader.MAX_ROWS:,} rows, "
        f"{batch_reader.MAX_FILE_BYTES / 2**20:.0f} MiB) "
        f"({machine.describe()}; load {machine.load_average()})")
    said = (result.stdout.strip().splitlines()[-1:]
        or result.stderr.strip().splitlines()[:1] or [''])[0]
    print(f"  exit {result.returncode} in {elapsed:.1f} s: {said}")
    if peak > init_peak:
        print(f"  peak memory: {peak / 1024:.0f} MiB")
    else:
        print(f"  peak memory: at most {init_peak / 1024:.0f} MiB "
            "(no more than kazan init's)")
    if backend == 'postgresql':
        subprocess.run(['dropdb', '--if-exists', '--maintenance-db',
                uri + 'postgres', database], check=False)


if __name__ == '__main__':
    main()
