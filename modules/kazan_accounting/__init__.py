# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
