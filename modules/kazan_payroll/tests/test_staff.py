# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Staff records: what create_staff stores and what validation refuses."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll import rules
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module

from .tools import in_rolled_back_transaction, staff_member

START = dt.date(2026, 3, 1)


class StaffTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

        def setup(pool):
            Company = pool.get('company.company')
            return [c.id for c in Company.setup_institutions([
                        sample.institution(21, START),
                        sample.institution(22, START)])]
        cls.school_id, cls.other_id = in_transaction(DB_NAME, setup)

    def create_staff(self, company_id, staff):
        Employee = Pool().get('company.employee')
        return Employee.create_staff(company_id, staff)

    @in_rolled_back_transaction
    def test_create_staff_stores_values(self):
        "create_staff stores the persons and their staff records"
        first, second = self.create_staff(self.school_id, [
                staff_member(1, snils='001-002-001 16'),
                staff_member(2, patronymic='', employee_inn=None,
                    category='support', rate=Decimal('0.5'), kfo='2',
                    children=3, disabled_children=1),
                ])

        self.assertEqual(first.company.id, self.school_id)
        self.assertEqual(first.party.name, 'Фамилия1 Имя Отчество')
        self.assertEqual(second.party.name, 'Фамилия2 Имя')
        self.assertEqual(first.personnel_number, '0001')
        self.assertEqual(first.snils, '00100200116')
        self.assertEqual(first.personal_inn, '165500000190')
        self.assertIsNone(second.personal_inn)
        self.assertEqual(first.birth_date, dt.date(1980, 1, 2))
        self.assertEqual(first.start_date, dt.date(2015, 9, 1))
        self.assertEqual(first.position, 'Учитель математики')
        self.assertEqual(
            (first.category, second.category), ('teacher', 'support'))
        self.assertEqual((first.rate, second.rate),
            (Decimal('1.5'), Decimal('0.5')))
        self.assertEqual(first.base_salary, Decimal('25000.00'))
        self.assertEqual(first.allowances, Decimal('3500.00'))
        self.assertEqual(first.class_management, 1)
        self.assertEqual((second.children, second.disabled_children), (3, 1))
        self.assertEqual((first.pay_kfo, second.pay_kfo), ('4', '2'))
        self.assertEqual(first.ytd_date, START)
        self.assertEqual(
            (first.ytd_income, first.ytd_deductions, first.ytd_ndfl,
                first.ytd_contribution_base),
            (Decimal('120000.00'), Decimal('5600.00'), Decimal('14872.00'),
                Decimal('120000.00')))
        self.assertEqual(
            [c.id for c in first.party.employers], [self.school_id])

    @in_rolled_back_transaction
    def test_create_staff_stores_card_and_sick_pay_facts(self):
        "The salary card and what sick pay is computed from are stored"
        first, second = self.create_staff(self.school_id, [
                staff_member(1, bank_bic='049205805',
                    bank_account='4081 7810 1800 6001 2345',
                    insured_years=Decimal('12.5'),
                    earnings_prev_year=Decimal('540000.00'),
                    earnings_prev_year2=Decimal('498765.43')),
                staff_member(2),
                ])
        self.assertEqual(
            (first.bank_bic, first.bank_account),
            ('049205805', '40817810180060012345'))
        self.assertEqual(first.insured_years, Decimal('12.5'))
        self.assertEqual(
            (first.earnings_prev_year, first.earnings_prev_year2),
            (Decimal('540000.00'), Decimal('498765.43')))
        # all optional: a staff member without them has none and zeros
        self.assertEqual((second.bank_bic, second.bank_account), (None, None))
        self.assertEqual(
            (second.insured_years, second.earnings_prev_year,
                second.earnings_prev_year2), (0, 0, 0))

    @in_rolled_back_transaction
    def test_create_staff_stores_children_and_average_facts(self):
        "Children in order of birth, additional work, the ytd average"
        Child = Pool().get('kazan.payroll.child')
        first, second = self.create_staff(self.school_id, [
                staff_member(1, children=2, disabled_children=1,
                    additional_work=Decimal('4500.00'),
                    ytd_average_earnings=Decimal('100000.00'),
                    ytd_excluded_days=14,
                    children_records=[
                        {'birth_date': dt.date(2016, 9, 1),
                            'disabled': True},
                        {'birth_date': dt.date(2004, 5, 10),
                            'student': True},
                        ]),
                staff_member(2, children=3, disabled_children=1),
                ])
        # the records in order of birth, in the employee's institution
        self.assertEqual(
            [(c.birth_date, c.student, c.disabled, c.company.id)
                for c in first.children_records],
            [(dt.date(2004, 5, 10), True, False, self.school_id),
                (dt.date(2016, 9, 1), False, True, self.school_id)])
        self.assertEqual(first.deduction_children(), (
                rules.Child(dt.date(2004, 5, 10), True, False),
                rules.Child(dt.date(2016, 9, 1), False, True)))
        # without records the counts: 3 children, the youngest disabled
        self.assertEqual(second.deduction_children(), (
                rules.Child(), rules.Child(), rules.Child(disabled=True)))
        self.assertEqual(first.additional_work, Decimal('4500.00'))
        self.assertEqual(
            (first.ytd_average_earnings, first.ytd_excluded_days),
            (Decimal('100000.00'), 14))
        # by default all of ytd_income counts, no day excluded
        self.assertEqual(
            (second.additional_work, second.ytd_average_earnings,
                second.ytd_excluded_days),
            (Decimal(0), Decimal('120000.00'), 0))
        # a child is recorded in the employee's institution only
        with self.assertRaises(UserError):
            Child.create([{'employee': first.id, 'company': self.other_id,
                        'birth_date': dt.date(2020, 1, 1)}])
        # deleting the employee deletes the children
        Pool().get('company.employee').delete([first])
        self.assertEqual(Child.search([('employee', '=', first.id)]), [])

    @in_rolled_back_transaction
    def test_bank_account_wrong_control_key_refused(self):
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(1, bank_bic='049205603',
                        bank_account='40817810962000012354')])
        self.assertEqual(context.exception.message,
            'The bank account "40817810962000012354" of employee '
            '"Фамилия1 Имя Отчество" (personnel number 0001) does not match '
            'the BIC 049205603: its control key (the 9th digit) is wrong. '
            'Check both numbers.')

    @in_rolled_back_transaction
    def test_bank_details_invalid_or_incomplete_refused(self):
        for number, values, expected in [
                (1, {'bank_bic': '019205400',
                     'bank_account': '40817810962000012345'},
                    'bank BIC "019205400"'),
                (2, {'bank_bic': '049205603',
                     'bank_account': '4081781096200001234'},
                    'an account has 20 digits'),
                (3, {'bank_bic': '049205603'}, 'or neither'),
                (4, {'bank_account': '40817810962000012345'}, 'or neither'),
                ]:
            with self.subTest(values=values), \
                    self.assertRaises(UserError) as context:
                self.create_staff(
                    self.school_id, [staff_member(number, **values)])
            self.assertIn(expected, context.exception.message)

    @in_rolled_back_transaction
    def test_employee_found_by_personnel_number(self):
        Employee = Pool().get('company.employee')
        employee, _ = self.create_staff(
            self.school_id, [staff_member(1), staff_member(2)])
        # other test classes of the process keep institutions of their own
        # in the shared database: look in this one's staff
        school = ('company', '=', self.school_id)
        self.assertEqual(
            Employee.search([school, ('rec_name', '=', '0001')]), [employee])
        self.assertEqual(
            Employee.search([school, ('rec_name', 'ilike', 'Фамилия1%')]),
            [employee])

    @in_rolled_back_transaction
    def test_personnel_number_unique_in_institution(self):
        "A personnel number is used once in an institution"
        self.create_staff(self.school_id, [staff_member(1)])
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(2, personnel_number='0001')])
        self.assertEqual(context.exception.message,
            'The institution already has an employee '
            'with this personnel number.')

    @in_rolled_back_transaction
    def test_personnel_number_reused_in_other_institution(self):
        "Another institution numbers its staff on its own"
        self.create_staff(self.school_id, [staff_member(1)])
        employee, = self.create_staff(self.other_id, [staff_member(1)])
        self.assertEqual(employee.personnel_number, '0001')
        self.assertEqual(employee.company.id, self.other_id)

    @in_rolled_back_transaction
    def test_invalid_snils_refused(self):
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(1, snils='001-002-001 17')])
        self.assertEqual(context.exception.message,
            'The SNILS "001-002-001 17" of employee "Фамилия1 Имя Отчество" '
            '(personnel number 0001) is not valid: a SNILS has 11 digits, '
            'the last two being the checksum of the first nine.')

    @in_rolled_back_transaction
    def test_invalid_personal_inn_refused(self):
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(1, employee_inn='165500000191')])
        self.assertIn('"165500000191"', context.exception.message)
        self.assertIn('"Фамилия1 Имя Отчество"', context.exception.message)

    @in_rolled_back_transaction
    def test_disabled_children_beyond_children_refused(self):
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(1, children=1, disabled_children=2)])
        self.assertEqual(context.exception.message,
            'Employee "Фамилия1 Имя Отчество" (personnel number 0001) has '
            'more children with a disability (2) than children (1).')

    @in_rolled_back_transaction
    def test_rate_out_of_range_refused(self):
        for number, rate in enumerate(
                [Decimal('0.05'), Decimal('2.25')], start=1):
            with self.subTest(rate=rate), \
                    self.assertRaises(UserError) as context:
                self.create_staff(
                    self.school_id, [staff_member(number, rate=rate)])
            self.assertIn('rate %s' % rate, context.exception.message)
            self.assertIn('between 0.1 and 2.0', context.exception.message)
        employees = self.create_staff(self.school_id, [
                staff_member(3, rate=Decimal('0.1')),
                staff_member(4, rate=Decimal('2'))])
        self.assertEqual(len(employees), 2)

    @in_rolled_back_transaction
    def test_negative_amounts_and_counts_refused(self):
        for number, values in enumerate([
                    {'base_salary': Decimal('-1')},
                    {'ytd_ndfl': Decimal('-0.01')},
                    {'children': -1},
                    {'insured_years': Decimal('-0.5')},
                    {'earnings_prev_year2': Decimal('-1.00')},
                    ], start=1):
            with self.subTest(values=values), \
                    self.assertRaises(UserError) as context:
                self.create_staff(
                    self.school_id, [staff_member(number, **values)])
            self.assertIn('cannot be negative', context.exception.message)
            self.assertIn(str(*values.values()), context.exception.message)

    @in_rolled_back_transaction
    def test_class_management_beyond_two_refused(self):
        with self.assertRaises(UserError) as context:
            self.create_staff(self.school_id, [
                    staff_member(1, class_management=3)])
        self.assertIn('is 3 classes', context.exception.message)

    @in_rolled_back_transaction
    def test_write_checks_changed_values(self):
        "Validation applies to changes too"
        Employee = Pool().get('company.employee')
        employee, = self.create_staff(self.school_id, [staff_member(1)])
        Employee.write([employee], {'snils': '001 002 002 17'})
        self.assertEqual(employee.snils, '00100200217')
        with self.assertRaises(UserError):
            Employee.write([employee], {'disabled_children': 3})
