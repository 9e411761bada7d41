"""Benchmark: the desktop client opens the balance (form 0503730).

Issue 14, item 5.  The client shows a statement through its table_query
model (modules/kazan_accounting/statements.py): opening the list is a
``search``, a ``search_count`` and a ``read`` of the list view's fields,
three calls, each in its own transaction, each with the client's context
(the user's preferences and the values of the form's context: institution,
date, founder).  Each call asks the model for its table, and so computes
the form; this prints how long each call takes and how many times the form
was computed in it.

A database with --institutions sample schools (the module tests'
sample.institution, founder "education"; each with the moves of
test_statements.py posted --repeat times), a director of the first
school and an accountant of them all, made with the test harness
(``DB_CACHE`` keeps the activated module between runs).  Then, --runs
times, the client's open as the director (one
institution) and as the accountant (the founder's consolidated balance),
as RPC runs it: the user's id, ``_check_access``, record rules.  The best
and the median in milliseconds.

    DB_CACHE=/tmp/dbcache .venv/bin/python bench/forms_open.py
    TRYTOND_DATABASE_URI=postgresql://... DB_NAME=... bench/forms_open.py

Run it before and after a change of statements.py to compare.
"""
import argparse
import contextlib
import datetime as dt
import os
import pathlib
import statistics
import sys
import time
from unittest import mock

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')

DATE = dt.date(2026, 4, 30)
START = dt.date(2026, 3, 1)
PASSWORD = 'Forms-open-2026!'
MODEL = 'kazan.statement.balance'


def setup(institutions, repeat):
    "The sample schools, their moves, a director and an accountant"
    from trytond.modules.kazan_accounting.tests.test_statements import (
        MOVES_A, post_moves, sample)
    from trytond.pool import Pool

    pool = Pool()
    Company = pool.get('company.company')
    User = pool.get('res.user')
    schools = Company.setup_institutions([
            sample.institution(81 + i, START) for i in range(institutions)])
    for school in schools:
        post_moves(school, MOVES_A * repeat)
    director, accountant = User.create_service_users([{
                'login': 'forms_open_director', 'name': 'Director',
                'role': 'director', 'companies': [schools[0].id],
                'password': PASSWORD,
                }, {
                'login': 'forms_open_accountant', 'name': 'Accountant',
                'role': 'accountant',
                'companies': [s.id for s in schools],
                'password': PASSWORD,
                }])
    return schools[0].id, director.id, accountant.id


def open_form(database, user_id, form_context, counter):
    """Open the balance as the client does: search, search_count, read,
    each in a transaction of its own; return [(ms, forms computed)]"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    def call(method):
        with Transaction().start(database, user_id, readonly=True):
            User = Pool().get('res.user')
            context = User.get_preferences(context_only=True)
            context.update(form_context)
            with Transaction().set_context(context, _check_access=True):
                counter.clear()
                start = time.perf_counter()
                result = method(Pool().get(MODEL))
                elapsed = (time.perf_counter() - start) * 1000
        return result, (elapsed, len(counter))

    domain = [('company', '=', form_context['company'])]
    ids, search = call(lambda Model: [r.id for r in Model.search(
                domain, offset=0, limit=1000, order=None)])
    _, count = call(lambda Model: Model.search_count(domain))

    def read(Model):
        names = list(Model.fields_view_get(view_type='tree')['fields'])
        return Model.read(ids, names)
    _, read = call(read)
    return [search, count, read]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--institutions', type=int, default=5)
    parser.add_argument('--repeat', type=int, default=20,
        help="times the 12 moves of test_statements' school A are posted "
        "for each institution (default 20)")
    parser.add_argument('--runs', type=int, default=7)
    args = parser.parse_args()

    from trytond.modules.kazan_accounting import statement_engine, statements
    from trytond.modules.kazan_accounting.tests.test_statements import (
        in_transaction)
    from trytond.tests.test_tryton import DB_NAME, activate_module

    activate_module(['kazan_accounting'])
    start = time.perf_counter()
    company_id, director_id, accountant_id = in_transaction(
        DB_NAME, lambda pool: setup(args.institutions, args.repeat))
    print(f'set-up: {args.institutions} institutions, '
        f'{12 * args.repeat} posted moves each, '
        f'{time.perf_counter() - start:.1f} s '
        f'({os.environ["TRYTOND_DATABASE_URI"].split(":")[0]})')

    # Count the computations of the form
    counter = []
    balance = statement_engine.balance

    def counted(*args, **kwargs):
        counter.append(1)
        return balance(*args, **kwargs)

    cases = [
        ('director, one institution', director_id,
            {'company': company_id, 'date': DATE}),
        ('accountant, the founder\'s institutions', accountant_id,
            {'company': company_id, 'date': DATE, 'founder': 'education'}),
        ]
    Mixin = statements.StatementMixin
    cache = getattr(Mixin, '_rows_cache', None)

    def uncached(cls, company_ids):
        return cls.statement_rows(company_ids)

    modes = [('before: each call computes the form', True, False)]
    if cache is not None:
        modes += [
            ('after, first open (new data since the last one)', False, True),
            ('after, reopened (same data)', False, False)]
    with mock.patch.object(statements, 'balance', counted):
        for name, user_id, context in cases:
            print(f'{MODEL} ({name}), {args.runs} runs:')
            for mode, without_cache, cold in modes:
                patch = (mock.patch.object(Mixin, 'cached_rows',
                        classmethod(uncached))
                    if without_cache and cache is not None
                    else contextlib.nullcontext())
                runs = []
                with patch:
                    for _ in range(args.runs):
                        if cold:
                            cache._clear(DB_NAME)
                        runs.append(
                            open_form(DB_NAME, user_id, context, counter))
                print(f'  {mode}:')
                for i, call in enumerate(['search', 'search_count', 'read']):
                    times = [r[i][0] for r in runs]
                    print(f'    {call:<13} best {min(times):7.1f} ms, '
                        f'median {statistics.median(times):7.1f} ms, '
                        f'form computed {runs[-1][i][1]} time(s)')
                totals = [sum(t for t, _ in r) for r in runs]
                print(f'    {"open":<13} best {min(totals):7.1f} ms, '
                    f'median {statistics.median(totals):7.1f} ms, '
                    f'form computed {sum(n for _, n in runs[-1])} time(s)')


if __name__ == '__main__':
    main()
