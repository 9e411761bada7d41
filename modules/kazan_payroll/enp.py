# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Taxes paid through the single tax account (ЕНП) and their notices.

- The notices (уведомление об исчисленных суммах, KND 1110355): for each
  institution and month, the rows (KBK, ОКТМО, period code, amount) of the
  NDFL withheld on the 1st–22nd and on the 23rd to the end of the month,
  split at 312,000 rubles of tax of a person in the year between the two
  KBKs, and of the insurance contributions of the month.  The NDFL comes
  from 6-НДФЛ's queries (``TaxReport.ndfl_sources``, by date of
  withholding), the contributions from the payslips of the posted run;
  the KBKs and period codes are data (``fns/enp.csv``, with what is
  confirmed), the due dates rules (``rules.enp_due_dates``).
- The transfer (``kazan.payroll.tax_payment``): a document per institution
  and date transferring what is due and not yet paid, by КФО, to the ЕНП
  (Dr 303.14 Cr 201.11, brief §3 entry 8) and, on the due date, the offset
  of the ЕНП against the taxes (Dr 303.01 / 303.15 Cr 303.14, entry 8a);
  НС и ПЗ goes to the Social Fund directly (Dr 303.06 Cr 201.11).
"""
import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.kazan_accounting import export
from trytond.modules.kazan_accounting.model import InstitutionRowsMixin, tables
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import fns, rules
from .exceptions import TaxPaymentError
from .payslip import MONEY, PAY_KFO, ZERO, month_text
from .posting import PostedDocumentMixin, Posting
from .queries import _apply_types
from .tax_report import TaxReport, band_bounds, rows_query

PARTS = [
    ('ndfl_first', "NDFL withheld on the 1st–22nd"),
    ('ndfl_second', "NDFL withheld on the 23rd to the end"),
    ('contributions', "Insurance contributions"),
    ('accident', "Accident insurance (to the Social Fund)"),
    ]
# The transfer and the offset of each part (posting rules, brief §3)
TRANSFER_OPERATIONS = {
    'ndfl_first': 'payment_enp_ndfl',
    'ndfl_second': 'payment_enp_ndfl',
    'contributions': 'payment_enp_contributions',
    'accident': 'payment_accident',
    }
OFFSET_OPERATIONS = {
    'ndfl_first': 'enp_offset_ndfl',
    'ndfl_second': 'enp_offset_ndfl',
    'contributions': 'enp_offset_contributions',
    }
# How far back a transfer looks for what is due and unpaid (months)
LOOK_BACK_MONTHS = 3


# --- The data: KBKs and period codes -----------------------------------------

@dataclass(frozen=True)
class Code:
    value: str
    confirmed: bool
    note: str


def read_codes():
    "The KBKs and period codes of fns/enp.csv: {key: Code}"
    with open(fns.FNS_DIR / 'enp.csv', encoding='utf-8',
            newline='') as file:
        return {r['key']: Code(r['value'], r['confirmed'] == 'yes',
                r['note']) for r in csv.DictReader(file, delimiter=';')}


def add_months(month, count):
    "The first day of the month count months after (before) month's"
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


# --- The notices -------------------------------------------------------------

@dataclass
class NoticeRow:
    "A row of the notice of an obligation of a month"
    part: str
    month: dt.date
    kbk: str
    oktmo: str
    period_code: str
    amount: Decimal
    notice_date: dt.date
    payment_date: dt.date
    confirmed: bool


def _quarter(month):
    return (month.month - 1) // 3 + 1


def ndfl_by_kbk(company, month):
    """The NDFL withheld in the month by part (1st–22nd, 23rd–end) and KBK,
    from 6-НДФЛ's rows by person and date of withholding: {(part, kbk
    key): amount}"""
    LawYear = Pool().get('kazan.payroll.law_year')
    first, last = rules.month_bounds(month)
    report = TaxReport(company, month.year, _quarter(month))
    thresholds = {}
    result = defaultdict(lambda: ZERO)
    for (party, date, year, income, deductions, base_before, base_after,
            tax_before, tax_after, computed, withheld,
            returned) in report._ndfl_rows():
        if not first <= date <= last:
            continue
        if year not in thresholds:
            bands = band_bounds(LawYear.parameters(year))
            thresholds[year] = bands[1][3] if len(bands) > 1 else None
        low, high = rules.ndfl_kbk_split(
            tax_before, withheld - returned, thresholds[year])
        part = rules.ndfl_part(date)
        result[part, 'kbk.ndfl_first'] += low
        result[part, 'kbk.ndfl_above'] += high
    return result


def contributions_of_month(company, month):
    "The insurance contributions accrued by the posted run of the month"
    report = TaxReport(company, month.year, _quarter(month))
    return report._payslip_totals('contributions').get(month, ZERO)


def notices(company, month, calendar=None):
    """The rows of the notices of the obligations of the month: the NDFL
    of its two halves by KBK, the contributions of the month (notified in
    the next one); the rows without an amount are left out"""
    if calendar is None:
        calendar = Pool().get('kazan.payroll.calendar_day').calendar(
            rules.TATARSTAN)
    month = month.replace(day=1)
    codes = read_codes()
    amounts = dict(ndfl_by_kbk(company, month))
    amounts['contributions', 'kbk.contributions'] = contributions_of_month(
        company, month)
    rows = []
    for part in ['ndfl_first', 'ndfl_second', 'contributions']:
        try:
            notice, payment = rules.enp_due_dates(part, month, calendar)
        except LookupError:  # no production calendar of the due year
            notice = payment = None
        period = codes[f'period.{part}.{month.month:02d}']
        for key in ['kbk.ndfl_first', 'kbk.ndfl_above', 'kbk.contributions']:
            amount = amounts.get((part, key))
            if not amount:
                continue
            kbk = codes[key]
            rows.append(NoticeRow(part, month, kbk.value,
                    company.oktmo or '', period.value, amount, notice,
                    payment, kbk.confirmed and period.confirmed))
    return rows


def _date_text(date):
    return date.strftime('%d.%m.%Y') if date else ''


def notices_document(company, months):
    "The notices of the months as a document of the export package"
    names = dict(PARTS)
    rows = []
    for month in months:
        for row in notices(company, month):
            rows.append({'month': month_text(row.month),
                    'part': names[row.part], 'kbk': row.kbk,
                    'oktmo': row.oktmo, 'period': row.period_code,
                    'year': str(row.month.year), 'amount': row.amount,
                    'notice': _date_text(row.notice_date),
                    'payment': _date_text(row.payment_date),
                    'check': '' if row.confirmed else "проверить"})
    table = export.Table("Уведомления об исчисленных суммах", [
            export.Column('month', "Месяц", 'text', 16),
            export.Column('part', "Обязательство", 'text', 30),
            export.Column('kbk', "КБК", 'code', 22),
            export.Column('oktmo', "ОКТМО", 'code', 12),
            export.Column('period', "Период (код)", 'code', 8),
            export.Column('year', "Год", 'code', 6),
            export.Column('amount', "Сумма", 'amount'),
            export.Column('notice', "Уведомление до", 'code', 12),
            export.Column('payment', "Уплата до", 'code', 12),
            export.Column('check', "Коды", 'code', 10),
            ], rows, sheet="Уведомления")
    return export.Document(
        "Уведомления об исчисленных суммах налогов и страховых взносов",
        "КНД 1110355", [
            ("Налоговый агент", company.rec_name),
            ("ИНН / КПП", f'{company.inn or ""} / {company.kpp or ""}'),
            ("ОКТМО", company.oktmo or ''),
            ("Единица измерения", "руб."),
            ], [table])


# --- What is due by КФО ------------------------------------------------------

def _period_clause(date, first, last):
    return (date >= first) & (date <= last)


def due_by_kfo(company, part, month):
    """What the obligation of the month comes to by КФО: {kfo: amount}.
    The NDFL of the posted runs withheld in the half-month (at the final
    settlement or on the day of dismissal) and of the vacation pay paid in
    it, the same incomes as 6-НДФЛ's (ndfl_sources); the contributions and
    the НС и ПЗ of the posted run of the month"""
    payslip, line, run, move, vacation = tables(
        'kazan.payroll.payslip', 'kazan.payroll.payslip.line',
        'kazan.payroll.run', 'account.move', 'kazan.payroll.vacation_pay')
    first, last = rules.enp_period(part, month)
    kfo = Coalesce(line.kfo, payslip.kfo)
    base = (line
        .join(payslip, condition=line.payslip == payslip.id)
        .join(run, condition=payslip.run == run.id))
    cursor = Transaction().connection.cursor()
    queries = []
    if part in rules.NDFL_PARTS:
        date = Coalesce(payslip.final_date, move.date)
        queries.append(base.join(move, 'LEFT',
                condition=run.final_move == move.id).select(
                kfo, Sum(line.amount),
                where=(payslip.company == company.id)
                & (run.state == 'posted')
                & line.code.in_(['ndfl', rules.NDFL_SICK_CODE])
                & ((move.state == 'posted') | (payslip.final_date != Null))
                & _period_clause(date, first, last),
                group_by=[kfo]))
        month_run = (vacation
            .join(run, condition=(run.company == vacation.company)
                & (run.month == vacation.payment_month)))
        queries.append(month_run.select(
                vacation.kfo, Sum(vacation.ndfl),
                where=(vacation.company == company.id)
                & (vacation.state == 'posted') & (run.state == 'posted')
                & _period_clause(vacation.payment_date, first, last),
                group_by=[vacation.kfo]))
    else:
        queries.append(base.select(
                kfo, Sum(line.amount),
                where=(payslip.company == company.id)
                & (run.state == 'posted') & (run.month == month)
                & (line.code == part),
                group_by=[kfo]))
    result = defaultdict(lambda: ZERO)
    for query in queries:
        _apply_types(query, [None, 'NUMERIC'])
        cursor.execute(*query)
        for kfo_, amount in cursor:
            result[kfo_] += Decimal(str(amount or 0))
    return {k: a for k, a in result.items() if a}


# --- The transfer ------------------------------------------------------------

STATES = [
    ('draft', "Draft"),
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]


class TaxPayment(PostedDocumentMixin, Workflow, ModelSQL, ModelView):
    "Taxes transferred to the single tax account"
    __name__ = 'kazan.payroll.tax_payment'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Institution", required=True, states=_states)
    date = fields.Date(
        "Transfer Date", required=True, states=_states,
        help="The day the money leaves the personal account.")
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    lines = fields.One2Many(
        'kazan.payroll.tax_payment.line', 'payment', "Lines",
        states=_states)
    total = fields.Function(
        fields.Numeric("Total", digits=MONEY), 'get_total')
    moves = fields.One2Many(
        'account.move', 'origin', "Moves", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return f'{self.company.rec_name} {self.date}'

    def get_total(self, name):
        return sum((line.amount or ZERO for line in self.lines), ZERO)

    @staticmethod
    def _delete_error(payment):
        return TaxPaymentError(gettext(
                'kazan_payroll.msg_tax_payment_delete_posted',
                payment=payment.rec_name))

    @staticmethod
    def transferred(company, keys, exclude=()):
        """What the posted transfers of the institution paid for each
        (part, month, kfo) of keys"""
        Line = Pool().get('kazan.payroll.tax_payment.line')
        result = defaultdict(lambda: ZERO)
        months = list({m for _, m, _ in keys})
        if not months:
            return result
        for line in Line.search([
                    ('payment.company', '=', company.id),
                    ('payment.state', '=', 'posted'),
                    ('payment', 'not in', list(exclude)),
                    ('month', 'in', months),
                    ]):
            result[line.part, line.month, line.kfo] += line.amount
        return result

    @classmethod
    @ModelView.button
    def fill(cls, payments):
        """The lines of what is due and not yet transferred, by КФО: every
        obligation of the last months whose period has ended by the
        transfer date"""
        Line = Pool().get('kazan.payroll.tax_payment.line')
        Line.delete([line for p in payments for line in p.lines])
        to_create = []
        for payment in payments:
            current = payment.date.replace(day=1)
            due = {}
            for i in range(LOOK_BACK_MONTHS, -1, -1):
                month = add_months(current, -i)
                for part in rules.ENP_PARTS:
                    if rules.enp_period(part, month)[1] >= payment.date:
                        continue
                    for kfo, amount in due_by_kfo(
                            payment.company, part, month).items():
                        due[part, month, kfo] = amount
            paid = cls.transferred(payment.company, due, [payment.id])
            for (part, month, kfo), amount in due.items():
                rest = amount - paid[part, month, kfo]
                if rest > 0:
                    to_create.append({'payment': payment.id, 'part': part,
                            'month': month, 'kfo': kfo, 'amount': rest})
        Line.create(to_create)

    @classmethod
    def check_due(cls, payments):
        """No line transfers more than what its obligation comes to less
        what the posted transfers paid: a period is not paid twice"""
        for payment in payments:
            keys = {(l.part, l.month, l.kfo) for l in payment.lines}
            paid = cls.transferred(payment.company, keys, [payment.id])
            asked = defaultdict(lambda: ZERO)
            for line in payment.lines:
                asked[line.part, line.month, line.kfo] += line.amount
            for (part, month, kfo), amount in sorted(asked.items()):
                due = due_by_kfo(payment.company, part, month).get(kfo, ZERO)
                rest = due - paid[part, month, kfo]
                if amount > rest:
                    message = ('msg_tax_payment_paid' if rest <= 0
                        else 'msg_tax_payment_exceeds')
                    raise TaxPaymentError(gettext(
                            f'kazan_payroll.{message}',
                            payment=payment.rec_name,
                            part=dict(PARTS)[part],
                            month=month_text(month), kfo=kfo,
                            amount=amount, due=rest))

    @classmethod
    @ModelView.button
    @Workflow.transition('posted')
    def post(cls, payments):
        """Post the transfer on its date (Dr 303.14 or 303.06, Cr 201.11,
        by КФО) and the offset of the ЕНП on the due date of each
        obligation, or on the transfer date when it is later (Dr 303.01 /
        303.15, Cr 303.14)"""
        pool = Pool()
        Move = pool.get('account.move')
        calendar = pool.get('kazan.payroll.calendar_day').calendar(
            rules.TATARSTAN)
        for payment in payments:
            if not payment.lines:
                raise TaxPaymentError(gettext(
                        'kazan_payroll.msg_tax_payment_empty',
                        payment=payment.rec_name))
        cls.check_due(payments)
        posting = Posting([p.company for p in payments])
        moves = []
        for payment in payments:
            transfer = []
            offsets = defaultdict(list)
            for line in payment.lines:
                transfer.extend(posting.lines(payment.company,
                        TRANSFER_OPERATIONS[line.part], line.kfo,
                        line.amount))
                if line.part in OFFSET_OPERATIONS:
                    try:
                        _, due = rules.enp_due_dates(
                            line.part, line.month, calendar)
                    except LookupError:
                        raise TaxPaymentError(gettext(
                                'kazan_payroll.msg_run_no_calendar',
                                year=line.month.year + 1)) from None
                    offsets[max(due, payment.date)].extend(posting.lines(
                            payment.company, OFFSET_OPERATIONS[line.part],
                            line.kfo, line.amount))
            moves.append(posting.move(payment, 'journal_non_cash',
                    payment.date, gettext(
                        'kazan_payroll.msg_move_tax_payment',
                        date=payment.date), transfer))
            for date, lines in sorted(offsets.items()):
                moves.append(posting.move(payment, 'journal_other', date,
                        gettext('kazan_payroll.msg_move_enp_offset',
                            date=payment.date), lines))
        Move.post(Move.create(moves))


class TaxPaymentLine(ModelSQL, ModelView):
    "An obligation of a month transferred, for one КФО"
    __name__ = 'kazan.payroll.tax_payment.line'

    payment = fields.Many2One(
        'kazan.payroll.tax_payment', "Transfer", required=True,
        ondelete='CASCADE')
    part = fields.Selection(PARTS, "Obligation", required=True, sort=False)
    month = fields.Date("Month", required=True,
        help="The first day of the month of the obligation.")
    kfo = fields.Selection(PAY_KFO, "KFO", required=True)
    amount = fields.Numeric("Amount", digits=MONEY, required=True)
    due_date = fields.Function(fields.Date("Due Date"), 'get_due_date')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('payment')
        cls._order = [('month', 'ASC'), ('part', 'ASC'), ('kfo', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        for line in lines:
            # in Python: a Numeric compared in SQL is wrong on SQLite
            if line.amount <= 0:
                raise TaxPaymentError(gettext(
                        'kazan_payroll.msg_tax_payment_line_amount',
                        payment=line.payment.rec_name))

    @fields.depends('month')
    def on_change_month(self):
        if self.month:
            self.month = self.month.replace(day=1)

    def get_due_date(self, name):
        calendar = Pool().get('kazan.payroll.calendar_day').calendar(
            rules.TATARSTAN)
        try:
            return rules.enp_due_dates(self.part, self.month, calendar)[1]
        except LookupError:
            return None


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['kazan.payroll.tax_payment']


# --- The notices in the client -----------------------------------------------

def _date(value):
    "A date of the context (a string over RPC)"
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value if isinstance(value, dt.date) else None


class NoticeContext(ModelView):
    "Tax Notices Context"
    __name__ = 'kazan.payroll.enp.notice.context'

    company = fields.Many2One('company.company', "Institution", required=True)
    month = fields.Date("Month", required=True,
        help="Any day of the month of the obligations.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_month(cls):
        today = Pool().get('ir.date').today()
        return add_months(today.replace(day=1), -1)


class Notice(InstitutionRowsMixin, ModelSQL, ModelView):
    "Tax Notice Row"
    __name__ = 'kazan.payroll.enp.notice'

    sequence = fields.Integer("Sequence")
    part = fields.Selection(PARTS, "Obligation", sort=False)
    month = fields.Date("Month")
    kbk = fields.Char("KBK")
    oktmo = fields.Char("OKTMO")
    period_code = fields.Char("Period Code")
    amount = fields.Numeric("Amount", digits=MONEY)
    notice_date = fields.Date("Notice Due")
    payment_date = fields.Date("Payment Due")
    confirmed = fields.Boolean("Codes Confirmed")
    _figures = ['part', 'month', 'kbk', 'oktmo', 'period_code', 'amount',
        'notice_date', 'payment_date', 'confirmed']

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Company = Pool().get('company.company')
        context = Transaction().context
        company_id = context.get('company')
        # the month of the context, or the months of a report's period
        months = [_date(context.get('month'))]
        if months == [None]:
            since, until = (_date(context.get('from_date')),
                _date(context.get('to_date')))
            months = []
            while since and until and since <= until and len(months) < 12:
                months.append(since.replace(day=1))
                since = add_months(since.replace(day=1), 1)
        allowed = context.get('companies') or [company_id]
        rows = []
        if company_id and company_id > 0 and company_id in allowed:
            company = Company(company_id)
            for month in filter(None, months):
                rows.extend(notices(company, month))
        return rows_query(cls, ['id', 'company', 'sequence'] + cls._figures,
            [[i, company_id, i] + [getattr(row, n) for n in cls._figures]
                for i, row in enumerate(rows, 1)])
