# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements as documents: from the computed rows to the forms' files.

`statement_engine.py` computes the figures in SQL; this module lays them
out as the official forms (an `export.Document`, written to XLSX, ODS or
PDF) and as the long CSV layouts of interfaces.md §4, for one institution
or the consolidation of several.  The batch command (``kazan statements``)
and the client's export (the report ``kazan.statement.report`` behind the
wizard ``kazan.statement.export``) both go through `build`.

The forms' fixed texts (titles, column heads of 0503730, 0503721, 0503737,
0504072, 0503738, 0503769, 0504071) are the official Russian wording,
whatever the user's language.
"""
import csv
import io
from collections import defaultdict
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.report import Report
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wizard import Button, StateReport, StateView, Wizard

from . import export
from .common import FOUNDER_NAMES, FOUNDERS, KFO_CODES

ZERO = Decimal(0)

# The columns "by activity" of 0503730 and 0503721 (brief §4): the КФО they
# sum.  КФО 7 (ОМС) is shown with the income-generating activity.
ACTIVITIES = [
    ('target', "Деятельность с целевыми средствами", ('5', '6')),
    ('task', "Деятельность по государственному заданию", ('4',)),
    ('income', "Приносящая доход деятельность", ('2', '7')),
    ('temporary', "Средства во временном распоряжении", ('3',)),
    ('total', "Итого", tuple(KFO_CODES)),
    ]

# form key -> (file name without extension, ОКУД code, title)
FORMS = {
    'trial_balance': ('trial_balance', '0504036',
        "Оборотно-сальдовая ведомость"),
    'balance': ('balance_0503730', '0503730',
        "Баланс государственного (муниципального) учреждения"),
    'financial_results': ('financial_results_0503721', '0503721',
        "Отчет о финансовых результатах деятельности учреждения"),
    'plan_execution': ('plan_execution_0503737', '0503737',
        "Отчет об исполнении учреждением плана его "
        "финансово-хозяйственной деятельности"),
    'general_ledger': ('general_ledger_0504072', '0504072',
        "Главная книга"),
    'obligations': ('obligations_0503738', '0503738',
        "Отчет об обязательствах учреждения"),
    'debts': ('debts_0503769', '0503769',
        "Сведения по дебиторской и кредиторской задолженности"),
    'operations_journal': ('operations_journal_0504071', '0504071',
        "Журнал операций"),
    }
# The forms of one institution only: no founder's consolidation
INSTITUTION_FORMS = ['operations_journal']
FORM_KEYS = list(FORMS)

SECTIONS = [
    ('income', "1. Доходы учреждения"),
    ('expense', "2. Расходы учреждения"),
    ('sources', "3. Источники финансирования дефицита средств"),
    ]

BALANCE_CSV = ['line_code', 'line_name', 'kfo', 'year_start', 'period_end']
RESULTS_CSV = ['line_code', 'line_name', 'kosgu', 'kfo', 'amount']
PLAN_CSV = ['kfo', 'section', 'line_code', 'kvr', 'kosgu', 'planned',
    'executed', 'not_executed']
TRIAL_BALANCE_CSV = ['account', 'kfo', 'opening_debit', 'opening_credit',
    'debit', 'credit', 'closing_debit', 'closing_credit']
GENERAL_LEDGER_CSV = ['account', 'kfo', 'kind', 'month', 'journal', 'debit',
    'credit']


class Subject:
    """Whose statements: one institution, or a founder's institutions
    (their consolidation); dates of the period"""

    def __init__(self, companies, date, founder=None):
        self.companies = list(companies)
        self.date = date
        self.founder = founder

    @property
    def company_ids(self):
        return [c.id for c in self.companies]

    @property
    def from_date(self):
        "The start of the year, or the latest first day in the service"
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        return min(TrialBalance.period_start(c, self.date)
            for c in self.companies)

    def header(self):
        if self.founder:
            lines = [("Учредитель", FOUNDER_NAMES[self.founder]),
                ("Учреждений", str(len(self.companies)))]
        else:
            company, = self.companies
            lines = [("Учреждение", company.rec_name),
                ("ИНН", company.inn or '')]
        return lines + [
            ("На дату", self.date.strftime('%d.%m.%Y')),
            ("Единица измерения", "руб."),
            ]


# The founders as the forms name them (Russian official wording)
def _activity_values(by_kfo, prefix=''):
    "The activity columns of a line from its amounts by КФО"
    return {prefix + key: sum((by_kfo.get(k, ZERO) for k in kfos), ZERO)
        for key, _, kfos in ACTIVITIES}


def _activity_columns(prefix, suffix):
    return [export.Column(prefix + key, f"{label}{suffix}", 'amount')
        for key, label, _ in ACTIVITIES]


# Each form: compute(subject) -> rows; document(subject, rows); csv(rows)

def trial_balance_rows(subject):
    pool = Pool()
    TrialBalance = pool.get('kazan.trial_balance')
    if len(subject.companies) == 1:
        company, = subject.companies
        return TrialBalance.compute(
            company, TrialBalance.period_start(company, subject.date),
            subject.date)
    return consolidate_trial_balances([TrialBalance.compute(
                c, TrialBalance.period_start(c, subject.date), subject.date)
            for c in subject.companies])


def consolidate_trial_balances(row_lists):
    "Sum trial balances of several institutions by account code and КФО"
    from .trial_balance import Row, account_sort_key
    amounts = TRIAL_BALANCE_CSV[2:]
    sums = {}
    for rows in row_lists:
        for row in rows:
            key = (row.code, row.kfo)
            if key not in sums:
                sums[key] = dict.fromkeys(amounts, ZERO)
            for name in amounts:
                sums[key][name] += getattr(row, name)
    return [Row(None, code, kfo, **sums[(code, kfo)])
        for code, kfo in sorted(
            sums, key=lambda k: (account_sort_key(k[0]), k[1]))]


def trial_balance_document(subject, rows):
    columns = [
        export.Column('account', "Счет", 'code', 12),
        export.Column('kfo', "КФО", 'code', 5),
        export.Column('opening_debit', "Сальдо на начало, дебет", 'amount'),
        export.Column('opening_credit', "Сальдо на начало, кредит", 'amount'),
        export.Column('debit', "Обороты, дебет", 'amount'),
        export.Column('credit', "Обороты, кредит", 'amount'),
        export.Column('closing_debit', "Сальдо на конец, дебет", 'amount'),
        export.Column('closing_credit', "Сальдо на конец, кредит", 'amount'),
        ]
    table_rows = [{'account': r.code, 'kfo': r.kfo,
            **{n: getattr(r, n) for n in TRIAL_BALANCE_CSV[2:]}}
        for r in rows]
    totals = {n: sum((getattr(r, n) for r in rows), ZERO)
        for n in TRIAL_BALANCE_CSV[2:]}
    table_rows.append({'account': "Итого", 'kfo': '', 'bold': True,
            **totals})
    return export.Table(
        FORMS['trial_balance'][2], columns, table_rows)


def trial_balance_csv(rows):
    "interfaces.md §4: one row per account and КФО, then the TOTAL row"
    totals = dict.fromkeys(TRIAL_BALANCE_CSV[2:], ZERO)
    out = []
    for row in rows:
        amounts = [getattr(row, a) for a in TRIAL_BALANCE_CSV[2:]]
        out.append([row.code, row.kfo] + amounts)
        for name, amount in zip(TRIAL_BALANCE_CSV[2:], amounts):
            totals[name] += amount
    out.append(['TOTAL', ''] + [totals[a] for a in TRIAL_BALANCE_CSV[2:]])
    return _csv(TRIAL_BALANCE_CSV, out)


def balance_rows(subject):
    from . import statement_engine
    return statement_engine.balance(subject.company_ids, subject.date)


def _lines(rows, key):
    """The lines of a form in their order, each with its amounts by КФО:
    {line: {kfo: row}}"""
    lines = {}
    for row in rows:
        lines.setdefault(key(row), {})[row.kfo] = row
    return lines


def balance_document(subject, rows):
    columns = [
        export.Column('name', "Наименование показателя", 'text'),
        export.Column('line_code', "Код строки", 'code', 6),
        ] + _activity_columns('start_', ", на начало года") \
        + _activity_columns('end_', ", на конец отчетного периода")
    table_rows = []
    for (code, name, level), by_kfo in _lines(
            rows, lambda r: (r.line_code, r.name, r.level)).items():
        total = code in ('ASSETS_TOTAL', 'LIABILITIES_TOTAL')
        table_rows.append({
                'name': name, 'line_code': code, 'level': level,
                'bold': total or level == 0,
                **_activity_values(
                    {k: r.year_start for k, r in by_kfo.items()
                        if k != 'total'}, 'start_'),
                **_activity_values(
                    {k: r.period_end for k, r in by_kfo.items()
                        if k != 'total'}, 'end_'),
                })
    return export.Table(FORMS['balance'][2], columns, table_rows)


def balance_csv(rows):
    return _csv(BALANCE_CSV, [
            [r.line_code, r.name, r.kfo, r.year_start, r.period_end]
            for r in rows])


def financial_results_rows(subject):
    from . import statement_engine
    return statement_engine.financial_results(
        subject.company_ids, subject.from_date, subject.date)


def financial_results_document(subject, rows):
    columns = [
        export.Column('name', "Наименование показателя", 'text'),
        export.Column('line_code', "Код строки", 'code', 6),
        export.Column('kosgu', "Код аналитики", 'code', 7),
        ] + _activity_columns('', "")
    table_rows = []
    for (code, name, kosgu), by_kfo in _lines(
            rows, lambda r: (r.line_code, r.name, r.kosgu)).items():
        table_rows.append({
                'name': name, 'line_code': code, 'kosgu': kosgu or '',
                'level': 1 if kosgu else 0, 'bold': not kosgu,
                **_activity_values({k: r.amount for k, r in by_kfo.items()
                        if k != 'total'}),
                })
    return export.Table(FORMS['financial_results'][2], columns, table_rows)


def financial_results_csv(rows):
    return _csv(RESULTS_CSV, [
            [r.line_code, r.name, r.kosgu or '', r.kfo, r.amount]
            for r in rows])


PLAN_AMOUNTS = ['planned', 'executed_treasury', 'executed_bank',
    'executed_desk', 'executed_noncash', 'executed', 'not_executed']


def plan_execution_rows(subject):
    from . import statement_engine
    return statement_engine.plan_execution(subject.company_ids, subject.date)


def plan_execution_document(subject, rows):
    "One table per КФО (33н: one report per КФО), by section"
    columns = [
        export.Column('name', "Наименование показателя", 'text', 30),
        export.Column('line_code', "Код строки", 'code', 6),
        export.Column('kvr', "КВР", 'code', 5),
        export.Column('kosgu', "КОСГУ", 'code', 6),
        export.Column('planned', "Утверждено плановых назначений", 'amount'),
        export.Column('executed_treasury', "Исполнено через лицевые счета",
            'amount'),
        export.Column('executed_bank', "Исполнено через банковские счета",
            'amount'),
        export.Column('executed_desk', "Исполнено через кассу учреждения",
            'amount'),
        export.Column('executed_noncash', "Исполнено некассовыми операциями",
            'amount'),
        export.Column('executed', "Исполнено, итого", 'amount'),
        export.Column('not_executed', "Не исполнено плановых назначений",
            'amount'),
        ]
    from .statement_engine import plan_execution_name
    titles = dict(SECTIONS)
    return _kfo_tables(rows, columns,
        lambda row, total: {
            'name': titles[row.section] if total
            else plan_execution_name(row),
            **{n: getattr(row, n) for n in PLAN_AMOUNTS}},
        "Нет плановых назначений и исполнения")


def _kfo_tables(rows, columns, values, empty, footer=None):
    """One table per КФО of rows by КВР and КОСГУ (0503737, 0503738): a
    total row has neither; values(row, total) gives the name and amounts,
    empty the title of the table when there is no row"""
    by_kfo = defaultdict(list)
    for row in rows:
        by_kfo[row.kfo].append(row)
    tables = []
    for kfo, kfo_rows in by_kfo.items():
        table_rows = []
        for row in kfo_rows:
            total = not row.kosgu and not row.kvr
            table_rows.append({
                    'line_code': row.line_code, 'kvr': row.kvr or '',
                    'kosgu': row.kosgu or '', 'bold': total,
                    'level': 0 if total else 1, **values(row, total)})
        tables.append(export.Table(f"КФО {kfo}", columns, table_rows,
                footer=footer, sheet=f"КФО {kfo}"))
    if not tables:
        tables.append(export.Table(empty, columns, [], footer=footer))
    return tables


def plan_execution_csv(rows):
    return _csv(PLAN_CSV, [
            [r.kfo, r.section, r.line_code, r.kvr or '', r.kosgu or '',
                r.planned, r.executed, r.not_executed]
            for r in rows])


def general_ledger_rows(subject):
    from . import statement_engine
    return statement_engine.general_ledger(
        subject.company_ids, subject.from_date, subject.date)


GENERAL_LEDGER_KINDS = {
    'opening': "Сальдо на начало",
    'turnover': "Обороты",
    'closing': "Сальдо на конец",
    }


def general_ledger_document(subject, rows):
    "Per account and КФО: the opening balance, turnovers by month and journal"
    columns = [
        export.Column('account', "Счет", 'code', 12),
        export.Column('kfo', "КФО", 'code', 5),
        export.Column('kind', "Показатель", 'text', 18),
        export.Column('month', "Месяц", 'code', 8),
        export.Column('journal', "Журнал операций", 'text', 30),
        export.Column('debit', "Дебет", 'amount'),
        export.Column('credit', "Кредит", 'amount'),
        ]
    table_rows = []
    for row in rows:
        table_rows.append({
                'account': row.code, 'kfo': row.kfo,
                'kind': GENERAL_LEDGER_KINDS[row.kind],
                'month': row.month.strftime('%m.%Y') if row.month else '',
                'journal': row.journal_name or '',
                'debit': row.debit, 'credit': row.credit,
                'bold': row.kind != 'turnover',
                'level': 1 if row.kind == 'turnover' else 0,
                })
    return export.Table(FORMS['general_ledger'][2], columns, table_rows)


def general_ledger_csv(rows):
    return _csv(GENERAL_LEDGER_CSV, [
            [r.code, r.kfo, r.kind,
                r.month.strftime('%Y-%m') if r.month else '',
                r.journal or '', r.debit, r.credit]
            for r in rows])


# The forms of issue 16: obligations, receivables and payables, journals
# of operations (statement_forms.py)

OBLIGATIONS_CSV = ['kfo', 'section', 'line_code', 'kvr', 'kosgu', 'planned',
    'accepted', 'monetary', 'executed', 'not_executed',
    'not_executed_monetary']
DEBTS_CSV = ['kind', 'account', 'kfo', 'year_start', 'increase', 'decrease',
    'period_end']
OPERATIONS_CSV = ['journal', 'date', 'number', 'description',
    'debit_account', 'credit_account', 'kfo', 'amount']


def obligations_rows(subject):
    from . import statement_forms
    return statement_forms.obligations(subject.company_ids, subject.date)


def obligations_document(subject, rows):
    "One table per КФО, as 0503737"
    from .statement_forms import obligation_name
    columns = [
        export.Column('name', "Наименование показателя", 'text', 30),
        export.Column('line_code', "Код строки", 'code', 6),
        export.Column('kvr', "КВР", 'code', 5),
        export.Column('kosgu', "КОСГУ", 'code', 6),
        export.Column('planned', "Утверждено плановых назначений",
            'amount'),
        export.Column('accepted', "Принято обязательств, всего", 'amount'),
        export.Column('competitive', "Из них с применением конкурентных "
            "способов", 'amount'),
        export.Column('monetary', "Принято денежных обязательств",
            'amount'),
        export.Column('executed', "Исполнено денежных обязательств",
            'amount'),
        export.Column('not_executed', "Не исполнено принятых обязательств",
            'amount'),
        export.Column('not_executed_monetary',
            "Не исполнено принятых денежных обязательств", 'amount'),
        ]
    footer = ["Графа «из них с применением конкурентных способов» не "
        "заполнена: в учете не отмечено, какие обязательства приняты по "
        "конкурентным процедурам."]
    return _kfo_tables(rows, columns,
        lambda row, total: {
            'name': obligation_name(row), 'competitive': None,
            **{n: getattr(row, n) for n in OBLIGATIONS_CSV[5:]}},
        "Нет обязательств и плановых назначений", footer)


def obligations_csv(rows):
    return _csv(OBLIGATIONS_CSV, [
            [getattr(r, n) for n in OBLIGATIONS_CSV] for r in rows])


def debts_rows(subject):
    from . import statement_forms
    return statement_forms.debts(subject.company_ids, subject.date)


DEBT_KINDS = [
    ('receivable', "Дебиторская задолженность"),
    ('payable', "Кредиторская задолженность"),
    ]
DEBT_AMOUNTS = DEBTS_CSV[3:]


def debts_document(subject, rows):
    """A table per kind: the accounts by КФО with any figure, each
    synthetic account with its total over the КФО"""
    columns = [
        export.Column('name', "Наименование показателя", 'text', 35),
        export.Column('account', "Счет", 'code', 8),
        export.Column('kfo', "КФО", 'code', 6),
        export.Column('year_start', "Сумма задолженности на начало года",
            'amount'),
        export.Column('increase', "Изменение задолженности: увеличение",
            'amount'),
        export.Column('decrease', "Изменение задолженности: уменьшение",
            'amount'),
        export.Column('period_end', "Сумма задолженности на конец "
            "отчетного периода", 'amount'),
        export.Column('long_term', "Из них долгосрочная", 'amount'),
        export.Column('overdue', "Из них просроченная", 'amount'),
        ]
    footer = ["Графы «долгосрочная» и «просроченная» не заполнены: в учете "
        "нет сроков погашения задолженности. Сравнение с той же датой "
        "прошлого года не приводится."]
    tables = []
    for kind, title in DEBT_KINDS:
        table_rows = []
        for row in rows:
            if row.kind != kind:
                continue
            shown = row.kfo == 'total' or any(
                getattr(row, n) for n in DEBT_AMOUNTS)
            if not shown:
                continue
            total = row.account == 'TOTAL'
            table_rows.append({
                    'name': "Итого" if total else row.name,
                    'account': '' if total else row.account,
                    'kfo': "Всего" if row.kfo == 'total' else row.kfo,
                    'level': row.level, 'bold': row.level == 0,
                    'long_term': None, 'overdue': None,
                    **{n: getattr(row, n) for n in DEBT_AMOUNTS}})
        tables.append(export.Table(title, columns, table_rows,
                footer=footer, sheet=title[:31]))
    return tables


def debts_csv(rows):
    return _csv(DEBTS_CSV, [
            [getattr(r, n) for n in DEBTS_CSV] for r in rows])


def operations_rows(subject):
    from . import statement_forms
    return statement_forms.operations(subject.company_ids, subject.date)


MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль",
    "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]


def operations_document(subject, rows):
    """One table per journal of operations with entries in the month: its
    entries, then their totals"""
    from .statement_forms import operation_journal_name, operations_journals
    columns = [
        export.Column('date', "Дата", 'code', 10),
        export.Column('number', "Номер записи", 'code', 10),
        export.Column('description', "Содержание операции", 'text', 35),
        export.Column('debit_account', "Дебет", 'code', 10),
        export.Column('credit_account', "Кредит", 'code', 10),
        export.Column('kfo', "КФО", 'code', 5),
        export.Column('amount', "Сумма", 'amount'),
        ]
    month = f"{MONTHS[subject.date.month - 1]} {subject.date.year}"
    by_journal = defaultdict(list)
    for row in rows:
        by_journal[row.journal].append(row)
    tables = []
    for journal in operations_journals():
        number = journal['journal']
        journal_rows = by_journal.get(number)
        if not journal_rows:
            continue
        table_rows = [{
                'date': r.date.strftime('%d.%m.%Y'), 'number': r.number,
                'description': r.description,
                'debit_account': r.debit_account,
                'credit_account': r.credit_account, 'kfo': r.kfo,
                'amount': r.amount} for r in journal_rows]
        by_kfo = defaultdict(lambda: ZERO)
        for row in journal_rows:
            by_kfo[row.kfo] += row.amount
        for kfo in sorted(by_kfo):
            table_rows.append({'description': f"Итого по КФО {kfo}",
                    'kfo': kfo, 'amount': by_kfo[kfo], 'bold': True})
        table_rows.append({'description': "Итого оборотов",
                'amount': sum(by_kfo.values(), ZERO), 'bold': True})
        tables.append(export.Table(
                f"№ {number}. {operation_journal_name(number)}, {month}",
                columns, table_rows, sheet=f"Журнал {number}"))
    if not tables:
        tables.append(export.Table(
                f"Нет операций за {month}", columns, []))
    return tables


def operations_csv(rows):
    return _csv(OPERATIONS_CSV, [
            [r.journal, r.date.isoformat(), r.number, r.description,
                r.debit_account, r.credit_account, r.kfo, r.amount]
            for r in rows])


BUILDERS = {
    'trial_balance': (trial_balance_rows, trial_balance_document,
        trial_balance_csv),
    'balance': (balance_rows, balance_document, balance_csv),
    'financial_results': (financial_results_rows,
        financial_results_document, financial_results_csv),
    'plan_execution': (plan_execution_rows, plan_execution_document,
        plan_execution_csv),
    'general_ledger': (general_ledger_rows, general_ledger_document,
        general_ledger_csv),
    'obligations': (obligations_rows, obligations_document,
        obligations_csv),
    'debts': (debts_rows, debts_document, debts_csv),
    'operations_journal': (operations_rows, operations_document,
        operations_csv),
    }


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';', lineterminator='\n')
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue()


def _csv_value(value):
    if isinstance(value, Decimal):
        return f'{value:.2f}'
    return '' if value is None else export.text_cell(value)


def build(form, subject):
    "The rows of form for subject, and a function(fmt) -> bytes of its file"
    compute, document, to_csv = BUILDERS[form]
    rows = compute(subject)

    def render(fmt):
        if fmt == 'csv':
            return to_csv(rows).encode('utf-8')
        tables = document(subject, rows)
        if not isinstance(tables, list):
            tables = [tables]
        _, code, title = FORMS[form]
        return export.render(export.Document(title, code, subject.header(),
                tables), fmt)
    return rows, render


def file_name(form, fmt):
    return f'{FORMS[form][0]}.{fmt}'


def readable_companies(company_ids=None, founder=None):
    """The institutions the user may read among those asked for: raise
    AccessError naming them when some are not (record rules of
    company.company, checked even for code that runs as root)"""
    pool = Pool()
    Company = pool.get('company.company')
    domain = [('inn', '!=', None)]
    if company_ids is not None:
        domain.append(('id', 'in', list(company_ids)))
    if founder:
        domain.append(('founder', '=', founder))
    with check_access():
        companies = Company.search(domain, order=[('inn', 'ASC')])
    if company_ids is not None and len(companies) < len(set(company_ids)):
        raise AccessError(gettext(
                'kazan_accounting.msg_statement_institution_denied'))
    if founder:
        # a founder's consolidation covers all its institutions or none
        with without_check_access():
            every = Company.search([('founder', '=', founder)], count=True)
        if len(companies) < every:
            raise AccessError(gettext(
                    'kazan_accounting.msg_statement_founder_denied',
                    founder=FOUNDER_NAMES[founder]))
    return companies


class StatementExportStart(ModelView):
    "Statement Export"
    __name__ = 'kazan.statement.export.start'

    company = fields.Many2One('company.company', "Institution",
        states={'invisible': Bool(Eval('founder'))},
        help="Leave empty with a founder for the consolidation.")
    founder = fields.Selection([(None, "")] + FOUNDERS, "Founder",
        help="The consolidation of every institution of the founder.")
    date = fields.Date("Date", required=True)
    form = fields.Selection([
            ('trial_balance', "Trial balance"),
            ('balance', "Balance (0503730)"),
            ('financial_results', "Financial results (0503721)"),
            ('plan_execution', "Plan execution (0503737)"),
            ('general_ledger', "General ledger (0504072)"),
            ('obligations', "Obligations (0503738)"),
            ('debts', "Receivables and payables (0503769)"),
            ('operations_journal', "Journals of operations (0504071)"),
            ], "Form", required=True, sort=False)
    format = fields.Selection([
            ('xlsx', "XLSX"), ('ods', "ODS"), ('pdf', "PDF"), ('csv', "CSV"),
            ], "Format", required=True, sort=False)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_form(cls):
        return 'balance'

    @classmethod
    def default_format(cls):
        return 'xlsx'


class StatementExport(Wizard):
    "Export Statement"
    __name__ = 'kazan.statement.export'

    start = StateView('kazan.statement.export.start',
        'kazan_accounting.statement_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export_', 'tryton-ok', default=True),
            ])
    export_ = StateReport('kazan.statement.report')

    def do_export_(self, action):
        return action, {
            'company': self.start.company.id if self.start.company else None,
            'founder': self.start.founder,
            'date': self.start.date,
            'form': self.start.form,
            'format': self.start.format,
            }


class SafeFileNameReport:
    """A report named after its records (an institution, a person): the
    file's name is made safe for any file system (no '/', no quotes)"""

    @classmethod
    def execute(cls, ids, data):
        oext, content, direct_print, name = super().execute(ids, data)
        return oext, content, direct_print, export.safe_file_name(name)


class StatementReport(SafeFileNameReport, Report):
    """One form of one institution or of a founder, in one format.

    data: company (id) or founder, date, form, format.  The institutions
    are read with the user's rights: a director gets only their own."""
    __name__ = 'kazan.statement.report'

    @classmethod
    def _execute(cls, records, header, data, action):
        form, fmt = data.get('form'), data.get('format')
        if form not in FORMS or fmt not in export.FORMATS or not (
                data.get('company') or data.get('founder')):
            raise AccessError(gettext(
                    'kazan_accounting.msg_statement_bad_request'))
        if data.get('founder'):
            if form in INSTITUTION_FORMS:
                raise UserError(gettext(
                        'kazan_accounting.msg_statement_institution_form'))
            companies = readable_companies(founder=data['founder'])
        else:
            companies = readable_companies([data['company']])
        subject = Subject(companies, data['date'], data.get('founder'))
        _, render = build(form, subject)
        try:
            return fmt, render(fmt)
        except export.FontNotFound as error:
            raise UserError(gettext(
                    'kazan_accounting.msg_statement_pdf_font',
                    package=export.FONT_PACKAGE,
                    variable=export.FONT_ENVIRON)) from error
