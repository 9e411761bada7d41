# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The year-end closing (заключительные обороты) and the next year.

On the last day of the year the balances of the income (401.10) and the
expenses (401.20) of the year are closed into the financial result of prior
periods (401.30) within each КФО: entries 23 (debit 401.10, credit 401.30)
and 24 (debit 401.30, credit 401.20) of the domain brief.  This is Tryton's
"Balance Non-Deferral" done per КФО: the accounts closed are the
non-deferral ones (type of an income statement), the move is in an
adjustment period of the fiscal year (so that the statement of financial
results still shows the income and expenses of the year) and its origin is
the fiscal year.  Then the fiscal year is closed with Tryton's own "close"
and the next one is created by the "Renew Fiscal Year" wizard when it is
missing.  Tryton carries the balance accounts over: the opening balance of
the next year is the closing balance of this one, with 401.10 and 401.20
at zero.

The closing of the Section 5 accounts (502, 504, 506, 507, 508; entry 25)
is not done: its entries are unconfirmed in the brief.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import PYSONEncoder
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import KFO_CODES
from .exceptions import YearEndClosingError


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    # One code for every institution: the charts share their codes
    result_account_code = fields.Char(
        "Financial Result Account", strip=True,
        help="The code of the account of the financial result of prior "
        "periods in the institutions' charts, into which the year-end "
        "closing transfers the income and expenses of the year.")


class Account(metaclass=PoolMeta):
    __name__ = 'account.account'

    @classmethod
    def _cumulate(
            cls, fiscalyears, accounts, names, values, func,
            deferral='account.account.deferral'):
        # The deferral of a closed fiscal year holds the balance of every
        # КФО together: a balance of one КФО sums the lines of the earlier
        # years instead.  Not a core bug (the core has no КФО): a private
        # method, its source pinned by tests/test_core_overrides.py.
        if Transaction().context.get('kfo'):
            deferral = None
        return super()._cumulate(
            fiscalyears, accounts, names, values, func, deferral=deferral)


class RenewFiscalYear(metaclass=PoolMeta):
    __name__ = 'account.fiscalyear.renew'

    def fiscalyear_defaults(self):
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        defaults = super().fiscalyear_defaults()
        # The move numbers of an institution carry the year ("2026-15")
        previous = str(self.start.previous_fiscalyear.start_date.year)
        year = str(self.start.start_date.year)
        sequence = Sequence(defaults['move_sequence'])
        changed = False
        for name in ['prefix', 'suffix']:
            value = getattr(sequence, name)
            if value and previous != year and previous in value:
                setattr(sequence, name, value.replace(previous, year))
                changed = True
        if changed:
            sequence.save()
        return defaults

    def create_fiscalyear(self):
        "The plans of the new year approved beforehand are posted now"
        Plan = Pool().get('kazan.plan')
        fiscalyear = super().create_fiscalyear()
        Plan.post_of_fiscalyears([fiscalyear])
        return fiscalyear


class YearEndClosingStart(ModelView):
    "Year-End Closing"
    __name__ = 'kazan.year_end_closing.start'

    companies = fields.Many2Many(
        'company.company', None, None, "Institutions", required=True,
        help="The institutions whose fiscal year is closed.")
    date = fields.Date(
        "Closing Date", required=True,
        help="The last day of the fiscal year to close (31 December), "
        "the date of the closing move.")
    journal = fields.Many2One(
        'account.journal', "Journal", required=True,
        domain=[('type', '=', 'general')],
        help="The journal of operations of the closing move.")
    result_account_code = fields.Char(
        "Financial Result Account", required=True, strip=True,
        help="The code of the account into which the income and expenses "
        "of the year are closed.")

    @classmethod
    def default_companies(cls):
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return [company_id]
        return []

    @classmethod
    def default_date(cls):
        "The last day of the earliest open fiscal year of the institution"
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        company_id = Transaction().context.get('company')
        if company_id is None or company_id < 0:
            return
        fiscalyears = FiscalYear.search([
                ('company', '=', company_id),
                ('state', '=', 'open'),
                ], order=[('start_date', 'ASC')], limit=1)
        if fiscalyears:
            fiscalyear, = fiscalyears
            return fiscalyear.end_date

    @classmethod
    def default_journal(cls):
        "The journal of other operations, where the closing is recorded"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        return ModelData.get_id('kazan_accounting', 'journal_other')

    @classmethod
    def default_result_account_code(cls):
        pool = Pool()
        Configuration = pool.get('account.configuration')
        return Configuration(1).result_account_code


class YearEndClosing(Wizard):
    "Year-End Closing"
    __name__ = 'kazan.year_end_closing'

    start = StateView('kazan.year_end_closing.start',
        'kazan_accounting.year_end_closing_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Close the Year", 'close_year', 'tryton-ok', default=True),
            ])
    close_year = StateAction('account.act_move_form')

    def do_close_year(self, action):
        self.check_companies(self.start.companies)
        # The service closes the year for the institutions chosen (whatever
        # the current one): the wizard's access is the permission.
        with without_check_access():
            moves = self.close_years(
                self.start.companies, self.start.date, self.start.journal,
                self.start.result_account_code)
        ids = [m.id for m in moves]
        action['pyson_domain'] = PYSONEncoder().encode([('id', 'in', ids)])
        if len(ids) == 1:
            action['views'].reverse()
        action['res_id'] = ids
        return action, {}

    @classmethod
    def check_companies(cls, companies):
        "Only the institutions assigned to the user are closed"
        pool = Pool()
        User = pool.get('res.user')
        if not Transaction().user:
            return
        assigned = set(User.get_assigned_companies())
        for company in companies:
            if company.id not in assigned:
                raise AccessError(gettext(
                        'kazan_accounting.msg_closing_company_not_assigned',
                        institution=company.rec_name))

    @classmethod
    def close_years(cls, companies, date, journal, result_account_code):
        """Close the fiscal year ending on date of each company; return the
        posted closing moves (none for a year without income or expense)"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Period = pool.get('account.period')
        JournalPeriod = pool.get('account.journal.period')
        Move = pool.get('account.move')
        Sequence = pool.get('ir.sequence.strict')
        fiscalyears, result_accounts = cls.check_closing(
            companies, date, result_account_code)
        # The locks of Tryton's closing of fiscal years and periods, and of
        # the move numbers: asked for before any work, the restarts of the
        # transaction that take them cost nothing
        FiscalYear.lock()
        Period.lock()
        JournalPeriod.lock()
        Move.lock()
        Sequence.lock([f.move_sequence for f in fiscalyears])
        periods = cls.get_adjustment_periods(fiscalyears, date, journal)
        moves = []
        for fiscalyear, period, result_account in zip(
                fiscalyears, periods, result_accounts):
            move = cls.get_closing_move(
                fiscalyear, period, date, journal, result_account)
            if move:
                moves.append(move)
        Move.save(moves)
        Move.post(moves)
        # Before the closing: the renewal copies the fiscal year
        cls.renew_fiscalyears(fiscalyears)
        FiscalYear.close(fiscalyears)
        return moves

    @classmethod
    def check_closing(cls, companies, date, result_account_code):
        """Return the fiscal years to close and the result accounts, in the
        order of companies, or raise YearEndClosingError listing every
        institution that cannot be closed and why"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        errors = []
        fiscalyears, result_accounts = [], []
        for company in companies:
            institution = company.rec_name
            found = FiscalYear.search([
                    ('company', '=', company.id),
                    ('end_date', '=', date),
                    ], limit=1)
            if not found:
                errors.append(gettext(
                        'kazan_accounting.msg_closing_no_fiscalyear',
                        institution=institution, date=lang.strftime(date)))
                continue
            fiscalyear, = found
            fiscalyears.append(fiscalyear)
            if fiscalyear.state != 'open':
                errors.append(gettext(
                        'kazan_accounting.msg_closing_fiscalyear_closed',
                        institution=institution,
                        fiscalyear=fiscalyear.rec_name))
                continue
            earlier = FiscalYear.search([
                    ('company', '=', company.id),
                    ('end_date', '<', fiscalyear.start_date),
                    ('state', '=', 'open'),
                    ], order=[('start_date', 'ASC')], limit=1)
            if earlier:
                errors.append(gettext(
                        'kazan_accounting.msg_closing_earlier_fiscalyear_open',
                        institution=institution,
                        fiscalyear=fiscalyear.rec_name,
                        earlier=earlier[0].rec_name))
            drafts = Move.search([
                    ('company', '=', company.id),
                    ('period.fiscalyear', '=', fiscalyear.id),
                    ('state', '!=', 'posted'),
                    ], order=[('date', 'ASC'), ('id', 'ASC')])
            if drafts:
                errors.append(gettext(
                        'kazan_accounting.msg_closing_draft_moves',
                        institution=institution,
                        fiscalyear=fiscalyear.rec_name,
                        count=len(drafts),
                        move=drafts[0].rec_name))
            accounts = Account.search([
                    ('company', '=', company.id),
                    ('code', '=', result_account_code),
                    ('type', '!=', None),
                    ('closed', '!=', True),
                    ('deferral', '=', True),
                    ], limit=1)
            if not accounts:
                errors.append(gettext(
                        'kazan_accounting.msg_closing_result_account_missing',
                        institution=institution, code=result_account_code))
                continue
            result_accounts.extend(accounts)
        if errors:
            raise YearEndClosingError('\n'.join(errors))
        return fiscalyears, result_accounts

    @classmethod
    def get_adjustment_periods(cls, fiscalyears, date, journal):
        """Return for each fiscal year its adjustment period on date, created
        (with the journal open in it) when missing"""
        pool = Pool()
        Period = pool.get('account.period')
        JournalPeriod = pool.get('account.journal.period')
        periods = {p.fiscalyear: p for p in Period.search([
                    ('fiscalyear', 'in', [f.id for f in fiscalyears]),
                    ('type', '=', 'adjustment'),
                    ('start_date', '<=', date),
                    ('end_date', '>=', date),
                    ], order=[('start_date', 'DESC'), ('id', 'DESC')])}
        missing = [f for f in fiscalyears if f not in periods]
        if missing:
            created = Period.create([{
                        'name': gettext(
                            'kazan_accounting.msg_closing_period_name',
                            fiscalyear=f.name),
                        'start_date': date,
                        'end_date': date,
                        'fiscalyear': f.id,
                        'type': 'adjustment',
                        } for f in missing])
            # Tryton would open the journal at the first move, under a lock
            # of the whole table: nobody else sees these periods yet
            JournalPeriod.create([
                    {'journal': journal.id, 'period': p.id} for p in created])
            periods.update(zip(missing, created))
        return [periods[f] for f in fiscalyears]

    @classmethod
    def get_closing_move(cls, fiscalyear, period, date, journal,
            result_account):
        """Return the unsaved move closing the income and expense balances
        of the fiscal year into result_account within each КФО, or None"""
        pool = Pool()
        Move = pool.get('account.move')
        lines = []
        for kfo in KFO_CODES:
            lines.extend(cls.get_closing_lines(
                    fiscalyear, kfo, result_account))
        if not lines:
            return
        return Move(
            company=fiscalyear.company,
            journal=journal,
            period=period,
            date=date,
            origin=fiscalyear,
            description=gettext(
                'kazan_accounting.msg_closing_move_description',
                fiscalyear=fiscalyear.rec_name),
            lines=lines)

    @classmethod
    def get_closing_lines(cls, fiscalyear, kfo, result_account):
        """Return the lines of one КФО: one per income or expense account
        with a balance in the fiscal year, reversing it, and the counterpart
        on result_account of the income (entry 23) and of the expenses
        (entry 24)"""
        pool = Pool()
        Account = pool.get('account.account')
        Line = pool.get('account.move.line')
        company = fiscalyear.company
        currency = company.currency
        descriptions = {
            False: gettext('kazan_accounting.msg_closing_income_description'),
            True: gettext('kazan_accounting.msg_closing_expense_description'),
            }

        def line(account, balance, expense):
            "The line bringing balance to zero on account"
            return Line(
                account=account, kfo=kfo,
                debit=-balance if balance < 0 else Decimal(0),
                credit=balance if balance > 0 else Decimal(0),
                description=descriptions[expense])

        lines = []
        totals = defaultdict(Decimal)
        # The balances of the year alone, as Tryton's Balance Non-Deferral
        # reads them, restricted to the КФО (see move.Line.query_get)
        with Transaction().set_context(
                company=company.id, fiscalyear=fiscalyear.id, date=None,
                periods=None, from_date=None, to_date=None, journal=None,
                cumulate=False, posted=True, kfo=kfo):
            accounts = Account.search([
                    ('company', '=', company.id),
                    ('deferral', '=', False),
                    ('type', '!=', None),
                    ('closed', '!=', True),
                    ], order=[('code', 'ASC'), ('id', 'ASC')])
            for account in accounts:
                balance = account.debit - account.credit
                if currency.is_zero(balance):
                    continue
                expense = bool(account.type.expense)
                lines.append(line(account, balance, expense))
                totals[expense] += balance
        for expense in [False, True]:
            if not currency.is_zero(totals[expense]):
                lines.append(
                    line(result_account, -totals[expense], expense))
        return lines

    @classmethod
    def renew_fiscalyears(cls, fiscalyears):
        """Create the fiscal year following each one when it is missing, by
        Tryton's "Renew Fiscal Year" (new move sequence, same periods), with
        every journal open in its periods"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Company = pool.get('company.company')
        Renew = pool.get('account.fiscalyear.renew', type='wizard')
        created = []
        for fiscalyear in fiscalyears:
            next_day = fiscalyear.end_date + dt.timedelta(days=1)
            if FiscalYear.search([
                        ('company', '=', fiscalyear.company.id),
                        ('start_date', '<=', next_day),
                        ('end_date', '>=', next_day),
                        ], limit=1):
                continue
            # Not the context of this wizard's action
            with Transaction().set_context(
                    company=fiscalyear.company.id, action_id=None,
                    active_model=None, active_id=None, active_ids=None):
                session_id, _, _ = Renew.create()
                try:
                    renew = Renew(session_id)
                    renew.start.company = fiscalyear.company
                    renew.start.previous_fiscalyear = fiscalyear
                    renew.start.reset_sequences = True
                    renew.start.on_change_previous_fiscalyear()
                    created.append(renew.create_fiscalyear())
                finally:
                    Renew.delete(session_id)
        if created:
            created = FiscalYear.browse(created)
            Company.create_journal_periods(created)
        return created
