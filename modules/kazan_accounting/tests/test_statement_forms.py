# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The report on obligations (0503738), the receivables and payables
(0503769) and the journals of operations (0504071) on a small ledger where
every figure is known by hand.

School S joins the service on 1 January 2026 with the sample opening
balance (tests/sample.py): 205.31 КФО 2 15 000 debit; 302.11 280 000,
303.01 36 400, 303.15 84 000 and 303.06 560 credit in КФО 4.  It accepts
two obligations (utilities, wages), turns part of them into monetary
obligations, pays part of those from its personal account, gets its
subsidy and a paid service; a move of March and a draft are in no form of
February.  School T (from 1 February) accepts and pays one service: the
consolidation of the two is the sum of each.
"""
import datetime as dt
import unittest
from collections import defaultdict
from decimal import Decimal

from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .. import statement_report
from ..statement_forms import debts, obligations, operations
from . import test_statements as base
from .tools import in_rolled_back_transaction

FEBRUARY_END = dt.date(2026, 2, 28)

# (date, journal, [(account, kfo, debit, credit, kosgu, kvr)])
MOVES_S = [
    # the obligations of two contracts (brief §3, entry 18)
    (dt.date(2026, 1, 15), 'journal_other', [
            ('506.10', '4', 120_000, 0, '223', '247'),
            ('502.11', '4', 0, 120_000, '223', '247')]),
    (dt.date(2026, 1, 20), 'journal_other', [
            ('506.10', '4', 500_000, 0, '211', '111'),
            ('502.11', '4', 0, 500_000, '211', '111')]),
    # the subsidy accrued and part of it received
    (dt.date(2026, 1, 10), 'journal_debtors', [
            ('205.31', '4', 1_000_000, 0, None, None),
            ('401.10.131', '4', 0, 1_000_000, None, None)]),
    (dt.date(2026, 1, 20), 'journal_non_cash', [
            ('201.11', '4', 400_000, 0, '131', None),
            ('205.31', '4', 0, 400_000, None, None)]),
    # monetary obligations (entry 19)
    (dt.date(2026, 2, 5), 'journal_other', [
            ('502.11', '4', 200_000, 0, '211', '111'),
            ('502.12', '4', 0, 200_000, '211', '111')]),
    (dt.date(2026, 2, 10), 'journal_other', [
            ('502.11', '4', 30_000, 0, '223', '247'),
            ('502.12', '4', 0, 30_000, '223', '247')]),
    # the utility bill and part of its payment
    (dt.date(2026, 2, 10), 'journal_suppliers', [
            ('401.20.223', '4', 30_000, 0, None, None),
            ('302.23', '4', 0, 30_000, None, None)]),
    (dt.date(2026, 2, 20), 'journal_non_cash', [
            ('302.23', '4', 25_000, 0, None, None),
            ('201.11', '4', 0, 25_000, '223', '247')]),
    # wages accrued, then paid and the income tax withheld in one move
    (dt.date(2026, 2, 15), 'journal_payroll', [
            ('401.20.211', '4', 200_000, 0, None, None),
            ('302.11', '4', 0, 200_000, None, None)]),
    (dt.date(2026, 2, 25), 'journal_payroll', [
            ('302.11', '4', 200_000, 0, None, None),
            ('201.11', '4', 0, 174_000, '211', '111'),
            ('303.01', '4', 0, 26_000, None, None)]),
    # a paid service (КФО 2), accrued and partly paid
    (dt.date(2026, 2, 3), 'journal_debtors', [
            ('205.31', '2', 50_000, 0, None, None),
            ('401.10.131', '2', 0, 50_000, None, None)]),
    (dt.date(2026, 2, 25), 'journal_non_cash', [
            ('201.11', '2', 20_000, 0, '131', None),
            ('205.31', '2', 0, 20_000, None, None)]),
    # after the date of the forms
    (dt.date(2026, 3, 5), 'journal_non_cash', [
            ('302.23', '4', 5_000, 0, None, None),
            ('201.11', '4', 0, 5_000, '223', '247')]),
    ]
DRAFT_S = (dt.date(2026, 2, 26), 'journal_other', [
        ('506.10', '4', 999, 0, '223', '247'),
        ('502.11', '4', 0, 999, '223', '247')])
PLAN_S = [
    ('4', '223', '247', 150_000),
    ('4', '211', '111', 600_000),
    ('4', '131', None, 1_000_000),
    ]
MOVES_T = [
    (dt.date(2026, 2, 2), 'journal_other', [
            ('506.10', '4', 10_000, 0, '226', '244'),
            ('502.11', '4', 0, 10_000, '226', '244')]),
    (dt.date(2026, 2, 3), 'journal_other', [
            ('502.11', '4', 10_000, 0, '226', '244'),
            ('502.12', '4', 0, 10_000, '226', '244')]),
    (dt.date(2026, 2, 3), 'journal_suppliers', [
            ('401.20.226', '4', 10_000, 0, None, None),
            ('302.26', '4', 0, 10_000, None, None)]),
    (dt.date(2026, 2, 4), 'journal_non_cash', [
            ('302.26', '4', 10_000, 0, None, None),
            ('201.11', '4', 0, 10_000, '226', '244')]),
    ]

# 0503738 of S at 28 February: (kfo, section, line, kvr, kosgu): planned,
# accepted, monetary, executed, not executed, not executed monetary
OBLIGATIONS_S = {
    ('4', 'expense', '200', '', ''): (
        750_000, 620_000, 230_000, 199_000, 421_000, 31_000),
    ('4', 'expense', '200', '111', '211'): (
        600_000, 500_000, 200_000, 174_000, 326_000, 26_000),
    ('4', 'expense', '200', '247', '223'): (
        150_000, 120_000, 30_000, 25_000, 95_000, 5_000),
    ('4', 'total', '900', '', ''): (
        750_000, 620_000, 230_000, 199_000, 421_000, 31_000),
    }
# 0503769 of S at 28 February: (kind, account, kfo): year start,
# increase, decrease, end; every other figure is zero
DEBTS_S = {
    ('receivable', '205.31', '4'): (0, 1_000_000, 400_000, 600_000),
    ('receivable', '205.31', '2'): (15_000, 50_000, 20_000, 45_000),
    ('payable', '302.11', '4'): (280_000, 200_000, 200_000, 280_000),
    ('payable', '302.23', '4'): (0, 30_000, 25_000, 5_000),
    ('payable', '303.01', '4'): (36_400, 26_000, 0, 62_400),
    ('payable', '303.15', '4'): (84_000, 0, 0, 84_000),
    ('payable', '303.06', '4'): (560, 0, 0, 560),
    }
# 0504071 of S, February: journal: [(date, debit, credit, kfo, amount)]
OPERATIONS_S = {
    '2': [
        (dt.date(2026, 2, 20), '302.23', '201.11', '4', 25_000),
        (dt.date(2026, 2, 25), '201.11', '205.31', '2', 20_000),
        (dt.date(2026, 2, 25), '302.11', '201.11', '4', 174_000)],
    '4': [(dt.date(2026, 2, 10), '401.20.223', '302.23', '4', 30_000)],
    '5': [(dt.date(2026, 2, 3), '205.31', '401.10.131', '2', 50_000)],
    '6': [
        (dt.date(2026, 2, 15), '401.20.211', '302.11', '4', 200_000),
        (dt.date(2026, 2, 25), '302.11', '303.01', '4', 26_000)],
    '8': [
        (dt.date(2026, 2, 5), '502.11', '502.12', '4', 200_000),
        (dt.date(2026, 2, 10), '502.11', '502.12', '4', 30_000)],
    }


def D(value):
    return Decimal(value).quantize(Decimal('0.01'))


def with_totals(figures, kfo_index):
    "Add the КФО 'total' to {key: values}, the КФО at kfo_index of key"
    result = dict(figures)
    for key, values in figures.items():
        total = key[:kfo_index] + ('total',) + key[kfo_index + 1:]
        result[total] = tuple(a + b for a, b in zip(
                result.get(total, (0,) * len(values)), values))
    return result


class StatementFormsTestCase(unittest.TestCase):
    "The forms 0503738, 0503769 and 0504071"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])

        def setup(pool):
            Company = pool.get('company.company')
            school_s, school_t = Company.setup_institutions([
                    sample.institution(81, dt.date(2026, 1, 1)),
                    sample.institution(82, dt.date(2026, 2, 1))])
            base.post_moves(school_s, MOVES_S)
            base.post_moves(school_s, [DRAFT_S], post=False)
            base.create_plan(school_s, PLAN_S)
            base.post_moves(school_t, MOVES_T)
            return school_s.id, school_t.id
        cls.s_id, cls.t_id = in_transaction(DB_NAME, setup)

    @in_rolled_back_transaction
    def test_obligations_every_row(self):
        rows = obligations([self.s_id], FEBRUARY_END)
        self.assertEqual(
            {(r.kfo, r.section, r.line_code, r.kvr, r.kosgu):
                tuple(r[5:]) for r in rows},
            {k: tuple(map(D, v)) for k, v in OBLIGATIONS_S.items()})
        # each section starts with its total, the КФО ends with its own
        self.assertEqual([(r.section, r.kvr, r.kosgu) for r in rows], [
                ('expense', '', ''), ('expense', '111', '211'),
                ('expense', '247', '223'), ('total', '', '')])

    @in_rolled_back_transaction
    def test_obligations_executed_is_plan_execution(self):
        "The payments of 0503738 are the expenses executed of 0503737"
        from ..statement_engine import plan_execution
        executed = {(r.kfo, r.kvr, r.kosgu): r.executed
            for r in plan_execution([self.s_id], FEBRUARY_END)
            if r.section == 'expense' and r.kosgu}
        self.assertEqual(executed, {
                (r.kfo, r.kvr, r.kosgu): r.executed
                for r in obligations([self.s_id], FEBRUARY_END)
                if r.kosgu})

    @in_rolled_back_transaction
    def test_debts_every_row(self):
        rows = debts([self.s_id], FEBRUARY_END)
        expected = with_totals(DEBTS_S, 2)
        heads = defaultdict(lambda: (0, 0, 0, 0))
        for (kind, account, kfo), values in expected.items():
            head = (kind, account.split('.')[0], kfo)
            total = (kind, 'TOTAL', kfo)
            for key in [head, total]:
                heads[key] = tuple(a + b for a, b in zip(heads[key], values))
        expected.update(heads)
        found = {(r.kind, r.account, r.kfo): tuple(r[5:]) for r in rows}
        for key, values in found.items():
            with self.subTest(key=key):
                self.assertEqual(values, tuple(map(D, expected.get(
                                key, (0, 0, 0, 0)))))
        self.assertEqual(set(expected) - set(found), set())
        self.assertEqual(
            found[('payable', 'TOTAL', 'total')],
            tuple(map(D, (400_960, 256_000, 225_000, 431_960))))
        self.assertEqual(
            [r.account for r in rows if r.kfo == 'total'], [
                '205', '205.31', '206', '208', '209', 'TOTAL',
                '302', '302.11', '302.23', '303', '303.01', '303.06',
                '303.15', '304', 'TOTAL'])

    @in_rolled_back_transaction
    def test_debts_agree_with_the_balance(self):
        "The debts at the end are the trial balance's closing balances"
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        company = pool.get('company.company')(self.s_id)
        closing = {(r.code, r.kfo): r.closing_debit - r.closing_credit
            for r in TrialBalance.compute(
                company, dt.date(2026, 1, 1), FEBRUARY_END)}
        for row in debts([self.s_id], FEBRUARY_END):
            if row.level == 1 and row.kfo != 'total':
                sign = 1 if row.kind == 'receivable' else -1
                self.assertEqual(row.period_end, sign * closing.get(
                        (row.account, row.kfo), 0), row)

    @in_rolled_back_transaction
    def test_operations_every_entry(self):
        rows = operations([self.s_id], FEBRUARY_END)
        found = defaultdict(list)
        for row in rows:
            found[row.journal].append((row.date, row.debit_account,
                    row.credit_account, row.kfo, row.amount))
        # by date, then move number (the order of posting)
        for entries in found.values():
            self.assertEqual(entries, sorted(entries, key=lambda e: e[0]))
        self.assertEqual({j: sorted(v) for j, v in found.items()},
            {j: sorted(e[:4] + (D(e[4]),) for e in v)
                for j, v in OPERATIONS_S.items()})
        # every entry of the month once: the debit turnover of February
        self.assertEqual(sum(r.amount for r in rows), D(755_000))
        self.assertTrue(all(r.number for r in rows))

    @in_rolled_back_transaction
    def test_consolidation_is_the_sum_of_the_institutions(self):
        both = [self.s_id, self.t_id]
        for compute, size in [(obligations, 5), (debts, 5)]:
            summed = defaultdict(lambda: Decimal(0))
            for company_id in both:
                for row in compute([company_id], FEBRUARY_END):
                    for i, value in enumerate(row[size:]):
                        summed[(row[:size], i)] += value
            consolidated = defaultdict(lambda: Decimal(0))
            for row in compute(both, FEBRUARY_END):
                for i, value in enumerate(row[size:]):
                    consolidated[(row[:size], i)] += value
            with self.subTest(form=compute.__name__):
                self.assertEqual(
                    {k: v for k, v in consolidated.items() if v},
                    {k: v for k, v in summed.items() if v})
        rows = obligations(both, FEBRUARY_END)
        self.assertIn(('4', 'expense', '200', '244', '226', D(0),
                D(10_000), D(10_000), D(10_000), D(0), D(0)), rows)

    @in_rolled_back_transaction
    def test_documents_in_every_format(self):
        "Each form in CSV and laid out in XLSX, ODS (and PDF with a font)"
        from .. import export
        company = Pool().get('company.company')(self.s_id)
        subject = statement_report.Subject([company], FEBRUARY_END)
        heads = {
            'obligations': 'kfo;section;line_code;kvr;kosgu;planned;'
            'accepted;monetary;executed;not_executed;not_executed_monetary',
            'debts': 'kind;account;kfo;year_start;increase;decrease;'
            'period_end',
            'operations_journal': 'journal;date;number;description;'
            'debit_account;credit_account;kfo;amount',
            }
        for form, head in heads.items():
            rows, render = statement_report.build(form, subject)
            csv_text = render('csv').decode('utf-8')
            self.assertEqual(csv_text.splitlines()[0], head)
            self.assertEqual(len(csv_text.splitlines()), len(rows) + 1)
            self.assertTrue(render('xlsx').startswith(b'PK'), form)
            self.assertTrue(render('ods').startswith(b'PK'), form)
            try:
                pdf = render('pdf')
            except export.FontNotFound:
                continue
            self.assertTrue(pdf.startswith(b'%PDF'), form)
        self.assertEqual(statement_report.file_name('obligations', 'csv'),
            'obligations_0503738.csv')
        self.assertEqual(statement_report.file_name('debts', 'xlsx'),
            'debts_0503769.xlsx')
        self.assertEqual(
            statement_report.file_name('operations_journal', 'pdf'),
            'operations_journal_0504071.pdf')

    @in_rolled_back_transaction
    def test_client_export(self):
        """The client's export gives the new forms of an institution and the
        consolidation of 0503738 and 0503769, not of the journals"""
        from trytond.exceptions import UserError
        Report = Pool().get('kazan.statement.report', type='report')
        data = {'company': self.s_id, 'date': FEBRUARY_END, 'format': 'csv'}
        for form, name in [('obligations', 'obligations_0503738'),
                ('debts', 'debts_0503769'),
                ('operations_journal', 'operations_journal_0504071')]:
            ext, content, _, _ = Report.execute([], dict(data, form=form))
            self.assertEqual(ext, 'csv')
            rows, _ = statement_report.build(form, statement_report.Subject(
                    [Pool().get('company.company')(self.s_id)],
                    FEBRUARY_END))
            self.assertEqual(len(content.splitlines()), len(rows) + 1, name)
        founder = {'founder': 'education', 'date': FEBRUARY_END,
            'format': 'xlsx'}
        for form in ['obligations', 'debts']:
            ext, content, _, _ = Report.execute([], dict(founder, form=form))
            self.assertTrue(content.startswith(b'PK'), form)
        with self.assertRaises(UserError):
            Report.execute([], dict(founder, form='operations_journal'))

    def test_entries_of_a_move_of_many_lines(self):
        "The lines of a payroll move are matched in their order"
        from ..statement_forms import _pairs
        lines = [('401.20.211', D(100), 0, 'pay'), ('302.11', 0, D(100), ''),
            ('302.11', D(13), 0, ''), ('303.01', 0, D(13), 'tax'),
            ('401.20.213', D(30), 0, ''), ('303.15', 0, D(29), ''),
            ('303.06', 0, D(1), '')]
        self.assertEqual(_pairs(lines), [
                ('401.20.211', '302.11', D(100), 'pay'),
                ('302.11', '303.01', D(13), 'tax'),
                ('401.20.213', '303.15', D(29), ''),
                ('401.20.213', '303.06', D(1), '')])
        self.assertEqual(_pairs([('201.11', D(5), 0, ''),
                    ('205.31', 0, D(3), '')]), [
                ('201.11', '205.31', D(3), ''), ('201.11', '', D(2), '')])

    @in_rolled_back_transaction
    def test_client_lists_are_the_forms(self):
        "The client's lists of 0503738 and 0503769 show the forms' rows"
        from trytond.transaction import Transaction
        pool = Pool()
        Obligation = pool.get('kazan.statement.obligation')
        Debt = pool.get('kazan.statement.debt')
        Company = pool.get('company.company')
        # the founder's are S, T and any other test's institutions
        founders = [c.id for c in Company.search(
                [('founder', '=', 'education')], order=[('id', 'ASC')])]
        self.assertTrue({self.s_id, self.t_id} <= set(founders))
        for context, ids in [({}, [self.s_id]),
                ({'founder': 'education'}, founders)]:
            with Transaction().set_context(company=self.s_id,
                    date=FEBRUARY_END, **context):
                fields = ['kfo', 'section', 'kvr', 'kosgu', 'accepted',
                    'executed']
                self.assertEqual(
                    [tuple(getattr(r, f) for f in fields)
                        for r in Obligation.search([])],
                    [tuple(getattr(r, f) for f in fields)
                        for r in obligations(ids, FEBRUARY_END)])
                self.assertEqual(
                    [(r.kind, r.account, r.kfo, r.year_start, r.period_end)
                        for r in Debt.search([])],
                    [(r.kind, r.account, r.kfo, r.year_start, r.period_end)
                        for r in debts(ids, FEBRUARY_END)])
            with Transaction().set_context(company=self.s_id,
                    date=FEBRUARY_END, kfo='2', **context):
                self.assertEqual({r.kfo for r in Debt.search([])}, {'2'})
