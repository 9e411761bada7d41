# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
