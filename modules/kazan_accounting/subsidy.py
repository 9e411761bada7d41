# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Subsidy agreements with the founder (соглашение о субсидии).

The subsidy for the municipal task (КФО 4, КОСГУ 131) and the targeted
subsidies (КФО 5, КОСГУ 152).  Accruing the agreement books the whole
amount as a receivable from the founder against income of future periods
(brief §3 entries 9 and 12: Dr 205.31 or 205.52 / Cr 401.41), one
receivable line per month of the schedule, due on its first day; each
month is then recognised as income (Dr 401.41 / Cr 401.10.131 or .152).
The receivable lines have the agreement as origin (the founder is the
agreement's: see entry_lines for why the lines have no party) and stay
open: a tranche received (Dr 201.11 / Cr 205.xx, the bank import) settles
the line of its month and amount.  The accounts are data (income_entries.csv).
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval

from .exceptions import SubsidyError
from .fees import entry_lines, first_day, last_day, move_values
from .model import DocumentMixin

STATES = [
    ('draft', "Draft"),
    ('accrued', "Accrued"),
    ]
KFO_KOSGU = {'4': '131', '5': '152'}


class Agreement(DocumentMixin, Workflow, ModelSQL, ModelView):
    "Subsidy Agreement"
    __name__ = 'kazan.subsidy.agreement'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    founder = fields.Many2One('party.party', "Founder", required=True,
        states=_states, context={'company': Eval('company', -1)},
        depends={'company'}, help="The party that grants the subsidy.")
    number = fields.Char("Number", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    kfo = fields.Selection([
            ('4', "4 Subsidy for the municipal task"),
            ('5', "5 Subsidy for other purposes"),
            ], "KFO", required=True, sort=False, states=_states)
    kosgu = fields.Char("KOSGU", size=3, required=True, states=_states,
        help="131 for the municipal task, 152 for a targeted subsidy.")
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        domain=[('amount', '>', 0)], states=_states)
    schedule = fields.One2Many('kazan.subsidy.schedule', 'agreement',
        "Schedule", states=_states,
        help="The amount recognised as income each month.")
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    move = fields.Many2One('account.move', "Move", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')
        t = cls.__table__()
        cls._sql_constraints += [
            ('number_unique', Unique(t, t.company, t.number),
                'kazan_accounting.msg_subsidy_number_unique'),
            ]
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'accrued')}
        cls._buttons.update({
                'accrue': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_kfo(cls):
        return '4'

    @fields.depends('kfo')
    def on_change_kfo(self):
        self.kosgu = KFO_KOSGU.get(self.kfo)

    def get_rec_name(self, name):
        return '%s %s' % (self.number, self.company.rec_name)

    @classmethod
    def validate_fields(cls, agreements, field_names):
        super().validate_fields(agreements, field_names)
        for agreement in agreements:
            if agreement.kosgu != KFO_KOSGU.get(agreement.kfo):
                raise SubsidyError(gettext(
                        'kazan_accounting.msg_subsidy_kosgu',
                        kfo=agreement.kfo, kosgu=agreement.kosgu,
                        expected=KFO_KOSGU.get(agreement.kfo)))

    @classmethod
    def check_modification(cls, mode, agreements, values=None,
            external=False):
        super().check_modification(
            mode, agreements, values=values, external=external)
        if mode == 'delete':
            for agreement in agreements:
                if agreement.state != 'draft':
                    raise SubsidyError(gettext(
                            'kazan_accounting.msg_subsidy_delete_accrued',
                            agreement=agreement.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('accrued')
    def accrue(cls, agreements):
        """Book each agreement: the founder's receivable against income of
        future periods; the schedule must add up to the amount"""
        pool = Pool()
        Move = pool.get('account.move')
        moves = []
        for agreement in agreements:
            scheduled = sum((l.amount for l in agreement.schedule),
                Decimal(0))
            if scheduled != agreement.amount:
                raise SubsidyError(gettext(
                        'kazan_accounting.msg_subsidy_schedule_total',
                        agreement=agreement.rec_name, scheduled=scheduled,
                        amount=agreement.amount))
            moves.append(move_values(agreement.company, 'journal_debtors',
                    agreement.date, gettext(
                        'kazan_accounting.msg_subsidy_description',
                        number=agreement.number),
                    agreement, agreement.accrual_lines()))
        moves = Move.create(moves)
        Move.post(moves)
        for agreement, move in zip(agreements, moves):
            agreement.move = move
        cls.save(agreements)

    def accrual_lines(self):
        """The lines of the accrual: a receivable per month of the
        schedule (due on its first day), so that each tranche received
        settles one line of its amount; income of future periods for the
        whole amount"""
        receivable, deferred = entry_lines(self.company,
            'subsidy_agreement', self.kfo, self.amount,
            description=self.number, origin=self)
        lines = [dict(receivable, debit=l.amount, maturity_date=l.month)
            for l in self.schedule if l.amount]
        return lines + [deferred]

    @classmethod
    def recognise(cls, agreements, month):
        """Recognise the month's amount of each accrued agreement as
        income; a month already recognised is left as it is.  Return the
        schedule lines recognised now."""
        pool = Pool()
        Schedule = pool.get('kazan.subsidy.schedule')
        lines = Schedule.search([
                ('agreement', 'in', [a.id for a in agreements]),
                ('month', '=', first_day(month)),
                ('move', '=', None),
                ])
        Schedule.recognise(lines)
        return lines


class ScheduleLine(ModelSQL, ModelView):
    "Month of a subsidy agreement's schedule"
    __name__ = 'kazan.subsidy.schedule'

    agreement = fields.Many2One('kazan.subsidy.agreement', "Agreement",
        required=True, ondelete='CASCADE')
    month = fields.Date("Month", required=True,
        help="The first day of the month.")
    amount = fields.Numeric("Amount", digits=(16, 2), required=True,
        domain=[('amount', '>=', 0)])
    move = fields.Many2One('account.move', "Recognition", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('agreement')
        t = cls.__table__()
        cls._sql_constraints += [
            ('month_unique', Unique(t, t.agreement, t.month),
                'kazan_accounting.msg_subsidy_schedule_month_unique'),
            ]
        cls._order = [('month', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'recognise': {
                    'invisible': Bool(Eval('move')),
                    'depends': ['move'],
                    },
                })

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.month and line.month.day != 1:
                raise SubsidyError(gettext(
                        'kazan_accounting.msg_subsidy_month_first',
                        month=line.month))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        "The schedule of an accrued agreement changes only by recognition"
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'create', 'delete'} or (
                mode == 'write' and set(values or {}) - {'move'}):
            for line in lines:
                if line.agreement.state != 'draft':
                    raise SubsidyError(gettext(
                            'kazan_accounting.msg_subsidy_schedule_accrued',
                            agreement=line.agreement.rec_name))

    @classmethod
    @ModelView.button
    def recognise(cls, lines):
        "Book the month's income of each line of an accrued agreement"
        pool = Pool()
        Move = pool.get('account.move')
        lines = [l for l in lines if not l.move and l.amount]
        for line in lines:
            if line.agreement.state != 'accrued':
                raise SubsidyError(gettext(
                        'kazan_accounting.msg_subsidy_not_accrued',
                        agreement=line.agreement.rec_name))
        moves = Move.create([move_values(line.agreement.company,
                    'journal_debtors', last_day(line.month), gettext(
                        'kazan_accounting.msg_subsidy_recognition',
                        number=line.agreement.number,
                        month=line.month.strftime('%m.%Y')),
                    line.agreement, entry_lines(line.agreement.company,
                        'subsidy_recognition', line.agreement.kfo,
                        line.amount, description=line.agreement.number))
                for line in lines])
        Move.post(moves)
        for line, move in zip(lines, moves):
            line.move = move
        cls.save(lines)
