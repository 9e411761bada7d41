"""What the file imports share (``kazan plan import``, ``kazan documents
import``): the file read whole, and the per-institution writing with its
progress and its result."""
import pathlib
from collections import Counter
from dataclasses import dataclass, field

from . import parallel
from .config import UsageError
from .progress import Progress


def read_file(path):
    "The bytes of the file, or a UsageError in Russian"
    try:
        return pathlib.Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"файл не читается: {path}: {error.strerror}")


@dataclass
class Result:
    "What an import did: the problems that stopped it, or what it wrote"
    file: pathlib.Path
    problems: list = field(default_factory=list)  # messages; none written
    institutions: int = 0
    counts: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)  # [(inn, message)]


def write_each(settings, result, work, tasks, title, jobs=1):
    """Call work(pool, *args) for each (inn, args) of tasks, each
    institution in a transaction of its own (parallel.each, in jobs
    processes on PostgreSQL), showing the progress; add the {status:
    count} it returns to result.counts, or its error to result.failures"""
    result.institutions = len(tasks)
    jobs = parallel.usable_jobs(settings, jobs)
    with Progress(len(tasks), title) as progress:
        for inn, counts, error in parallel.each(
                settings, work, tasks, jobs):
            if error:
                result.failures.append((inn, error))
            else:
                result.counts.update(counts)
            progress.step(inn)
    return result
