"""Per-institution work, each institution in a transaction of its own.

The onboarding, the payroll and the plan import do the same thing per
institution: call a function in a transaction of its own, and note its
error instead of stopping the others.  With ``jobs`` > 1 (PostgreSQL) the
institutions are shared among worker processes; SQLite is one process.
"""
import functools

from . import database
from .config import apply


def usable_jobs(settings, jobs):
    "jobs, or 1 on SQLite (a SQLite file has one writer)"
    jobs = max(1, jobs or 1)
    apply(settings)
    from trytond import backend
    return 1 if backend.name == 'sqlite' else jobs


def error_message(error):
    "What went wrong, in the words of a Tryton user error when it is one"
    return getattr(error, 'message', None) or str(error)


def each(settings, work, tasks, jobs=1):
    """Call work(pool, *args) for each (key, args) of tasks, each in a
    transaction of its own, in this process or in ``jobs`` worker
    processes; yield (key, result, error message or None) as each is done.

    work must be a module-level function (the workers import it)."""
    call = functools.partial(_call, settings, work)
    if jobs == 1 or len(tasks) < 2:
        yield from map(call, tasks)
        return
    import multiprocessing
    context = multiprocessing.get_context('spawn')
    with context.Pool(min(jobs, len(tasks)), initializer=apply,
            initargs=(settings,)) as workers:
        yield from workers.imap_unordered(call, tasks)


def _call(settings, work, task):
    key, args = task
    try:
        result = database.run(settings, lambda pool: work(pool, *args))
    except Exception as error:
        return key, None, error_message(error)
    return key, result, None
