"""Progress of long work: a bar on a terminal, plain lines otherwise.

tqdm draws the bar (and knows terminal widths, rates and ETAs better than a
hand-written one); when stderr is not a terminal (CI, cron, a log file) a
line per step is easier to read and to grep.
"""
import sys
import time

from tqdm import tqdm


class Progress:
    "Count steps of a job of known size; use as a context manager"

    def __init__(self, total, label, stream=None):
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._bar = None
        if self.stream.isatty():
            self._bar = tqdm(
                total=total, desc=label, unit='', file=self.stream,
                dynamic_ncols=True, leave=True)

    def step(self, what=''):
        self.done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(what, refresh=False)
            self._bar.update(1)
        else:
            print(f"{self.label}: {self.done}/{self.total} {what}".rstrip(),
                file=self.stream, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
