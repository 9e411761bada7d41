"""Per-institution work, each institution in a transaction of its own.

The onboarding, the payroll and the plan import do the same thing per
institution: call a function in a transaction of its own, and note its
error instead of stopping the others.  With ``jobs`` > 1 (PostgreSQL) the
institutions are shared among worker processes; SQLite is one process.

``each_chunk`` does the same for work that a list of institutions shares
(the payroll: one create, one validation, one posting for all): a few
institutions a transaction, and each alone again when their transaction
fails, so that an error still names its institution and the others are
done and committed.
"""
import contextlib
import functools
import math

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


def each(settings, work, tasks, jobs=1, workers=None):
    """Call work(pool, *args) for each (key, args) of tasks, each in a
    transaction of its own, in this process or in ``jobs`` worker
    processes (those of ``workers`` when given); yield (key, result, error
    message or None) as each is done.

    work must be a module-level function (the workers import it)."""
    call = functools.partial(_call, settings, work)
    if workers is not None:
        yield from workers.imap_unordered(call, tasks)
        return
    yield from _imap(settings, call, tasks, jobs)


@contextlib.contextmanager
def started(settings, jobs):
    """The worker processes of ``jobs`` (None for one: this process),
    started now and loading Tryton's pool of the database while the caller
    reads its files, for ``each(..., workers=...)``"""
    if jobs <= 1:
        yield None
        return
    import multiprocessing
    context = multiprocessing.get_context('spawn')
    with context.Pool(jobs, initializer=_warm, initargs=(settings,)) \
            as workers:
        yield workers


def _warm(settings):
    "Configure trytond and load the database's pool in a worker"
    apply(settings)
    database.run(settings, lambda pool: None, readonly=True)


def each_chunk(settings, work, tasks, args=(), jobs=1, size=10):
    """As each, for tasks (key, item) and work(pool, [item, ...], *args)
    that does up to ``size`` items in one transaction (fewer, so that
    every job has some) and returns their results in order.  When that
    transaction fails, each of its items is done again alone, in a
    transaction of its own.  Yield (key, result, error message or None)
    for each task."""
    chunks = chunked(tasks, jobs, size)
    call = functools.partial(_call_chunk, settings, work, args)
    for done in _imap(settings, call, chunks, jobs):
        yield from done


def _imap(settings, call, items, jobs):
    """call(item) for each item, in this process or in ``jobs`` worker
    processes, as each is done"""
    if jobs == 1 or len(items) < 2:
        yield from map(call, items)
        return
    import multiprocessing
    context = multiprocessing.get_context('spawn')
    with context.Pool(min(jobs, len(items)), initializer=apply,
            initargs=(settings,)) as workers:
        yield from workers.imap_unordered(call, items)


def chunked(tasks, jobs, size):
    "tasks in lists of up to size, fewer when the jobs would otherwise idle"
    size = max(1, min(size, math.ceil(len(tasks) / max(jobs, 1))))
    return [tasks[i:i + size] for i in range(0, len(tasks), size)]


def _call_chunk(settings, work, args, chunk):
    "[(key, result, error)] of the tasks of chunk, together or one by one"
    if len(chunk) > 1:
        try:
            results = database.run(settings,
                lambda pool: work(pool, [item for _, item in chunk], *args))
        except Exception:
            pass  # each alone below: the error is its institution's
        else:
            return [(key, result, None)
                for (key, _), result in zip(chunk, results, strict=True)]
    done = []
    for key, item in chunk:
        try:
            result, = database.run(settings,
                lambda pool: work(pool, [item], *args))
        except Exception as error:
            done.append((key, None, error_message(error)))
        else:
            done.append((key, result, None))
    return done


def _call(settings, work, task):
    key, args = task
    try:
        result = database.run(settings, lambda pool: work(pool, *args))
    except Exception as error:
        return key, None, error_message(error)
    return key, result, None
