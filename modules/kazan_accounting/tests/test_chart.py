# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The chart copied by SQL is the chart Tryton's ORM would create."""
import datetime as dt
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module
from trytond.transaction import Transaction

from .tools import create_company, in_retried_transaction


def chart_rows(company):
    "What identifies each account of the company's chart"
    Account = Pool().get('account.account')
    rows = set()
    for a in Account.search([('company', '=', company.id)]):
        rows.add((a.code, a.name, a.parent.code if a.parent else None,
                a.parent.name if a.parent else None,
                a.type.name if a.type else None, a.closed, a.reconcile,
                a.party_required, a.template.id))
    return rows


class ChartCopyTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(['kazan_accounting'])

    def root(self, xml_id):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Template = pool.get('account.account.template')
        return Template(ModelData.get_id('kazan_accounting', xml_id))

    def types(self, root, company):
        template2type = {}
        with Transaction().set_context(company=company.id):
            root.type.create_type(company.id, template2type=template2type)
        return template2type

    def assertCopyEqualsORM(self, xml_id):
        pool = Pool()
        Account = pool.get('account.account')
        root = self.root(xml_id)
        by_orm = create_company(name=f'ORM {xml_id}')
        by_copy = create_company(name=f'SQL {xml_id}')
        with Transaction().set_context(company=by_orm.id):
            root.create_account(by_orm.id,
                template2type=self.types(root, by_orm))
        ids = Account.create_from_template(
            root, by_copy.id, self.types(root, by_copy))
        self.assertEqual(len(ids), 353)
        self.assertEqual(chart_rows(by_copy), chart_rows(by_orm))

    @in_retried_transaction
    def test_copy_equals_orm_budgetary(self):
        "Budgetary: same accounts, parents and types as the ORM's"
        self.assertCopyEqualsORM('account_template_root_budgetary')

    @in_retried_transaction
    def test_copy_equals_orm_autonomous(self):
        "Autonomous: same accounts, parents and types as the ORM's"
        self.assertCopyEqualsORM('account_template_root_autonomous')

    @in_retried_transaction
    def test_nested_set_after_copies(self):
        "The bounds nest: child_of and parent balances see the whole tree"
        pool = Pool()
        Account = pool.get('account.account')
        root = self.root('account_template_root_budgetary')
        companies = [create_company(name=f'Школа {i}') for i in range(3)]
        for company in companies:
            Account.create_from_template(
                root, company.id, self.types(root, company))
        accounts = Account.search([])
        bounds = sorted(b for a in accounts for b in (a.left, a.right))
        self.assertEqual(len(bounds), len(set(bounds)))
        for account in accounts:
            self.assertLess(account.left, account.right)
            if account.parent:
                self.assertLess(account.parent.left, account.left)
                self.assertLess(account.right, account.parent.right)
                self.assertEqual(account.company, account.parent.company)
        company = companies[1]
        group, = Account.search([
                ('company', '=', company.id), ('code', '=', '401.20')])
        leaves = Account.search([('parent', 'child_of', [group.id])])
        self.assertEqual(
            {a.code for a in leaves} - {'401.20'},
            {a.code for a in Account.search([
                        ('company', '=', company.id),
                        ('code', 'like', '401.20.%')])})

    @in_retried_transaction
    def test_group_balance_sums_its_leaves(self):
        "A posted move shows in the balance of its group accounts"
        pool = Pool()
        Company = pool.get('company.company')
        Account = pool.get('account.account')
        Move = pool.get('account.move')
        ModelData = pool.get('ir.model.data')
        start = dt.date(2026, 3, 1)
        company, = Company.setup_institutions([{
                    'name': 'Школа', 'service_start_date': start,
                    'legal_form': 'budgetary',
                    'opening_balance': [],
                    }])
        with Transaction().set_context(company=company.id):
            accounts = {a.code: a for a in Account.search([
                        ('company', '=', company.id)])}
            move, = Move.create([{
                        'company': company.id,
                        'journal': ModelData.get_id(
                            'kazan_accounting', 'journal_payroll'),
                        'period': pool.get('account.period').find(
                            company, date=start).id,
                        'date': start,
                        'lines': [('create', [
                                    {'account': accounts['401.20.211'].id,
                                        'kfo': '4', 'debit': Decimal(700),
                                        'credit': 0},
                                    {'account': accounts['302.11'].id,
                                        'kfo': '4', 'debit': 0,
                                        'credit': Decimal(700)}])],
                        }])
            Move.post([move])
            self.assertEqual(
                Account(accounts['401.20'].id).balance, Decimal(700))
            self.assertEqual(
                Account(accounts['302'].id).balance, Decimal(-700))
