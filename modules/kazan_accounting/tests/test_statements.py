# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The statements on small ledgers where every figure is known by hand.

Two schools: A joins the service on 1 March 2026, B on 1 February, both
with the sample opening balance (tests/sample.py, opening_balance).  A gets a
subsidy, pays salaries through the treasury and the cash desk, renders a
paid service, pays a utility bill, receives a donation on its bank account
and closes its year (a move in an adjustment period); it has an approved
plan with two amendments.  B earns and collects in February and pays a
service of КФО 5 in March; its plan is a draft.  Every line of every form
is checked, then the consolidation (the sum of the two), the desktop
client's rows, the drill-down to the move lines and what a director may
see.
"""
import contextlib
import datetime as dt
import unittest
from collections import defaultdict
from decimal import Decimal
from unittest import mock

from trytond.model.exceptions import AccessError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from ..statement_engine import (
    ASSETS_TOTAL, KFO_COLUMNS, LIABILITIES_TOTAL, TOTAL_KFO, balance,
    data_stamp, financial_results, general_ledger, plan_execution)
from .tools import in_rolled_back_transaction

START_A = dt.date(2026, 3, 1)
START_B = dt.date(2026, 2, 1)
MARCH_END = dt.date(2026, 3, 31)
APRIL_END = dt.date(2026, 4, 30)
YEAR_START = dt.date(2026, 1, 1)
YEAR_END = dt.date(2026, 12, 31)
PASSWORD = 'Statements-of-2026!'


def D(value):
    return Decimal(value).quantize(Decimal('0.01'))


# (date, journal, [(account, kfo, debit, credit, kosgu, kvr)])
MOVES_A = [
    # the subsidy of the municipal task: accrued, then received
    (dt.date(2026, 3, 5), 'journal_debtors', [
            ('205.31', '4', 1_000_000, 0, None, None),
            ('401.10.131', '4', 0, 1_000_000, None, None)]),
    (dt.date(2026, 3, 10), 'journal_non_cash', [
            ('201.11', '4', 800_000, 0, '131', None),
            ('205.31', '4', 0, 800_000, None, None)]),
    # salaries and contributions, paid through the treasury and the desk
    (dt.date(2026, 3, 20), 'journal_payroll', [
            ('401.20.211', '4', 300_000, 0, None, None),
            ('302.11', '4', 0, 300_000, None, None)]),
    (dt.date(2026, 3, 20), 'journal_payroll', [
            ('401.20.213', '4', 90_000, 0, None, None),
            ('303.15', '4', 0, 90_000, None, None)]),
    (dt.date(2026, 3, 25), 'journal_non_cash', [
            ('302.11', '4', 250_000, 0, None, None),
            ('201.11', '4', 0, 250_000, '211', '111')]),
    (dt.date(2026, 3, 26), 'journal_cash', [
            ('201.34', '4', 20_000, 0, '510', None),
            ('201.11', '4', 0, 20_000, '610', None)]),
    (dt.date(2026, 3, 27), 'journal_cash', [
            ('302.11', '4', 20_000, 0, None, None),
            ('201.34', '4', 0, 20_000, '211', '111')]),
    # a paid service (КФО 2), a utility bill and a donation on the bank
    (dt.date(2026, 4, 2), 'journal_debtors', [
            ('205.31', '2', 50_000, 0, None, None),
            ('401.10.131', '2', 0, 50_000, None, None)]),
    (dt.date(2026, 4, 5), 'journal_non_cash', [
            ('201.11', '2', 45_000, 0, '131', None),
            ('205.31', '2', 0, 45_000, None, None)]),
    (dt.date(2026, 4, 10), 'journal_suppliers', [
            ('401.20.223', '2', 12_000, 0, None, None),
            ('302.23', '2', 0, 12_000, None, None)]),
    (dt.date(2026, 4, 15), 'journal_non_cash', [
            ('302.23', '2', 12_000, 0, None, None),
            ('201.11', '2', 0, 12_000, '223', '247')]),
    (dt.date(2026, 4, 20), 'journal_non_cash', [
            ('201.21', '2', 5_000, 0, '155', None),
            ('401.10.155', '2', 0, 5_000, '155', None)]),
    ]
# Left in draft: no statement shows it
DRAFT_A = (dt.date(2026, 4, 21), 'journal_suppliers', [
        ('401.20.226', '2', 999, 0, None, None),
        ('302.26', '2', 0, 999, None, None)])
# The year-end closing of the subsidy income, in an adjustment period
CLOSING_A = (YEAR_END, 'journal_other', [
        ('401.10.131', '4', 1_000_000, 0, None, None),
        ('401.30', '4', 0, 1_000_000, None, None)])
MOVES_B = [
    (dt.date(2026, 2, 10), 'journal_debtors', [
            ('205.31', '4', 200_000, 0, None, None),
            ('401.10.131', '4', 0, 200_000, None, None)]),
    (dt.date(2026, 2, 15), 'journal_non_cash', [
            ('201.11', '4', 200_000, 0, '131', None),
            ('205.31', '4', 0, 200_000, None, None)]),
    (dt.date(2026, 3, 15), 'journal_other', [
            ('401.20.226', '5', 10_000, 0, None, None),
            ('302.26', '5', 0, 10_000, None, None)]),
    (dt.date(2026, 3, 16), 'journal_non_cash', [
            ('302.26', '5', 10_000, 0, None, None),
            ('201.11', '5', 0, 10_000, '226', '244')]),
    ]

# (kfo, kosgu, kvr, amount) of A's plan for 2026, and its amendments
PLAN_A = [
    ('4', '131', None, 3_000_000),
    ('4', '211', '111', 1_200_000),
    ('4', '213', '119', 360_000),
    ('2', '131', None, 200_000),
    ('2', '223', '247', 50_000),
    ]
AMENDMENTS_A = [
    ('1', dt.date(2026, 4, 1), [('4', '211', '111', 100_000)]),
    ('2', dt.date(2026, 5, 1), [('4', '131', None, -500_000)]),
    ]

# The balance of A at 30 April: {(line, kfo): (year_start, period_end)}
# for every figure that is not zero (opening balance of tests/sample.py)
BALANCE_A_APRIL = {
    # КФО 4
    ('010', '4'): (6_200_000, 6_200_000),
    ('020', '4'): (-1_450_000, -1_450_000),
    ('021', '4'): (-1_450_000, -1_450_000),
    ('030', '4'): (4_750_000, 4_750_000),
    ('080', '4'): (60_000, 60_000),
    ('190', '4'): (4_810_000, 4_810_000),
    ('200', '4'): (350_000, 880_000),
    ('230', '4'): (0, 200_000),
    ('340', '4'): (350_000, 1_080_000),
    (ASSETS_TOTAL, '4'): (5_160_000, 5_890_000),
    ('410', '4'): (280_000, 310_000),
    ('420', '4'): (120_960, 210_960),
    ('550', '4'): (400_960, 520_960),
    ('570', '4'): (4_759_040, 5_369_040),
    (LIABILITIES_TOTAL, '4'): (5_160_000, 5_890_000),
    # КФО 2
    ('200', '2'): (120_000, 158_000),
    ('230', '2'): (15_000, 20_000),
    ('340', '2'): (135_000, 178_000),
    (ASSETS_TOTAL, '2'): (135_000, 178_000),
    ('570', '2'): (135_000, 178_000),
    (LIABILITIES_TOTAL, '2'): (135_000, 178_000),
    # КФО 5
    ('200', '5'): (40_000, 40_000),
    ('340', '5'): (40_000, 40_000),
    (ASSETS_TOTAL, '5'): (40_000, 40_000),
    ('570', '5'): (40_000, 40_000),
    (LIABILITIES_TOTAL, '5'): (40_000, 40_000),
    }


def with_totals(figures):
    "Add the column 'total' (the sum over the КФО) to {(line, kfo): values}"
    result = dict(figures)
    totals = defaultdict(lambda: None)
    for (line, kfo), values in figures.items():
        if totals[line] is None:
            totals[line] = [0] * len(values)
        totals[line] = [t + v for t, v in zip(totals[line], values)]
    for line, values in totals.items():
        result[(line, TOTAL_KFO)] = tuple(values)
    return result


def post_moves(company, moves, post=True, period=None):
    pool = Pool()
    Move = pool.get('account.move')
    Account = pool.get('account.account')
    Period = pool.get('account.period')
    ModelData = pool.get('ir.model.data')
    accounts = {a.code: a.id for a in Account.search([
                ('company', '=', company.id), ('type', '!=', None)])}
    created = Move.create([{
                'company': company.id,
                'journal': ModelData.get_id('kazan_accounting', journal),
                'period': period.id if period else Period.find(
                    company.id, date=date).id,
                'date': date,
                'lines': [('create', sample.with_parties([{
                                'account': accounts[code], 'kfo': kfo,
                                'debit': Decimal(debit),
                                'credit': Decimal(credit),
                                'kosgu': kosgu, 'kvr': kvr,
                                } for code, kfo, debit, credit, kosgu, kvr
                            in lines]))],
                } for date, journal, lines in moves])
    if post:
        Move.post(created)
    return created


def create_plan(company, lines, amendments=(), approve=True):
    pool = Pool()
    Plan = pool.get('kazan.plan')
    Amendment = pool.get('kazan.plan.amendment')

    def plan_lines(lines):
        return [{'kfo': kfo, 'kosgu': kosgu, 'kvr': kvr,
                'amount': Decimal(amount)}
            for kfo, kosgu, kvr, amount in lines]

    plan, = Plan.create([{
                'company': company.id, 'year': 2026,
                'lines': [('create', plan_lines(lines))],
                }])
    if approve:
        Plan.approve([plan])
        Amendment.create([{
                    'plan': plan.id, 'number': number, 'date': date,
                    'lines': [('create', plan_lines(lines))],
                    } for number, date, lines in amendments])
    return plan


def by_key(rows, *fields):
    return {tuple(getattr(r, f) for f in fields): r for r in rows}


class StatementsTestCase(unittest.TestCase):
    "The forms 0503730, 0503721, 0503737 and 0504072"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])

        def setup(pool):
            Company = pool.get('company.company')
            User = pool.get('res.user')
            Period = pool.get('account.period')
            FiscalYear = pool.get('account.fiscalyear')
            school_a, school_b = Company.setup_institutions([
                    sample.institution(71, START_A),
                    sample.institution(72, START_B)])
            post_moves(school_a, MOVES_A)
            post_moves(school_a, [DRAFT_A], post=False)
            fiscalyear, = FiscalYear.search(
                [('company', '=', school_a.id)])
            adjustment, = Period.create([{
                        'name': 'Closing 2026', 'fiscalyear': fiscalyear.id,
                        'start_date': YEAR_END, 'end_date': YEAR_END,
                        'type': 'adjustment'}])
            post_moves(school_a, [CLOSING_A], period=adjustment)
            post_moves(school_b, MOVES_B)
            create_plan(school_a, PLAN_A, AMENDMENTS_A)
            create_plan(school_b, [('4', '131', None, 1_000_000)],
                approve=False)
            director, accountant = User.create_service_users([{
                        'login': 'statements_director', 'name': 'Director',
                        'role': 'director', 'companies': [school_a.id],
                        'password': PASSWORD,
                        }, {
                        'login': 'statements_accountant',
                        'name': 'Accountant', 'role': 'accountant',
                        'companies': [school_a.id, school_b.id],
                        'password': PASSWORD,
                        }])
            return school_a.id, school_b.id, director.id, accountant.id
        (cls.a_id, cls.b_id, cls.director_id,
            cls.accountant_id) = in_transaction(DB_NAME, setup)

    def company(self, company_id):
        return Pool().get('company.company')(company_id)

    @contextlib.contextmanager
    def as_user(self, user_id, **context):
        "Act as the user would through RPC: with its access and rules"
        transaction = Transaction()
        with transaction.set_user(user_id), \
                transaction.set_context(_check_access=True, **context):
            yield

    # 0503730

    @in_rolled_back_transaction
    def test_balance_every_line(self):
        "Every line of the balance of A at 30 April, per КФО"
        rows = balance([self.a_id], APRIL_END)
        expected = with_totals(BALANCE_A_APRIL)
        self.assertEqual(len(rows), len(
                {r.line_code for r in rows}) * len(KFO_COLUMNS))
        for row in rows:
            with self.subTest(line=row.line_code, kfo=row.kfo):
                self.assertEqual(
                    (row.year_start, row.period_end),
                    tuple(map(D, expected.get(
                                (row.line_code, row.kfo), (0, 0)))))
        self.assertEqual(
            [r.line_code for r in rows if r.kfo == TOTAL_KFO],
            ['010', '020', '021', '030', '040', '050', '051', '060', '070',
                '080', '100', '120', '150', '160', '190', '200', '230',
                '260', '340', ASSETS_TOTAL, '410', '420', '430', '510',
                '520', '550', '570', LIABILITIES_TOTAL])
        levels = {r.line_code: r.level for r in rows}
        self.assertEqual(
            [levels[c] for c in ['190', '030', '010', '021', ASSETS_TOTAL]],
            [0, 1, 2, 3, 0])

    @in_rolled_back_transaction
    def test_balance_balances_per_kfo(self):
        "Assets equal liabilities and result in each КФО, on both dates"
        for company_ids in [[self.a_id], [self.b_id], [self.a_id, self.b_id]]:
            for date in [START_B, MARCH_END, APRIL_END, YEAR_END]:
                rows = by_key(balance(company_ids, date), 'line_code', 'kfo')
                for kfo in KFO_COLUMNS:
                    with self.subTest(
                            companies=company_ids, date=date, kfo=kfo):
                        assets = rows[(ASSETS_TOTAL, kfo)]
                        liabilities = rows[(LIABILITIES_TOTAL, kfo)]
                        self.assertEqual(
                            (assets.year_start, assets.period_end),
                            (liabilities.year_start,
                                liabilities.period_end))
                        # the sides are the sums of their sections
                        self.assertEqual(assets.period_end,
                            rows[('190', kfo)].period_end
                            + rows[('340', kfo)].period_end)
                        self.assertEqual(liabilities.period_end,
                            rows[('550', kfo)].period_end
                            + rows[('570', kfo)].period_end)

    @in_rolled_back_transaction
    def test_balance_year_start_from_each_start_in_the_service(self):
        """B's February is a turnover of its year, A's opening balance is
        its start of the year; before its start A has nothing"""
        rows = by_key(balance([self.b_id], MARCH_END), 'line_code', 'kfo')
        # B's opening cash (КФО 4) 350,000, then +200,000 in February
        self.assertEqual(
            (rows[('200', '4')].year_start, rows[('200', '4')].period_end),
            (D(350_000), D(550_000)))
        # КФО 5: 40,000 less the 10,000 paid in March
        self.assertEqual(rows[('200', '5')].period_end, D(30_000))
        before = balance([self.a_id], dt.date(2026, 2, 28))
        self.assertTrue(all(
                r.year_start == r.period_end == 0 for r in before))

    @in_rolled_back_transaction
    def test_balance_after_year_end_closing(self):
        "The closing moves the subsidy income into 401.30: 570 keeps it"
        rows = by_key(balance([self.a_id], YEAR_END), 'line_code', 'kfo')
        self.assertEqual(rows[('570', '4')].period_end, D(5_369_040))

    # 0503721

    @in_rolled_back_transaction
    def test_financial_results_every_line(self):
        "Income, expenses and result of A in 2026, the closing left out"
        rows = financial_results([self.a_id], YEAR_START, YEAR_END)
        figures = {
            ('010', '100', '2'): 55_000,
            ('010', '100', '4'): 1_000_000,
            ('040', '130', '2'): 50_000,
            ('040', '130', '4'): 1_000_000,
            ('040', '131', '2'): 50_000,
            ('040', '131', '4'): 1_000_000,
            ('060', '150', '2'): 5_000,
            ('060', '155', '2'): 5_000,
            ('150', '200', '2'): 12_000,
            ('150', '200', '4'): 390_000,
            ('160', '210', '4'): 390_000,
            ('160', '211', '4'): 300_000,
            ('160', '213', '4'): 90_000,
            ('170', '220', '2'): 12_000,
            ('170', '223', '2'): 12_000,
            ('290', '', '2'): 43_000,
            ('290', '', '4'): 610_000,
            }
        expected = with_totals({((line, kosgu), kfo): (value,)
                for (line, kosgu, kfo), value in figures.items()})
        for row in rows:
            with self.subTest(line=row.line_code, kosgu=row.kosgu,
                    kfo=row.kfo):
                value, = expected.get(
                    ((row.line_code, row.kosgu), row.kfo), (0,))
                self.assertEqual(row.amount, D(value))
        # the КОСГУ codes with an amount follow their group
        self.assertEqual(
            [(r.line_code, r.kosgu) for r in rows if r.kfo == TOTAL_KFO],
            [('010', '100'), ('030', '120'), ('040', '130'), ('040', '131'),
                ('050', '140'), ('060', '150'), ('060', '155'),
                ('070', '160'), ('090', '170'), ('100', '180'),
                ('110', '190'), ('150', '200'), ('160', '210'),
                ('160', '211'), ('160', '213'), ('170', '220'),
                ('170', '223'), ('190', '230'), ('210', '240'),
                ('230', '250'), ('240', '260'), ('260', '270'),
                ('270', '280'), ('280', '290'), ('290', '')])
        names = {r.kosgu: r.name for r in rows}
        self.assertEqual(names['211'], 'Заработная плата')

    @in_rolled_back_transaction
    def test_financial_results_of_a_month(self):
        rows = by_key(financial_results(
                [self.a_id], dt.date(2026, 4, 1), APRIL_END),
            'line_code', 'kosgu', 'kfo')
        self.assertEqual(rows[('010', '100', TOTAL_KFO)].amount, D(55_000))
        self.assertEqual(rows[('150', '200', TOTAL_KFO)].amount, D(12_000))
        self.assertEqual(rows[('290', '', TOTAL_KFO)].amount, D(43_000))

    # 0503737

    @in_rolled_back_transaction
    def test_plan_execution_every_line(self):
        "Plan, execution by cash kind, and what is left, of A at 30 April"
        rows = plan_execution([self.a_id], APRIL_END)
        fields = ['planned', 'executed_treasury', 'executed_bank',
            'executed_desk', 'executed_noncash', 'executed', 'not_executed']
        expected = [
            # kfo, section, line, kvr, kosgu, planned, treasury, bank, desk
            ('2', 'income', '010', '', '', 200_000, 45_000, 5_000, 0),
            ('2', 'income', '040', '', '131', 200_000, 45_000, 0, 0),
            ('2', 'income', '060', '', '155', 0, 0, 5_000, 0),
            ('2', 'expense', '200', '', '', 50_000, 12_000, 0, 0),
            ('2', 'expense', '200', '247', '223', 50_000, 12_000, 0, 0),
            ('2', 'sources', '500', '', '', 0, 0, 0, 0),
            ('4', 'income', '010', '', '', 3_000_000, 800_000, 0, 0),
            ('4', 'income', '040', '', '131', 3_000_000, 800_000, 0, 0),
            ('4', 'expense', '200', '', '', 1_660_000, 250_000, 0, 20_000),
            ('4', 'expense', '200', '111', '211', 1_300_000, 250_000, 0,
                20_000),
            ('4', 'expense', '200', '119', '213', 360_000, 0, 0, 0),
            ('4', 'sources', '500', '', '', 0, 20_000, 0, -20_000),
            ('4', 'sources', '731', '', '510', 0, 0, 0, -20_000),
            ('4', 'sources', '732', '', '610', 0, 20_000, 0, 0),
            ]
        self.assertEqual(
            [(r.kfo, r.section, r.line_code, r.kvr, r.kosgu) for r in rows],
            [e[:5] for e in expected])
        for row, (*_, planned, treasury, bank, desk) in zip(rows, expected):
            executed = treasury + bank + desk
            with self.subTest(row=row[:5]):
                self.assertEqual([getattr(row, f) for f in fields],
                    list(map(D, [planned, treasury, bank, desk, 0, executed,
                                planned - executed])))

    @in_rolled_back_transaction
    def test_plan_as_of_its_amendments(self):
        "An amendment counts from its date; a draft plan does not count"
        rows = by_key(plan_execution([self.a_id], dt.date(2026, 3, 31)),
            'kfo', 'section', 'kvr', 'kosgu')
        self.assertEqual(rows[('4', 'expense', '111', '211')].planned,
            D(1_200_000))
        rows = by_key(plan_execution([self.a_id], dt.date(2026, 5, 31)),
            'kfo', 'section', 'kvr', 'kosgu')
        self.assertEqual(rows[('4', 'income', '', '131')].planned,
            D(2_500_000))
        rows = plan_execution([self.b_id], APRIL_END)
        self.assertTrue(rows)
        self.assertTrue(all(r.planned == 0 for r in rows))

    @in_rolled_back_transaction
    def test_plan_execution_is_the_cash_movements(self):
        """Per КФО, receipts less payments less sources is the change of the
        cash accounts in the year, opening balances aside"""
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        for company_id in [self.a_id, self.b_id]:
            company = self.company(company_id)
            cash = defaultdict(Decimal)
            for row in TrialBalance.compute(company, YEAR_START, APRIL_END):
                if row.code.startswith('201.'):
                    cash[row.kfo] += row.debit - row.credit
            executed = defaultdict(Decimal)
            for row in plan_execution([company_id], APRIL_END):
                if not row.kosgu and not row.kvr:
                    sign = {'income': 1, 'expense': -1, 'sources': -1}[
                        row.section]
                    executed[row.kfo] += sign * row.executed
            self.assertEqual(dict(executed), {
                    k: v for k, v in cash.items() if v or k in executed})

    # 0504072

    @in_rolled_back_transaction
    def test_general_ledger_of_a_cash_account(self):
        rows = [r for r in general_ledger(
                [self.a_id], dt.date(2026, 3, 1), APRIL_END)
            if r.code == '201.11']
        self.assertEqual(
            [(r.kfo, r.kind, r.month, r.journal, r.debit, r.credit)
                for r in rows], [
                ('2', 'opening', None, None, D(120_000), D(0)),
                ('2', 'turnover', dt.date(2026, 4, 1), '2', D(45_000),
                    D(12_000)),
                ('2', 'closing', None, None, D(153_000), D(0)),
                ('4', 'opening', None, None, D(350_000), D(0)),
                ('4', 'turnover', dt.date(2026, 3, 1), '1', D(0),
                    D(20_000)),
                ('4', 'turnover', dt.date(2026, 3, 1), '2', D(800_000),
                    D(250_000)),
                ('4', 'closing', None, None, D(880_000), D(0)),
                ('5', 'opening', None, None, D(40_000), D(0)),
                ('5', 'closing', None, None, D(40_000), D(0)),
                ])
        self.assertEqual(rows[0].journal_name, None)
        self.assertTrue(rows[1].journal_name)

    @in_rolled_back_transaction
    def test_general_ledger_agrees_with_trial_balance(self):
        "Opening, turnovers and closing of every account as in the OSV"
        pool = Pool()
        TrialBalance = pool.get('kazan.trial_balance')
        for company_id in [self.a_id, self.b_id]:
            for from_date, to_date in [
                    (YEAR_START, APRIL_END), (dt.date(2026, 4, 1), APRIL_END),
                    (YEAR_START, YEAR_END)]:
                company = self.company(company_id)
                expected = {(r.code, r.kfo): (
                        r.opening_debit - r.opening_credit,
                        r.debit, r.credit,
                        r.closing_debit - r.closing_credit)
                    for r in TrialBalance.compute(company, from_date, to_date)}
                found = defaultdict(lambda: [Decimal(0)] * 4)
                for row in general_ledger([company_id], from_date, to_date):
                    figures = found[(row.code, row.kfo)]
                    if row.kind == 'opening':
                        figures[0] += row.debit - row.credit
                    elif row.kind == 'turnover':
                        figures[1] += row.debit
                        figures[2] += row.credit
                    else:
                        figures[3] += row.debit - row.credit
                with self.subTest(company=company_id, period=from_date):
                    self.assertEqual(
                        {k: tuple(v) for k, v in found.items()}, expected)

    # Consolidation

    @in_rolled_back_transaction
    def test_consolidation_is_the_sum_of_the_institutions(self):
        both = [self.a_id, self.b_id]
        forms = [
            (lambda ids: balance(ids, APRIL_END),
                ['line_code', 'kfo'], ['year_start', 'period_end']),
            (lambda ids: financial_results(ids, YEAR_START, YEAR_END),
                ['line_code', 'kosgu', 'kfo'], ['amount']),
            (lambda ids: plan_execution(ids, APRIL_END),
                ['kfo', 'section', 'line_code', 'kvr', 'kosgu'],
                ['planned', 'executed_treasury', 'executed_bank',
                    'executed_desk', 'executed', 'not_executed']),
            (lambda ids: general_ledger(ids, YEAR_START, APRIL_END),
                ['code', 'kfo', 'kind', 'month', 'journal'], None),
            ]
        for compute, keys, amounts in forms:
            summed = defaultdict(lambda: defaultdict(Decimal))
            for company_id in both:
                for row in compute([company_id]):
                    key = tuple(getattr(row, k) for k in keys)
                    if amounts is None:  # balances on their side
                        summed[key]['balance'] += row.debit - row.credit
                    else:
                        for name in amounts:
                            summed[key][name] += getattr(row, name)
            consolidated = defaultdict(lambda: defaultdict(Decimal))
            for row in compute(both):
                key = tuple(getattr(row, k) for k in keys)
                if amounts is None:
                    consolidated[key]['balance'] += row.debit - row.credit
                else:
                    for name in amounts:
                        consolidated[key][name] += getattr(row, name)
            with self.subTest(keys=keys):
                self.assertEqual(
                    {k: dict(v) for k, v in consolidated.items()
                        if any(v.values())},
                    {k: dict(v) for k, v in summed.items()
                        if any(v.values())})

    # The desktop client

    def read_rows(self, model, user_id, fields, **context):
        Model = Pool().get(model)
        with self.as_user(user_id, **context):
            records = Model.search([])
            return [tuple(getattr(r, f) for f in fields) for r in records]

    @in_rolled_back_transaction
    def test_client_rows_are_the_forms(self):
        "Each list shows the rows of its form, with stable ids"
        rows = self.read_rows('kazan.statement.balance', self.accountant_id,
            ['id', 'line_code', 'kfo', 'year_start', 'period_end', 'company'],
            company=self.a_id, date=APRIL_END)
        expected = balance([self.a_id], APRIL_END)
        self.assertEqual([r[1:5] for r in rows],
            [(r.line_code, r.kfo, r.year_start, r.period_end)
                for r in expected])
        self.assertEqual({r[5].id for r in rows}, {self.a_id})
        again = self.read_rows('kazan.statement.balance', self.accountant_id,
            ['id'], company=self.a_id, date=APRIL_END, kfo='4')
        self.assertEqual([r[0] for r in again],
            [r[0] for r in rows if r[2] == '4'])

        rows = self.read_rows('kazan.statement.financial_result',
            self.accountant_id, ['line_code', 'kosgu', 'kfo', 'amount'],
            company=self.a_id, from_date=YEAR_START, to_date=YEAR_END)
        self.assertEqual(rows, [
                (r.line_code, r.kosgu, r.kfo, r.amount)
                for r in financial_results([self.a_id], YEAR_START, YEAR_END)])

        rows = self.read_rows('kazan.statement.plan_execution',
            self.accountant_id,
            ['kfo', 'section', 'kvr', 'kosgu', 'planned', 'executed',
                'total'],
            company=self.a_id, date=APRIL_END)
        self.assertEqual([r[:6] for r in rows], [
                (r.kfo, r.section, r.kvr, r.kosgu, r.planned, r.executed)
                for r in plan_execution([self.a_id], APRIL_END)])
        self.assertEqual(sum(r[6] for r in rows), 6)

        rows = self.read_rows('kazan.statement.general_ledger',
            self.accountant_id,
            ['account_code', 'kfo', 'kind', 'month', 'debit', 'credit'],
            company=self.a_id, from_date=START_A, to_date=APRIL_END)
        self.assertEqual(rows, [
                (r.code, r.kfo, r.kind, r.month, r.debit, r.credit)
                for r in general_ledger([self.a_id], START_A, APRIL_END)])

    @in_rolled_back_transaction
    def test_client_consolidation_by_founder(self):
        """The accountant's consolidation sums their institutions of the
        founder; the director's has their own institution only"""
        fields = ['line_code', 'kfo', 'year_start', 'period_end']
        rows = self.read_rows('kazan.statement.balance', self.accountant_id,
            fields, company=self.a_id, date=APRIL_END, founder='education')
        self.assertEqual(rows, [
                (r.line_code, r.kfo, r.year_start, r.period_end)
                for r in balance([self.a_id, self.b_id], APRIL_END)])
        rows = self.read_rows('kazan.statement.balance', self.director_id,
            fields, company=self.a_id, date=APRIL_END, founder='education')
        self.assertEqual(rows, [
                (r.line_code, r.kfo, r.year_start, r.period_end)
                for r in balance([self.a_id], APRIL_END)])

    def test_client_open_computes_the_form_once(self):
        """The client opens a form with three read-only calls (search,
        search_count, read): the form is computed for the first only"""
        from trytond.modules.kazan_accounting import statements
        computed = []

        def counted(*args):
            computed.append(args)
            return balance(*args)

        # a date of this test alone: nothing cached for it yet
        context = {'company': self.a_id, 'date': dt.date(2026, 4, 29)}
        results = []
        with mock.patch.object(statements, 'balance', counted):
            for call in [
                    lambda Model: Model.search([]),
                    lambda Model: Model.search_count([]),
                    lambda Model: Model.read(
                        [r.id for r in Model.search([])], ['period_end'])]:
                with Transaction().start(
                        DB_NAME, self.accountant_id, readonly=True):
                    with self.as_user(self.accountant_id, **context):
                        results.append(call(
                                Pool().get('kazan.statement.balance')))
        self.assertEqual(computed, [([self.a_id], context['date'])])
        self.assertEqual(results[1], len(results[0]))
        self.assertEqual(len(results[2]), len(results[0]))

    @in_rolled_back_transaction
    def test_client_rows_follow_the_moves(self):
        """What the forms are computed from has a stamp that a new move,
        a posting or a change of the chart changes: the cached rows of a
        form are those of its data"""
        pool = Pool()
        Move = pool.get('account.move')
        AccountType = pool.get('account.account.type')
        stamps = [data_stamp([self.a_id])]
        draft, = post_moves(self.company(self.a_id), [DRAFT_A], post=False)
        stamps.append(data_stamp([self.a_id]))
        Move.post([draft])
        stamps.append(data_stamp([self.a_id]))
        type_, = AccountType.search(
            [('company', '=', self.a_id), ('line_code', '=', '010')])
        AccountType.write([type_], {'name': 'Renamed'})
        stamps.append(data_stamp([self.a_id]))
        self.assertEqual(len(set(stamps)), len(stamps))
        # a transaction that writes sees its own moves: never cached
        rows = self.read_rows('kazan.statement.balance', self.accountant_id,
            ['line_code', 'kfo', 'period_end', 'name'],
            company=self.a_id, date=APRIL_END)
        self.assertIn(('010', '4', D(6_200_000), '\u2003\u2003Renamed'), rows)
        self.assertEqual(rows[[r[:2] for r in rows].index(('410', '2'))][2],
            D(999))

    @in_rolled_back_transaction
    def test_director_sees_no_other_institution(self):
        "A director asking for another institution gets nothing"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        contexts = {
            'kazan.statement.balance': {'date': APRIL_END},
            'kazan.statement.financial_result': {
                'from_date': YEAR_START, 'to_date': APRIL_END},
            'kazan.statement.plan_execution': {'date': APRIL_END},
            'kazan.statement.general_ledger': {
                'from_date': YEAR_START, 'to_date': APRIL_END},
            }
        for model, context in contexts.items():
            Model = pool.get(model)
            with self.subTest(model=model):
                with self.as_user(self.director_id, company=self.a_id,
                        **context):
                    ids = [r.id for r in Model.search([])]
                self.assertTrue(ids)
                with self.as_user(self.director_id, company=self.b_id,
                        **context):
                    self.assertEqual(Model.search([]), [])
                    self.assertEqual(Model.search([], count=True), 0)
                    with self.assertRaises(AccessError):
                        Model.read(ids[:1], ['company'])
                # directors and accountants read, nobody writes
                for user_id in [self.director_id, self.accountant_id]:
                    with self.as_user(user_id):
                        ModelAccess.check(model, 'read')
                        for mode in ['write', 'create', 'delete']:
                            with self.assertRaises(AccessError):
                                ModelAccess.check(model, mode)

    # Drill-down

    def open_lines(self, model, record_id, user_id=None, **context):
        "The move lines the drill-down of the record opens"
        pool = Pool()
        Wizard = pool.get('kazan.statement.open_move_lines', type='wizard')
        Line = pool.get('account.move.line')
        context = dict(context, active_model=model, active_id=record_id,
            active_ids=[record_id])
        with self.as_user(user_id or self.accountant_id, **context):
            session_id, _, _ = Wizard.create()
            result = Wizard.execute(session_id, {}, 'open_')
            Wizard.delete(session_id)
            action, = [a for a, _ in result['actions']]
            return Line.search(
                PYSONDecoder().decode(action['pyson_domain']))

    def row(self, model, test, **context):
        Model = Pool().get(model)
        with self.as_user(self.accountant_id, **context):
            record, = [r for r in Model.search([]) if test(r)]
            return record

    @in_rolled_back_transaction
    def test_drill_down_to_the_move_lines(self):
        "The lines opened from a row add up to its figure"
        def balance_of(lines):
            return sum((l.debit - l.credit for l in lines), Decimal(0))

        context = dict(company=self.a_id, date=APRIL_END)
        row = self.row('kazan.statement.balance',
            lambda r: r.line_code == '200' and r.kfo == '4', **context)
        lines = self.open_lines('kazan.statement.balance', row.id, **context)
        self.assertEqual(balance_of(lines), D(880_000))
        # a director opens the lines of their institution too
        lines = self.open_lines('kazan.statement.balance', row.id,
            user_id=self.director_id, **context)
        self.assertEqual(balance_of(lines), D(880_000))
        row = self.row('kazan.statement.balance',
            lambda r: r.line_code == LIABILITIES_TOTAL and r.kfo == TOTAL_KFO,
            **context)
        lines = self.open_lines('kazan.statement.balance', row.id, **context)
        self.assertEqual(-balance_of(lines), D(5_890_000 + 178_000 + 40_000))

        context = dict(company=self.a_id, from_date=YEAR_START,
            to_date=YEAR_END)
        for line_code, kosgu, kfo, amount in [
                ('040', '131', '4', 1_000_000), ('040', '130', TOTAL_KFO,
                    1_050_000), ('010', '100', '2', 55_000)]:
            row = self.row('kazan.statement.financial_result',
                lambda r: (r.line_code, r.kosgu, r.kfo)
                == (line_code, kosgu, kfo), **context)
            lines = self.open_lines(
                'kazan.statement.financial_result', row.id, **context)
            self.assertEqual(-balance_of(lines), D(amount))

        context = dict(company=self.a_id, date=APRIL_END)
        row = self.row('kazan.statement.plan_execution',
            lambda r: (r.kfo, r.kvr, r.kosgu) == ('4', '111', '211'),
            **context)
        lines = self.open_lines(
            'kazan.statement.plan_execution', row.id, **context)
        self.assertEqual(-balance_of(lines), D(270_000))
        row = self.row('kazan.statement.plan_execution',
            lambda r: (r.kfo, r.section, r.total) == ('2', 'income', True),
            **context)
        lines = self.open_lines(
            'kazan.statement.plan_execution', row.id, **context)
        self.assertEqual(balance_of(lines), D(50_000))

        context = dict(company=self.a_id, from_date=START_A,
            to_date=APRIL_END)
        row = self.row('kazan.statement.general_ledger',
            lambda r: (r.account_code, r.kfo, r.kind, r.month) == (
                '201.11', '4', 'turnover', dt.date(2026, 3, 1))
            and r.journal.code == '2', **context)
        lines = self.open_lines(
            'kazan.statement.general_ledger', row.id, **context)
        self.assertEqual(
            (sum(l.debit for l in lines), sum(l.credit for l in lines)),
            (D(800_000), D(250_000)))

        context = dict(company=self.a_id, from_date=START_A,
            to_date=APRIL_END, posted=True)
        row = self.row('kazan.trial_balance',
            lambda r: (r.account_code, r.kfo) == ('302.11', '4'), **context)
        lines = self.open_lines('kazan.trial_balance', row.id, **context)
        self.assertEqual(-balance_of(lines), D(310_000))
