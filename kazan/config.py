"""Which configuration and database a command works on.

``--config FILE`` (default ``$TRYTOND_CONFIG``, else the quick start: SQLite
files under ``$KAZAN_DATA_DIR`` or ``./var/db``) and ``--database NAME``
(default ``$KAZAN_DATABASE``, else ``kazan``), as interfaces.md §1 says.
"""
import os
import pathlib
import sys
from dataclasses import dataclass

DEFAULT_DATABASE = 'kazan'


class UsageError(Exception):
    "Bad usage or an unusable configuration: exit status 2"


@dataclass
class Settings:
    config_file: str | None
    database: str
    data_dir: pathlib.Path

    @property
    def quickstart(self):
        return self.config_file is None

    def environ(self):
        """The environment for trytond (in this process or a child): the
        configuration file, or the quick-start SQLite settings"""
        env = {}
        if self.config_file:
            env['TRYTOND_CONFIG'] = self.config_file
        else:
            env['TRYTOND_DATABASE__URI'] = 'sqlite://'
            env['TRYTOND_DATABASE__PATH'] = str(self.data_dir / 'db')
            env['TRYTOND_DATABASE__LIST'] = 'False'
            # A quick start is one process: no cache invalidation needed
        return env


def resolve(config_file=None, database=None):
    config_file = config_file or os.environ.get('TRYTOND_CONFIG') or None
    if config_file and not os.path.isfile(config_file):
        raise UsageError(f"конфигурация не найдена: {config_file}")
    if config_file:
        config_file = os.path.abspath(config_file)
    database = database or os.environ.get('KAZAN_DATABASE') or \
        DEFAULT_DATABASE
    data_dir = pathlib.Path(
        os.environ.get('KAZAN_DATA_DIR') or 'var').absolute()
    return Settings(config_file, database, data_dir)


def apply(settings):
    """Configure trytond in this process.

    trytond reads TRYTOND_CONFIG and the TRYTOND_* overrides when
    trytond.config is first imported, and picks its backend from them when
    trytond.backend is: this must run before both."""
    os.environ.update(settings.environ())
    if 'trytond.backend' in sys.modules:
        from trytond import config
        if config.get('database', 'uri') != (
                os.environ.get('TRYTOND_DATABASE__URI')
                or config.get('database', 'uri')):
            raise UsageError(
                "trytond уже настроен на другую базу в этом процессе")
