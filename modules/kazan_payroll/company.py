# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The pay days of an institution (ТК ст. 136).

Salary is paid twice a month: the advance for the first half on one day of
the same month, the final settlement on one day of the next month.  Each
institution sets its own days in its collective agreement; a pay day that
falls on a day off moves to the working day before it.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta

from .exceptions import PayDayError
from .rules import month_bounds

# Rostrud's example (brief §6.6): the 17th for the 1st–15th of the month,
# the 2nd of the next month for the 16th to its end.
DEFAULT_ADVANCE_DAY = 17
DEFAULT_FINAL_DAY = 2


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    payroll_advance_day = fields.Integer(
        "Advance Pay Day",
        help="The day of the month the advance for its first half is paid.")
    payroll_final_day = fields.Integer(
        "Final Pay Day",
        help="The day of the next month the final settlement is paid.")
    # issue 15: the vacation reserve (reserve.py), by the accounting policy
    payroll_vacation_reserve = fields.Selection([
            (None, "No Reserve"),
            ('monthly', "Monthly"),
            ('quarterly', "Quarterly"),
            ], "Vacation Reserve", sort=False,
        help="How the institution's accounting policy accrues the reserve "
        "for vacation pay (401.60): at the end of each month or quarter; "
        "vacation pay and compensation are then charged to it. "
        "Empty: no reserve, they are expenses of the month.")

    @classmethod
    def default_payroll_advance_day(cls):
        return DEFAULT_ADVANCE_DAY

    @classmethod
    def default_payroll_final_day(cls):
        return DEFAULT_FINAL_DAY

    @classmethod
    def validate_fields(cls, companies, field_names):
        super().validate_fields(companies, field_names)
        cls.check_pay_days(companies, field_names)

    @classmethod
    def check_pay_days(cls, companies, field_names=None):
        names = {'payroll_advance_day', 'payroll_final_day'}
        if field_names and not field_names & names:
            return
        for company in companies:
            for name in sorted(names):
                day = getattr(company, name)
                if day is not None and not 1 <= day <= 31:
                    raise PayDayError(gettext(
                            'kazan_payroll.msg_pay_day_invalid',
                            institution=company.rec_name,
                            field=cls.fields_get([name])[name]['string'],
                            day=day))

    def pay_date(self, month, kind, calendar):
        """The date the advance ('advance') or the final settlement
        ('final') of the month is paid: the set day (the last of a shorter
        month), moved back to a working day"""
        if kind == 'advance':
            day, month = self.payroll_advance_day or DEFAULT_ADVANCE_DAY, month
        else:
            day = self.payroll_final_day or DEFAULT_FINAL_DAY
            month = month_bounds(month)[1] + dt.timedelta(days=1)
        last = month_bounds(month)[1]
        date = month.replace(day=min(day, last.day))
        if date.year not in calendar.years:
            # the final settlement of December is paid in January
            raise PayDayError(gettext(
                    'kazan_payroll.msg_run_no_calendar', year=date.year))
        while not calendar.is_working_day(date):
            date -= dt.timedelta(days=1)
        return date
