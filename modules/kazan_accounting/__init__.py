# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.

from . import guard, records, rows

# The guard checks every call a client makes, in the databases where the
# module is activated (trytond loads the module's package for them)
guard.install()
# The ORM's rows fetched in batches, the column names read once a batch
rows.install()
# Records built without the core's assertions that scan their list of ids
records.install()
