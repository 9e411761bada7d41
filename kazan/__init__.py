"""The command line and the batch pipelines of the Kazan accounting service.

The Tryton modules (modules/kazan_accounting, modules/kazan_payroll) hold
the domain; this package drives them: ``kazan init``, ``statements``,
``serve``, ``demo`` (see interfaces.md §1).
"""
