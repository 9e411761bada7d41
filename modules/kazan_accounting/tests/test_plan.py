# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The plan of financial and economic activity (ПФХД): its file format,
its workflow, its amendments and who may see it."""
import datetime as dt
import io
import unittest
from decimal import Decimal

from trytond import backend
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, with_transaction)
from trytond.transaction import Transaction

from ..contract import Codes
from ..plan import Indicator, LineData, indicator_changes
from ..plan_import import read_plan_file
from .test_table import no_worksheet_xlsx

INN = sample.organisation_inn(101)
OTHER_INN = sample.organisation_inn(102)
START = dt.date(2026, 1, 1)
MARCH = dt.date(2026, 3, 1)
HEADER = 'inn;year;kfo;line_code;kvr;kosgu;amount\n'
GOOD = (HEADER
    + f'{INN};2026;4;1210;;131;1 000 000,00\n'
    + f'{INN};2026;4;2110;111;211;700000\n'
    + f'{INN};2026;4;2140;119;213;211400.00\n'
    + f'{INN};2026;2;1230;;131;50000\n'
    + f'{OTHER_INN};2026;4;1210;;131;10\n')


def keys(problems):
    return [(p.key, p.line, p.column) for p in problems]


class PlanFileTestCase(unittest.TestCase):
    "Reading plan files: pure, no database"

    def test_good_file(self):
        plans, problems = read_plan_file(GOOD.encode('utf-8'), 'plan.csv')
        self.assertEqual(problems, [])
        self.assertEqual([(p.inn, p.year, p.line) for p in plans],
            sorted([(INN, 2026, 2), (OTHER_INN, 2026, 6)]))
        plan = next(p for p in plans if p.inn == INN)
        self.assertEqual(plan.lines, sorted([
                    LineData('4', 'income', '1210', '', '131',
                        Decimal('1000000.00')),
                    LineData('4', 'expense', '2110', '111', '211',
                        Decimal('700000.00')),
                    LineData('4', 'expense', '2140', '119', '213',
                        Decimal('211400.00')),
                    LineData('2', 'income', '1230', '', '131',
                        Decimal('50000.00')),
                    ]))
        self.assertEqual(plan.amendments, {})

    def test_cp1251_comma_separated_with_amendments(self):
        "Windows-1251, ',' and columns in another order, amendment rows"
        text = ('kosgu,amount,inn,year,kfo,line_code,kvr,amendment,'
            'amendment_date,section\n'
            f'131,"1000,50",{INN},2026,4,1210,,,,income\n'
            f'131,"-200",{INN},2026,4,1210,,№1 изм,01.04.2026,\n'
            f'226,200,{INN},2026,4,2640,244,№1 изм,2026-04-01,expense\n')
        plans, problems = read_plan_file(text.encode('cp1251'), 'plan.csv')
        self.assertEqual(problems, [])
        plan, = plans
        self.assertEqual(plan.lines, [LineData(
                    '4', 'income', '1210', '', '131', Decimal('1000.50'))])
        amendment = plan.amendments['№1 изм']
        self.assertEqual(amendment.date, dt.date(2026, 4, 1))
        self.assertEqual(amendment.lines, sorted([
                    LineData('4', 'income', '1210', '', '131',
                        Decimal('-200.00')),
                    LineData('4', 'expense', '2640', '244', '226',
                        Decimal('200.00'))]))

    def test_xlsx(self):
        import openpyxl
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(['inn', 'year', 'kfo', 'line_code', 'kvr', 'kosgu',
                'amount', 'amendment', 'amendment_date'])
        sheet.append([INN, 2026, 4, 2650, 247, 223, 120000.5])
        sheet.append([INN, 2026, 4, 2650, 247, 223, -500, 1,
                dt.datetime(2026, 5, 15)])
        data = io.BytesIO()
        workbook.save(data)
        plans, problems = read_plan_file(data.getvalue(), 'plan.xlsx')
        self.assertEqual(problems, [])
        plan, = plans
        self.assertEqual(plan.lines, [LineData(
                    '4', 'expense', '2650', '247', '223',
                    Decimal('120000.50'))])
        self.assertEqual(plan.amendments['1'].date, dt.date(2026, 5, 15))
        self.assertEqual(plan.amendments['1'].lines[0].amount,
            Decimal('-500.00'))

    def test_bad_codes_name_line_and_column(self):
        text = (HEADER
            + f'{INN};2026;4;2110;111;21;100\n'  # КОСГУ of 2 digits
            + f'{INN};2026;4;2110;111;411;100\n'  # no section takes 4xx
            + f'{INN};2026;4;2110;;211;100\n'  # an expense without КВР
            + f'{INN};2026;8;1210;;131;100\n'  # no КФО 8
            + f'{INN};2026;4;1210;;131;-5\n'  # negative outside amendment
            + f'{INN};2026;4;1210;;131;1.005\n'
            + f'{INN};2026;4;1210;1;131;1\n'
            + f'{INN};26;4;1210;;131;1\n'
            + '1234567890;2026;4;1210;;131;1\n'
            + f'{INN};2026;4;1210;;131;abc\n')
        plans, problems = read_plan_file(text.encode('utf-8'), 'bad.csv')
        self.assertEqual(keys(problems), [
                ('msg_plan_kosgu_invalid', 2, 'kosgu'),
                ('msg_plan_kosgu_no_section', 3, 'kosgu'),
                ('msg_plan_kvr_required', 4, 'kvr'),
                ('msg_plan_kfo_invalid', 5, 'kfo'),
                ('msg_plan_amount_negative', 6, 'amount'),
                ('msg_plan_amount_digits', 7, 'amount'),
                ('msg_plan_kvr_invalid', 8, 'kvr'),
                ('msg_plan_import_invalid_year', 9, 'year'),
                ('msg_plan_import_invalid_inn', 10, 'inn'),
                ('msg_plan_import_invalid_amount', 11, 'amount'),
                ])
        self.assertEqual(problems[0].where(), 'bad.csv:2:kosgu')
        self.assertEqual(problems[0].value, '21')
        self.assertEqual(problems[0].inn, INN)

    def test_section_must_match_kosgu(self):
        text = ('inn;year;kfo;line_code;kvr;kosgu;amount;section\n'
            f'{INN};2026;4;2110;111;211;100;income\n'
            f'{INN};2026;4;2110;111;211;100;other\n')
        _, problems = read_plan_file(text.encode('utf-8'), 'plan.csv')
        self.assertEqual(keys(problems), [
                ('msg_plan_section_kosgu', 2, 'section'),
                ('msg_plan_import_invalid_section', 3, 'section')])

    def test_structure_errors(self):
        _, problems = read_plan_file(
            b'inn;year;kfo;kvr;kosgu;amount;comment\n', 'plan.csv')
        self.assertEqual(keys(problems), [
                ('msg_plan_import_unknown_column', 1, 'comment'),
                ('msg_plan_import_missing_column', 1, 'line_code')])
        _, problems = read_plan_file(b'', 'plan.csv')
        self.assertEqual(keys(problems),
            [('msg_plan_import_empty_file', None, None)])
        _, problems = read_plan_file(b'PK\x03\x04garbage', 'plan.xlsx')
        self.assertEqual(keys(problems),
            [('msg_plan_import_unreadable_file', None, None)])
        _, problems = read_plan_file(
            (GOOD + f'{INN};2026;4;1210;;131;1;extra\n').encode(), 'p.csv')
        self.assertEqual(keys(problems),
            [('msg_plan_import_wrong_field_count', 7, None)])

    def test_amounts_as_an_accountant_writes_them(self):
        "The onboarding batch's rule (amounts.parse_number), bounded"
        text = (HEADER
            + f'{INN};2026;4;1210;;131;1e5\n'
            + f'{INN};2026;4;1210;;131;\uff11\uff12\uff13\uff14\n'
            + f'{INN};2026;4;1210;;131;1.234,56\n'
            + f'{INN};2026;4;1210;;131;99999999999999999999.00\n'
            + f'{INN};202\uff16;4;1210;;131;1\n'
            + f'{INN};2026;4;2110;111;211;1\u202f000\u00a0000,50\n')
        plans, problems = read_plan_file(text.encode('utf-8'), 'p.csv')
        self.assertEqual(keys(problems), [
                ('msg_plan_import_invalid_amount', 2, 'amount'),
                ('msg_plan_import_invalid_amount', 3, 'amount'),
                ('msg_plan_import_invalid_amount', 4, 'amount'),
                ('msg_plan_import_amount_too_large', 5, 'amount'),
                ('msg_plan_import_invalid_year', 6, 'year'),
                ])
        self.assertLessEqual(problems[3].params['digits'], 16)
        plan, = plans
        self.assertEqual(plan.lines[0].amount, Decimal('1000000.50'))

    def test_xlsx_without_worksheet(self):
        _, problems = read_plan_file(no_worksheet_xlsx(), 'plan.xlsx')
        self.assertEqual(keys(problems),
            [('msg_plan_import_no_worksheet', None, None)])

    def test_inn_of_the_institution(self):
        "Importing into one institution: its INN or none"
        text = (HEADER
            + ';2026;4;1210;;131;100\n'
            + f'{INN};2026;2;1230;;131;100\n'
            + f'{OTHER_INN};2026;4;1210;;131;100\n')
        plans, problems = read_plan_file(text.encode('utf-8'), 'plan.csv',
            company_inn=INN)
        self.assertEqual(keys(problems),
            [('msg_plan_import_inn_mismatch', 4, 'inn')])
        self.assertEqual(problems[0].params, {'company': INN})
        # without an institution, the INN is required
        _, problems = read_plan_file(text.encode('utf-8'), 'plan.csv')
        self.assertEqual(keys(problems),
            [('msg_plan_import_required', 2, 'inn')])

    def test_year_option(self):
        text = (HEADER
            + f'{INN};;4;1210;;131;100\n'
            + f'{INN};2027;4;1210;;131;100\n')
        plans, problems = read_plan_file(text.encode('utf-8'), 'plan.csv',
            year=2026)
        self.assertEqual(keys(problems),
            [('msg_plan_import_year_mismatch', 3, 'year')])
        _, problems = read_plan_file(text.encode('utf-8'), 'plan.csv')
        self.assertEqual(keys(problems),
            [('msg_plan_import_required', 2, 'year')])

    def test_duplicates_and_amendment_dates(self):
        text = ('inn;year;kfo;line_code;kvr;kosgu;amount;amendment;'
            'amendment_date\n'
            f'{INN};2026;4;1210;;131;100;;\n'
            f'{INN};2026;4;1210;;131;200;;\n'
            f'{INN};2026;4;1210;;131;10;1;2026-04-01\n'
            f'{INN};2026;4;2640;244;226;10;1;2026-04-02\n'
            f'{INN};2026;4;2640;244;226;10;2;\n'
            f'{INN};2026;4;2640;244;226;10;;2026-04-02\n')
        _, problems = read_plan_file(text.encode('utf-8'), 'plan.csv')
        self.assertEqual(keys(problems), [
                ('msg_plan_import_duplicate_line', 3, None),
                ('msg_plan_import_amendment_date_conflict', 5,
                    'amendment_date'),
                ('msg_plan_import_amendment_date_required', 6,
                    'amendment_date'),
                ('msg_plan_import_amendment_number_required', 7,
                    'amendment'),
                ])


def create_institution(inn, name):
    "The institution of the INN, set up with its chart by PlanTestCase"
    Company = Pool().get('company.company')
    company, = Company.search([('inn', '=', inn)])
    return company


def draft_plan():
    "The draft plan (plan_values) of the institution of INN"
    Plan = Pool().get('kazan.plan')
    plan, = Plan.create([plan_values(create_institution(INN, "Школа"))])
    return plan


def plan_values(company, year=2026):
    return {
        'company': company.id,
        'year': year,
        'lines': [('create', [
                    {'kfo': '4', 'kosgu': '131', 'line_code': '1210',
                        'amount': Decimal('1000')},
                    {'kfo': '4', 'kvr': '111', 'kosgu': '211',
                        'line_code': '2110', 'amount': Decimal('700')},
                    {'kfo': '4', 'kvr': '119', 'kosgu': '213',
                        'line_code': '2140', 'amount': Decimal('300')},
                    ])],
        }


class IndicatorChangesTestCase(unittest.TestCase):
    "What the ledger must be given to hold the plan's indicators"

    def test_changes(self):
        codes = Codes('4', '244', '223')
        jan, apr = Indicator(START, 'expense', codes), Indicator(
            dt.date(2026, 4, 1), 'expense', codes)
        income = Indicator(START, 'income', Codes('4', None, '131'))
        self.assertEqual(indicator_changes(
                {jan: Decimal(100), apr: Decimal(-30)}, {}),
            {jan: Decimal(100), apr: Decimal(-30)})
        # what is posted already is not posted again; a change posts the
        # difference, a removed indicator its reverse
        self.assertEqual(indicator_changes(
                {jan: Decimal(100), income: Decimal(50)},
                {jan: Decimal(100), apr: Decimal(-30),
                    income: Decimal(20)}),
            {apr: Decimal(30), income: Decimal(30)})
        self.assertEqual(indicator_changes({}, {}), {})


class PlanTestCase(unittest.TestCase):
    "The plan in the database"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])
        in_transaction(DB_NAME, cls.set_up_data)

    @classmethod
    def tearDownClass(cls):
        backend.Database(DB_NAME).close()

    @staticmethod
    def set_up_data(pool):
        "Two institutions with their charts and the fiscal year 2026"
        Company = pool.get('company.company')
        Company.setup_institutions([
                dict(sample.institution(101, START), name="Школа"),
                dict(sample.institution(102, MARCH), name="Сад")])

    def balances(self, plan):
        """{(date, account code, kfo, kvr, kosgu): debit - credit} of the
        plan's moves, all posted, without the zeros"""
        Move = Pool().get('account.move')
        result = {}
        for move in Move.search([('origin', '=', str(plan))]):
            self.assertEqual(move.state, 'posted')
            for line in move.lines:
                key = (move.date, line.account.code,
                    line.kfo, line.kvr, line.kosgu)
                result[key] = result.get(key, 0) + line.debit - line.credit
        return {k: v for k, v in result.items() if v}

    @with_transaction()
    def test_approve_freezes_lines_and_amendments_change_totals(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        Line = pool.get('kazan.plan.line')
        Amendment = pool.get('kazan.plan.amendment')
        plan = draft_plan()
        self.assertEqual(plan.state, 'draft')
        # the section comes from the КОСГУ
        self.assertEqual(sorted(l.section for l in plan.lines),
            ['expense', 'expense', 'income'])
        # a draft is edited directly, not amended
        with self.assertRaises(UserError):
            Amendment.create([{'plan': plan.id, 'number': 'draft',
                        'date': dt.date(2026, 4, 1)}])
        Line.write([plan.lines[0]], {'amount': Decimal('1100')})
        # a new КОСГУ gives its section
        line, = [l for l in plan.lines if l.kosgu == '213']
        Line.write([line], {'kosgu': '131', 'kvr': None})
        self.assertEqual(line.section, 'income')
        Line.write([line], {'kosgu': '213', 'kvr': '119'})
        self.assertEqual(line.section, 'expense')
        # (other tests' institutions have plans of 2026 too)
        self.assertIn(plan, Plan.search([('rec_name', '=', '2026')]))
        self.assertNotIn(plan, Plan.search([('rec_name', '=', '2025')]))
        self.assertIn(plan, Plan.search([('rec_name', 'ilike', '%Шк%')]))
        self.assertNotIn(plan, Plan.search([('rec_name', 'ilike', '%Сад%')]))

        self.assertEqual(self.balances(plan), {})
        Plan.approve([plan])
        self.assertEqual(plan.state, 'approved')
        self.assertEqual(
            (plan.income_total, plan.expense_total),
            (Decimal('1100'), Decimal('1000')))
        # in the ledger on 1 January: the receipts on 507.10 / 504.10, the
        # payments on 504.10 / 506.10 (obligation_entries.csv)
        approved = {
            (START, '507.10', '4', None, '131'): Decimal(1100),
            (START, '504.10', '4', None, '131'): Decimal(-1100),
            (START, '504.10', '4', '111', '211'): Decimal(700),
            (START, '506.10', '4', '111', '211'): Decimal(-700),
            (START, '504.10', '4', '119', '213'): Decimal(300),
            (START, '506.10', '4', '119', '213'): Decimal(-300),
            }
        self.assertEqual(self.balances(plan), approved)
        with self.assertRaises(AccessError):
            Line.write([plan.lines[0]], {'amount': Decimal('1')})
        with self.assertRaises(AccessError):
            Line.delete([plan.lines[0]])
        with self.assertRaises(AccessError):
            Plan.delete([plan])

        amendment, = Amendment.create([{
                    'plan': plan.id, 'number': '1',
                    'date': dt.date(2026, 4, 15),
                    'lines': [('create', [
                                {'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('-100')},
                                {'kfo': '4', 'kvr': '244', 'kosgu': '226',
                                    'line_code': '2640',
                                    'amount': Decimal('50')},
                                ])],
                    }])
        # the amendment's lines belong to the plan too
        self.assertEqual({l.plan for l in amendment.lines}, {plan})
        # posted on its date: less receipts, more payments
        april = dt.date(2026, 4, 15)
        self.assertEqual(self.balances(plan), {**approved,
                (april, '507.10', '4', None, '131'): Decimal(-100),
                (april, '504.10', '4', None, '131'): Decimal(100),
                (april, '504.10', '4', '244', '226'): Decimal(50),
                (april, '506.10', '4', '244', '226'): Decimal(-50),
                })
        self.assertEqual(len(Plan(plan.id).moves), 2)
        # posting again (kazan init does) posts nothing
        Plan.post_indicators([plan])
        self.assertEqual(len(Plan(plan.id).moves), 2)
        plan = Plan(plan.id)
        self.assertEqual(
            (plan.income_total, plan.expense_total),
            (Decimal('1000'), Decimal('1050')))
        self.assertEqual(len(plan.lines), 3)

        def total(date, kosgu):
            return sum(t.total for t in plan.totals(date)
                if t.kosgu == kosgu)
        self.assertEqual(total(dt.date(2026, 4, 14), '131'), Decimal(1100))
        self.assertEqual(total(dt.date(2026, 4, 15), '131'), Decimal(1000))
        self.assertEqual(total(dt.date(2026, 4, 14), '226'), Decimal(0))
        self.assertEqual(total(None, '226'), Decimal(50))
        row, = [t for t in plan.totals() if t.kosgu == '131']
        self.assertEqual((row.original, row.amendments, row.total),
            (Decimal(1100), Decimal(-100), Decimal(1000)))

        # (last: a refused create leaves its row until the rollback)
        with self.assertRaises(AccessError):
            Line.create([{'plan': plan.id, 'kfo': '4', 'kosgu': '131',
                        'amount': Decimal('1')}])
        Transaction().rollback()

    @with_transaction()
    def test_back_to_draft_only_without_amendments(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        Line = pool.get('kazan.plan.line')
        Amendment = pool.get('kazan.plan.amendment')
        plan = draft_plan()
        Plan.approve([plan])
        amendment, = Amendment.create([{
                    'plan': plan.id, 'number': '1',
                    'date': dt.date(2026, 4, 15),
                    'lines': [('create', [{'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('-100')}])],
                    }])
        # a copy is the draft of the next year, as amended
        copy, = Plan.copy([plan])
        self.assertEqual((copy.year, copy.state, copy.amendments),
            (2027, 'draft', ()))
        self.assertEqual(
            sorted((l.kosgu, l.amount) for l in copy.lines),
            [('131', Decimal('900')), ('211', Decimal('700')),
                ('213', Decimal('300'))])

        # an amendment's lines stay editable, the ledger follows
        Line.write([amendment.lines[0]], {'amount': Decimal('-150')})
        april = dt.date(2026, 4, 15)
        self.assertEqual(
            self.balances(plan)[(april, '507.10', '4', None, '131')],
            Decimal(-150))
        # back to draft only without amendments
        with self.assertRaises(AccessError):
            Plan.draft([plan])
        Amendment.delete([amendment])
        self.assertNotIn((april, '507.10', '4', None, '131'),
            self.balances(plan))
        self.assertEqual(self.balances(plan)[
                (START, '507.10', '4', None, '131')], Decimal(1000))
        # a draft is not in the ledger: what was posted is reversed
        Plan.draft([plan])
        self.assertEqual(plan.state, 'draft')
        self.assertEqual(self.balances(plan), {})
        # approved again, posted again
        Plan.approve([plan])
        self.assertEqual(self.balances(plan)[
                (START, '506.10', '4', '111', '211')], Decimal(-700))
        Plan.draft([plan])
        # its moves keep the plan: edited, not deleted
        with self.assertRaises(AccessError) as context:
            Plan.delete([plan])
        self.assertIn('edit it', context.exception.message)

    @with_transaction()
    def test_posted_from_the_start_in_the_service(self):
        "An institution that joined in March has its plan from 1 March"
        pool = Pool()
        Plan = pool.get('kazan.plan')
        Amendment = pool.get('kazan.plan.amendment')
        plan, = Plan.create([plan_values(create_institution(OTHER_INN, ""))])
        Plan.approve([plan])
        Amendment.create([{
                    'plan': plan.id, 'number': '1',
                    'date': dt.date(2026, 2, 10),
                    'lines': [('create', [{'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('-100')}])],
                    }, {
                    'plan': plan.id, 'number': '2',
                    'date': dt.date(2026, 5, 20),
                    'lines': [('create', [{'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('-1')}])],
                    }])
        balances = self.balances(plan)
        self.assertEqual({k[0] for k in balances},
            {MARCH, dt.date(2026, 5, 20)})
        self.assertEqual(balances[(MARCH, '507.10', '4', None, '131')],
            Decimal(900))

    @with_transaction()
    def test_next_year_posted_when_its_fiscal_year_is_created(self):
        "Approved in December, the next year's plan waits for its year"
        pool = Pool()
        Plan = pool.get('kazan.plan')
        Company = pool.get('company.company')
        company = create_institution(INN, "")
        plan, = Plan.create([plan_values(company, 2027)])
        Plan.approve([plan])
        self.assertEqual(self.balances(plan), {})
        Company.create_fiscalyears([company], [2027])
        self.assertEqual(self.balances(plan)[
                (dt.date(2027, 1, 1), '506.10', '4', '111', '211')],
            Decimal(-700))

    @with_transaction()
    def test_year_unique_per_institution(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        company = create_institution(INN, "Школа")
        other = create_institution(OTHER_INN, "Сад")
        Plan.create([plan_values(company), plan_values(other),
                plan_values(company, 2027)])
        with self.assertRaises(UserError):
            Plan.create([plan_values(company)])

    @with_transaction()
    def test_codes_are_checked(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        company = create_institution(INN, "Школа")
        plan, = Plan.create([{'company': company.id, 'year': 2026}])
        for values in [
                {'kfo': '4', 'kosgu': '21', 'kvr': '111'},
                {'kfo': '4', 'kosgu': '211', 'kvr': '11'},
                {'kfo': '4', 'kosgu': '211'},
                {'kfo': '4', 'kosgu': '411'},
                {'kfo': '4', 'kosgu': '211', 'kvr': '111',
                    'section': 'income'},
                {'kfo': '4', 'kosgu': '131', 'amount': Decimal(-1)},
                ]:
            with self.subTest(values=values), self.assertRaises(UserError):
                Plan.write([plan], {'lines': [('create', [
                                    dict({'amount': Decimal(1)}, **values)
                                    ])]})

    @with_transaction()
    def test_import_is_idempotent_and_refuses_changes_of_approved(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        company = create_institution(INN, "Школа")
        text = (GOOD.replace(f'{OTHER_INN};2026;4;1210;;131;10\n', ''))
        (data,), problems = read_plan_file(text.encode(), 'plan.csv')
        plan, status = Plan.import_data(company, data)
        self.assertEqual((status, plan.state), ('created', 'approved'))
        self.assertEqual(plan.original_data(), data.lines)
        self.assertEqual(Plan.import_data(company, data)[1], 'unchanged')

        # an amendment in a second file
        text2 = ('inn;year;kfo;line_code;kvr;kosgu;amount;amendment;'
            'amendment_date\n'
            f'{INN};2026;4;1210;;131;-1000;1;2026-06-01\n')
        (amended,), _ = read_plan_file(text2.encode(), 'amendment.csv')
        self.assertEqual(Plan.import_data(company, amended)[1], 'updated')
        self.assertEqual(Plan.import_data(company, amended)[1], 'unchanged')
        self.assertEqual(Plan.import_data(company, data)[1], 'unchanged')
        self.assertEqual(plan.income_total, Decimal('1049000.00'))

        # the approved plan differs, the amendment is another
        changed = text.replace('700000', '700001')
        (data,), _ = read_plan_file(changed.encode(), 'plan.csv')
        problems = Plan.import_problems([(company, data)])
        self.assertEqual([(p.key, p.line) for p in problems],
            [('msg_plan_import_approved_differs', 2)])
        with self.assertRaises(UserError):
            Plan.import_data(company, data)
        (amended,), _ = read_plan_file(
            text2.replace('-1000', '-999').encode(), 'amendment.csv')
        self.assertEqual(
            [p.key for p in Plan.import_problems([(company, amended)])],
            ['msg_plan_import_amendment_differs'])
        # an amendment of a plan that does not exist
        (amended,), _ = read_plan_file(
            text2.replace('2026;', '2027;').encode(), 'amendment.csv')
        self.assertEqual(
            [p.key for p in Plan.import_problems([(company, amended)])],
            ['msg_plan_import_no_plan'])

    @with_transaction()
    def test_import_draft_replaces_lines(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        company = create_institution(INN, "Школа")
        plans, _ = read_plan_file(GOOD.encode(), 'plan.csv')
        data, = [p for p in plans if p.inn == INN]
        plan, status = Plan.import_data(company, data, approve=False)
        self.assertEqual((status, plan.state), ('created', 'draft'))
        (changed,), _ = read_plan_file(
            (HEADER + f'{INN};2026;4;1210;;131;5\n').encode(), 'plan.csv')
        plan, status = Plan.import_data(company, changed, approve=False)
        self.assertEqual(status, 'updated')
        self.assertEqual(plan.original_data(), changed.lines)

    @with_transaction()
    def test_import_wizard(self):
        pool = Pool()
        User = pool.get('res.user')
        PlanImport = pool.get('kazan.plan.import', type='wizard')
        Plan = pool.get('kazan.plan')
        company = create_institution(INN, "Школа")
        User.write([User(Transaction().user)], {
                'companies': [('add', [company.id])],
                'company': company.id})
        text = HEADER + f';2026;4;1210;;131;100\n{INN};2026;2;1230;;131;5\n'
        with Transaction().set_context(company=company.id):
            session_id, _, _ = PlanImport.create()
            result = PlanImport.execute(session_id, {
                    'start': {
                        'company': company.id,
                        'file': text.encode('cp1251'),
                        'filename': 'план.csv',
                        'approve': True,
                        }}, 'import_')
            plan, = Plan.search([('company', '=', company.id)])
            self.assertEqual(plan.state, 'approved')
            self.assertEqual(plan.income_total, Decimal('105.00'))
            self.assertTrue(result['actions'])

            # another institution's row: refused, nothing written
            session_id, _, _ = PlanImport.create()
            with self.assertRaises(UserError) as context:
                PlanImport.execute(session_id, {
                        'start': {
                            'company': company.id,
                            'file': (HEADER
                                + f'{OTHER_INN};2027;4;1210;;131;1\n'
                                ).encode(),
                            'filename': 'plan.csv',
                            'approve': True,
                            }}, 'import_')
            self.assertIn('plan.csv:2:inn', context.exception.message)
            other = create_institution(OTHER_INN, "Сад")
            self.assertEqual(Plan.search_count(
                    [('company', 'in', [company.id, other.id])]), 1)

    @with_transaction()
    def test_director_reads_own_institution_only(self):
        pool = Pool()
        Plan = pool.get('kazan.plan')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        company = create_institution(INN, "Школа")
        other = create_institution(OTHER_INN, "Сад")
        own, foreign = Plan.create(
            [plan_values(company), plan_values(other)])
        director, = User.create([{
                    'login': 'director',
                    'name': "Директор",
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', [ModelData.get_id(
                                    'kazan_accounting', 'group_director')])],
                    }])
        with Transaction().set_user(director.id), \
                Transaction().set_context(
                    User.get_preferences(context_only=True),
                    _check_access=True):
            self.assertEqual(Plan.search([]), [own])
            self.assertEqual(len(Plan(own.id).lines), 3)
            with self.assertRaises(AccessError):
                Plan.write([Plan(own.id)], {'year': 2030})
            with self.assertRaises(AccessError):
                Plan.read([foreign.id], ['year'])
