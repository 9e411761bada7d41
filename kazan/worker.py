"""trytond-worker that ends when it loses its database, for its supervisor
to start a new one.

    python -m kazan.worker -c trytond.conf -d kazan [trytond-worker options]

trytond 8.0's worker listens for tasks on one connection, opened at its
start and never replaced: after PostgreSQL restarts, each pull fails on
that dead connection and the worker loops on, running no task again (found
by tests/production: a task queued after the restart waited forever).  This
entry point is trytond-worker's own main with one change: a pull that fails
on a broken connection ends the process with status 75 (EX_TEMPFAIL), and
systemd (Restart=always, config/systemd/kazan-worker.service) or
tests/fixtures/stack.py starts a new worker, which connects again.

No upstream report was found (to be filed on bugs.tryton.org):
modules/kazan_accounting/tests/test_core_overrides.py pins the source of
trytond.worker.Queue.pull, which this wraps, and fails when an upgrade
changes it.
"""
import logging
import sys

EX_TEMPFAIL = 75
logger = logging.getLogger('kazan.worker')


class ConnectionLost(SystemExit):
    "The worker's connection to the database is broken"


def main():
    import trytond.commandline as commandline
    import trytond.config as config
    parser = commandline.get_parser_worker()
    options = parser.parse_args()
    config.update_etc(options.configfile)
    commandline.config_log(options)

    # imported after the configuration, as trytond-worker does: the
    # backend is chosen on import
    import trytond.worker as worker
    from trytond import backend
    from trytond.pool import Pool

    pull = worker.Queue.pull

    def pull_or_end(self, name=None):
        try:
            return pull(self, name)
        except backend.DatabaseOperationalError:
            connection = self.connection
            if connection.closed or getattr(connection, 'broken', False):
                logger.error("the connection to database %s is lost: "
                    "exit for a new worker", self.database.name)
                raise ConnectionLost(EX_TEMPFAIL)
            raise
    worker.Queue.pull = pull_or_end

    lost = False
    with commandline.pidfile(options):
        try:
            Pool.start()
            worker.work(options)
        except ConnectionLost:
            lost = True
        except KeyboardInterrupt:
            pass
    return EX_TEMPFAIL if lost else 0


if __name__ == '__main__':
    sys.exit(main())
