# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""The certificate of incapacity for work (ЭЛН) of a sick leave.

A sick leave, the employee's own or the care of a sick child, is granted
on an electronic certificate whose number has 12 digits (Приказ Минздрава
№ 1089н); the other kinds of absence have none.  The rule is a pure
function (certificate_error), which the model and ``kazan absences
import`` both apply.
"""
import datetime as dt
import unittest

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module

from ..absence import certificate_error
from .tools import in_rolled_back_transaction, school_with_staff, staff_member

START = dt.date(2026, 3, 1)


class CertificateRuleTestCase(unittest.TestCase):
    "certificate_error, without a database"

    def test_sick_kinds_need_twelve_digits(self):
        for kind in ['sick', 'child_sick']:
            with self.subTest(kind=kind):
                self.assertIsNone(certificate_error(kind, '910123456789'))
                self.assertEqual(certificate_error(kind, None),
                    'msg_absence_certificate_required')
                self.assertEqual(certificate_error(kind, ''),
                    'msg_absence_certificate_required')
                for wrong in ['91012345678', '9101234567890',
                        '91012345678a', '9101 2345678', '９１０１２３４５６７８９']:
                    self.assertEqual(certificate_error(kind, wrong),
                        'msg_absence_certificate_invalid', wrong)

    def test_other_kinds_have_none(self):
        for kind in ['vacation', 'unpaid']:
            with self.subTest(kind=kind):
                self.assertIsNone(certificate_error(kind, None))
                self.assertIsNone(certificate_error(kind, ''))
                self.assertEqual(certificate_error(kind, '910123456789'),
                    'msg_absence_certificate_not_allowed')


class AbsenceCertificateTestCase(unittest.TestCase):
    "The model refuses a sick leave without its certificate, with a message"

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_payroll'])

    @in_rolled_back_transaction
    def test_model_validates_the_certificate(self):
        Absence = Pool().get('kazan.payroll.absence')
        school, (employee,) = school_with_staff(
            Pool(), 83, START, [staff_member(1)])

        def create(kind, start, certificate):
            return Absence.create([{
                        'company': school.id, 'employee': employee.id,
                        'kind': kind, 'start_date': start,
                        'end_date': start + dt.timedelta(days=2),
                        'certificate': certificate}])

        child, = create('child_sick', dt.date(2026, 3, 2), '910123456789')
        self.assertEqual(child.kind_string, "Care of a sick child")
        for kind, certificate, words in [
                ('sick', None, 'needs the number'),
                ('sick', '12345', 'is not valid'),
                ('vacation', '910123456780', 'leave the number empty')]:
            with self.subTest(kind=kind, certificate=certificate):
                with self.assertRaises(UserError) as context:
                    create(kind, dt.date(2026, 3, 16), certificate)
                self.assertIn(words, context.exception.message)
        # changing the kind checks the certificate again
        with self.assertRaises(UserError) as context:
            Absence.write([child], {'kind': 'unpaid'})
        self.assertIn('leave the number empty', context.exception.message)
        Absence.write([child], {'kind': 'unpaid', 'certificate': None})
        self.assertEqual(child.kind, 'unpaid')
