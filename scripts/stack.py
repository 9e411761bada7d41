#!/usr/bin/env python3
"""The production shape on this machine (make production): PostgreSQL,
gunicorn, trytond-cron and trytond-worker (tests/fixtures/stack.py).

    scripts/stack.py [--workers N] [--listen HOST:PORT] [--database NAME]
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from tests.fixtures.stack import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())
