#!/usr/bin/env python3
"""Onboard a batch of institutions: the same program as ``kazan onboard``.

For IT runbooks that call the script by path:

    scripts/migrate_institutions.py BATCH_DIR [--dry-run] [--report FILE]
        [--credentials FILE] [--jobs N] [--config FILE] [--database NAME]
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from kazan.cli import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(['onboard', *sys.argv[1:]]))
