"""The director of one institution against the data of another, over RPC.

Every model that holds institution data must restrict its records to the
user's institutions with a record rule (the core's company rule pattern),
or refuse a director outright.  The models are found in the pool, not
listed by hand; which ones hold institution data:

1. ``company.company``: the institution itself;
2. every model with a ``company`` field to company.company, the core's
   convention (stored or function field);
3. every model with a relation field to company.company that our modules
   (kazan_accounting, kazan_payroll) add, e.g. the employers of a party;
4. every model whose access is delegated (``__access__``) to a model
   above, e.g. the tax lines of a move line, the identifiers of a party;
5. every model of our modules with a required Many2One to a model above,
   e.g. the lines of a payslip through their payslip;
6. the attachments, notes, e-mails, logs and avatars of records (Tryton's
   ResourceAccessMixin): those of a record above are its institution's.

SQL views (table_query) count too, the core's and ours (the statements):
a client asks for them with an institution in its context.  The models of
6. are restricted by the record rules of the record they belong to, the
others by a record rule of their own or of the model they delegate their
access to.  A model that is not institution data although it names one
(SHARED below) is exempt, with the reason; a model the dispatcher does not
serve over RPC, or that a director may not read, needs no rule.

The test sets up two institutions with data (opening balances, a draft
and posted moves, staff, an absence, a plan with an amendment, a posted
payroll run) and logs in over JSON-RPC as the director of the second one.
For each model it searches without a domain, with its own context and with
a context naming the first institution (the ``company`` the reports take,
``companies`` and even ``_companies``, which the server must ignore),
reads the records of the first institution and counts them by id.  A model
a director may not read at all passes by its access error.
"""
import copy
import datetime as dt
import json
import time
import unittest
from decimal import Decimal

from trytond.ir.resource import ResourceAccessMixin
from trytond.ir.rule import _get_access_models
from trytond.model import ModelSQL
from trytond.modules.kazan_accounting import fee_rules
from trytond.modules.kazan_accounting.tests import sample
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.modules.kazan_payroll.tests.tools import staff_member
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from .rpc import JSONRPCClient, RPCError

OUR_MODULES = ('kazan_accounting', 'kazan_payroll')
INSTITUTION = 'company.company'
PASSWORD = 'Kz-test-password-1'
START = dt.date(2026, 3, 1)
END = dt.date(2026, 12, 31)

# Models with an institution link that are not the institution's data,
# with the reason; no model of ours may be here.
SHARED = {
    'res.user': "service users: an accountant serves several institutions "
    "and every record shows who created it; the user's company is a "
    "preference, not the institution's data",
    'res.user-company.company': "the institutions a service user works "
    "for, read with the user",
    }


def report_context(company):
    "The context a client sends for the reports of an institution"
    return {'company': company, 'date': END, 'from_date': START,
        'to_date': END, 'year': START.year,
        'quarter': (START.month - 1) // 3 + 1}


def module_of_models(pool):
    "{model name: the module that registered it}"
    Model = pool.get('ir.model')
    return {m.name: m.module for m in Model.search([])}


def our_company_fields(pool):
    "{(model, field)} of the relation fields to institutions we add"
    Field = pool.get('ir.model.field')
    return {(f.model, f.name) for f in Field.search([
                ('module', 'in', OUR_MODULES),
                ('relation', '=', INSTITUTION),
                ])}


def institution_models(pool):
    """{model name: path to the institution}, the models that hold
    institution data by the rules of the module docstring, the path as a
    domain takes it (``company``, ``payslip.company``, ``id``)"""
    modules = module_of_models(pool)
    ours = {n for n, m in modules.items() if m in OUR_MODULES}
    fields_ours = our_company_fields(pool)
    models = {name: Model for name, Model in pool.iterobject()
        if issubclass(Model, ModelSQL) and name in modules}

    def target(field):
        if field._type in {'many2one', 'many2many', 'one2many'}:
            return field.get_target().__name__

    paths = {INSTITUTION: 'id'}
    unresolved = set()
    for name, Model in sorted(models.items()):
        for field_name, field in sorted(Model._fields.items()):
            if target(field) != INSTITUTION:
                continue
            if field_name == 'company' or (name, field_name) in fields_ours:
                if field.searchable(Model):
                    paths.setdefault(name, field_name)
                else:
                    unresolved.add(name)
    # The parents: delegated access, and the required Many2One of our
    # models; a shared model is no parent.
    changed = True
    while changed:
        changed = False
        for name, Model in sorted(models.items()):
            if name in paths:
                continue
            parents = sorted(Model.__access__)
            if name in ours or name in unresolved:
                parents += sorted(n for n, f in Model._fields.items()
                    if f._type == 'many2one' and f.required
                    and n not in parents)
            for parent in parents:
                field = Model._fields[parent]
                parent_model = target(field)
                if (parent_model in paths and parent_model not in SHARED
                        and field.searchable(Model)):
                    paths[name] = f'{parent}.{paths[parent_model]}'
                    changed = True
                    break
    missing = unresolved - paths.keys()
    assert not missing, f"no searchable path to the institution: {missing}"
    return paths


def resource_models(pool):
    "The models of the records of other models: attachments, notes..."
    return sorted(name for name, Model in pool.iterobject()
        if issubclass(Model, ModelSQL)
        and issubclass(Model, ResourceAccessMixin))


def company_rules(pool, name, groups):
    """The record rules that restrict the model (or the models its access
    is delegated to) to the user's institutions for these groups"""
    RuleGroup = pool.get('ir.rule.group')
    names, _ = _get_access_models(pool.get(name))
    rules = []
    for group in RuleGroup.search([
                ('model', 'in', list(names)),
                ('perm_read', '=', True),
                ]):
        applies = group.global_p or group.default_p or (
            {g.id for g in group.groups} & set(groups))
        if not applies:
            continue
        for rule in group.rules:
            # the PYSON of the domain names the user's institutions
            if 'companies' in json.dumps(json.loads(rule.domain)):
                rules.append(f'{group.model}: {rule.domain}')
    return rules


def set_up_income(pool, school):
    """The school's parents' fees and subsidy (fees.py, subsidy.py): a
    child with its payer, a posted charge of March, a payment from a
    registry, payee details, an accrued agreement recognised for March"""
    Party = pool.get('party.party')
    payer, founder = Party.create([
            {'name': 'Плательщик Школы'}, {'name': 'Учредитель Школы'}])
    pool.get('kazan.fee.payee').create([{
                'company': school.id, 'name': 'УФК по РТ (Школа)',
                'account': '03234643927010001100', 'bank_name': 'НБ РТ',
                'bic': '019205400', 'purpose': 'Плата'}])
    child, = pool.get('kazan.fee.child').create([{
                'company': school.id, 'number': 'ЛС-ШКОЛА', 'name': 'Ученик',
                'payer': payer.id, 'daily_rate': Decimal('150.00')}])
    Charge = pool.get('kazan.fee.charge')
    charge, = Charge.create([{
                'company': school.id, 'month': START,
                'date': dt.date(2026, 3, 31),
                'lines': [('create', [{'child': child.id, 'days': 10,
                                'daily_rate': Decimal('150.00')}])],
                }])
    Charge.post([charge])
    pool.get('kazan.fee.payment').import_registry(school, [
            fee_rules.RegistryPayment('registry.csv', 2, 'ЛС-ШКОЛА',
                dt.date(2026, 3, 20), Decimal('500.00'), 'P-ШКОЛА')])
    Agreement = pool.get('kazan.subsidy.agreement')
    agreement, = Agreement.create([{
                'company': school.id, 'founder': founder.id,
                'number': 'С-ШКОЛА', 'date': START, 'kfo': '4',
                'kosgu': '131', 'amount': Decimal('1000.00'),
                'schedule': [('create', [
                            {'month': START, 'amount': Decimal('600.00')},
                            {'month': dt.date(2026, 4, 1),
                                'amount': Decimal('400.00')}])],
                }])
    Agreement.accrue([agreement])
    Agreement.recognise([agreement], START)


class InstitutionIsolationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        started = time.monotonic()
        activate_module(['kazan_payroll'])
        (cls.school, cls.museum) = in_transaction(DB_NAME, cls.set_up_data)
        cls.models = in_transaction(
            DB_NAME, cls.survey, readonly=True)
        cls.setup_seconds = time.monotonic() - started

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @staticmethod
    def set_up_data(pool):
        """The school (the other institution) with data of every kind, the
        museum, whose director tries the school's data"""
        Company = pool.get('company.company')
        User = pool.get('res.user')
        Move = pool.get('account.move')
        Journal = pool.get('account.journal')
        Period = pool.get('account.period')
        Employee = pool.get('company.employee')
        Absence = pool.get('kazan.payroll.absence')
        Plan = pool.get('kazan.plan')
        Amendment = pool.get('kazan.plan.amendment')
        Run = pool.get('kazan.payroll.run')

        school, museum = Company.setup_institutions([
                sample.institution(41, START),
                sample.institution(42, START, legal_form='autonomous'),
                ])
        User.create_service_users([
                {'login': login, 'name': login, 'role': role,
                    'companies': companies, 'password': PASSWORD}
                for login, role, companies in [
                    ('school_director', 'director', [school.id]),
                    ('school_accountant', 'accountant', [school.id]),
                    ('museum_director', 'director', [museum.id]),
                    ]])
        journal, = Journal.search([('code', '=', '2')])
        Move.create([{
                    'company': school.id, 'journal': journal.id,
                    'period': Period.find(school, date=START).id,
                    'date': START, 'description': 'черновик',
                    }])
        school_staff = Employee.create_staff(school.id, [
                staff_member(1, children_records=[
                        {'birth_date': dt.date(2015, 5, 1)}]),
                staff_member(2)])
        Employee.create_staff(museum.id, [staff_member(3)])
        Absence.create([{
                    'company': school.id, 'employee': school_staff[0].id,
                    'kind': 'sick', 'start_date': dt.date(2026, 3, 10),
                    'end_date': dt.date(2026, 3, 12),
                    'certificate': '910123456789',
                    }, {
                    # paid before the leave by a document (vacation_pay)
                    'company': school.id, 'employee': school_staff[1].id,
                    'kind': 'vacation', 'start_date': dt.date(2026, 3, 16),
                    'end_date': dt.date(2026, 3, 22),
                    }])
        pool.get('kazan.payroll.pay_source').create([{
                    'employee': school_staff[1].id, 'kfo': '2',
                    'share': Decimal(25)}])
        pool.get('kazan.payroll.withholding').create([{
                    'company': school.id, 'employee': school_staff[0].id,
                    'kind': 'alimony', 'percent': Decimal(25),
                    'recipient': 'Взыскатель', 'document': 'ФС № 1',
                    'document_date': START, 'start_date': START,
                    }])
        # a transfer of taxes to the ЕНП with a line (enp.py)
        pool.get('kazan.payroll.tax_payment').create([{
                    'company': school.id, 'date': dt.date(2026, 4, 27),
                    'lines': [('create', [{'part': 'contributions',
                                    'month': START, 'kfo': '4',
                                    'amount': Decimal('100')}])],
                    }])
        plan, = Plan.create([{
                    'company': school.id, 'year': 2026,
                    'lines': [('create', [
                                {'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('1000')},
                                {'kfo': '4', 'kvr': '111', 'kosgu': '211',
                                    'line_code': '2110',
                                    'amount': Decimal('700')},
                                ])],
                    }])
        Plan.approve([plan])
        Amendment.create([{
                    'plan': plan.id, 'number': '1',
                    'date': dt.date(2026, 4, 15),
                    'lines': [('create', [{'kfo': '4', 'kosgu': '131',
                                    'line_code': '1210',
                                    'amount': Decimal('-100')}])],
                    }])
        run, = Run.runs_for([school], START)
        Run.compute([run])
        Run.post([run])
        # unpaid vacation pay deposited, its payment in draft
        # (kazan.payroll.deposit, .deposit.line, .deposit.payment)
        vacation, = pool.get('kazan.payroll.vacation_pay').search([
                ('company', '=', school.id)])
        Deposit = pool.get('kazan.payroll.deposit')
        deposit, = Deposit.create([{
                    'company': school.id, 'date': vacation.payment_date,
                    'lines': [('create', [{
                                    'employee': school_staff[1].id,
                                    'payment_kind': 'vacation',
                                    'vacation_pay': vacation.id,
                                    'reason': 'returned',
                                    'amount': Decimal('100.00')}])],
                    }])
        Deposit.post([deposit])
        pool.get('kazan.payroll.deposit.payment').create([{
                    'company': school.id, 'line': deposit.lines[0].id,
                    'date': vacation.payment_date,
                    'amount': Decimal('100.00')}])
        # the vacation reserve of March (kazan.payroll.vacation_reserve
        # with its lines per employee and per КФО)
        Company.write([school], {'payroll_vacation_reserve': 'monthly'})
        Reserve = pool.get('kazan.payroll.vacation_reserve')
        reserve, = Reserve.create([
                {'company': school.id, 'date': dt.date(2026, 3, 31)}])
        Reserve.compute([reserve])
        Reserve.post([reserve])
        # April corrects March (kazan.payroll.run.correction)
        april, = Run.runs_for([school], dt.date(2026, 4, 1))
        pool.get('kazan.payroll.run.correction').create([{
                    'run': april.id, 'corrected': run.id}])
        # what a person's party may hold besides the name
        person = school_staff[0].party
        pool.get('party.address').create([
                {'party': person.id, 'street': 'ул. Баумана, 1'}])
        pool.get('party.contact_mechanism').create([
                {'party': person.id, 'type': 'phone',
                    'value': '+78432000000'}])
        pool.get('party.identifier').create([
                {'party': person.id, 'code': 'паспорт 9200 000000'}])
        move = run.moves[0]
        pool.get('ir.attachment').create([{
                    'resource': str(move), 'name': 'ведомость.pdf',
                    'data': b'%PDF-1.4'}])
        pool.get('ir.note').create([
                {'resource': str(move), 'message': 'проверить'}])
        set_up_income(pool, school)
        # a registered contract with its line (kazan.contract, .line)
        Contract = pool.get('kazan.contract')
        supplier, = pool.get('party.party').create([{'name': 'Поставщик'}])
        contract, = Contract.create([{
                    'company': school.id, 'number': '1', 'date': START,
                    'party': supplier.id,
                    'lines': [('create', [{'kfo': '4', 'kvr': '111',
                                    'kosgu': '211',
                                    'amount': Decimal('100')}])],
                    }])
        Contract.register([contract])
        # a supplier's act posted (account.invoice, its line, the fiscal
        # year's numbering of documents)
        Invoice = pool.get('account.invoice')
        payable, = pool.get('account.account').search([
                ('company', '=', school.id), ('code', '=', '302.26')])
        address, = pool.get('party.address').create([
                {'party': supplier.id}])
        with Transaction().set_context(company=school.id):
            act, = Invoice.create([{
                        'company': school.id, 'type': 'in',
                        'party': supplier.id, 'invoice_address': address.id,
                        'account': payable.id,
                        'journal': pool.get('ir.model.data').get_id(
                            'kazan_accounting', 'journal_suppliers'),
                        'currency': school.currency.id,
                        'invoice_date': START, 'document_kind': 'act',
                        'kfo': '4', 'kvr': '244', 'kosgu': '226',
                        'lines': [('create', [{'type': 'line',
                                        'quantity': 1,
                                        'unit_price': Decimal('100'),
                                        'description': 'Услуги'}])],
                        }])
            Invoice.post([act])
        return school.id, museum.id

    @classmethod
    def survey(cls, pool):
        """For each model holding institution data: its path to the
        institution, the company rules a director has on it, whether a
        director may read it, and the ids of the school's records"""
        User = pool.get('res.user')
        ModelAccess = pool.get('ir.model.access')
        director, = User.search([('login', '=', 'museum_director')])
        with Transaction().set_user(director.id):
            groups = User.get_groups()
        paths = institution_models(pool)
        modules = module_of_models(pool)
        with Transaction().set_user(director.id):
            access = ModelAccess.get_access(list(paths))
        models = {}
        for name, path in sorted(paths.items()):
            Model = pool.get(name)
            with Transaction().set_context(report_context(cls.school)):
                school_ids = sorted(r.id for r in Model.search(
                        [(path, '=', cls.school)], order=[]))
            models[name] = {
                'path': path,
                'ours': modules[name] in OUR_MODULES,
                'served': 'search' in Model.__rpc__,
                'table_query': Model._is_table_query(),
                'rules': company_rules(pool, name, groups),
                'readable': access[name]['read'],
                'school_ids': school_ids,
                }
        school_records = {f'{name},{id_}' for name, model in models.items()
            if name not in SHARED for id_ in model['school_ids']}
        resources = resource_models(pool)
        with Transaction().set_user(director.id):
            access = ModelAccess.get_access(resources)
        for name in resources:
            Model = pool.get(name)
            models[name] = {
                'path': 'resource',
                'ours': False,
                'served': 'search' in Model.__rpc__,
                'table_query': False,
                'rules': ['resource: the rules of the record'],
                'readable': access[name]['read'],
                'school_ids': sorted(r.id for r in Model.search([])
                    if str(r.resource) in school_records),
                }
        return models

    def client(self, login):
        client = JSONRPCClient(DB_NAME)
        client.login(login, PASSWORD)
        return client

    @staticmethod
    def with_context(client, context):
        "The client, its context updated"
        other = copy.copy(client)
        other.context = dict(client.context, **context)
        return other

    def assertRefused(self, call, *args, missing=False):
        """The call fails with Tryton's access or record-rule error, or
        (missing) with its error for records that do not exist"""
        with self.assertRaises(RPCError) as context:
            call(*args)
        name, (message, *_) = context.exception.args
        self.assertEqual(name, 'UserError', message)
        self.assertTrue('not allowed' in message
            or (missing and "that don't exist" in message), message)

    def assertNotYours(self, call, *args):
        "The call is refused by the guard: it names another institution"
        with self.assertRaises(RPCError) as context:
            call(*args)
        name, (message, *_) = context.exception.args
        self.assertEqual(name, 'UserError', message)
        self.assertIn('not one of yours', message)

    def test_institution_data_has_company_rule(self):
        """Each model that holds institution data and that a director may
        read over RPC has a record rule on the user's institutions, or is
        shared reference data"""
        self.assertFalse(set(SHARED) - set(self.models),
            "shared models that no longer hold institution data")
        without_rule = sorted(name for name, model in self.models.items()
            if model['readable'] and model['served'] and not model['rules']
            and name not in SHARED)
        self.assertEqual(without_rule, [],
            "institution data without a company record rule")
        # what is enumerated is what the ledger and the payroll keep
        for name in ['company.company', 'account.move', 'account.move.line',
                'account.account', 'company.employee', 'party.party',
                'party.identifier', 'kazan.plan.line',
                'kazan.payroll.payslip.line', 'kazan.trial_balance']:
            with self.subTest(model=name):
                self.assertIn(name, self.models)

    def test_director_sees_nothing_of_another_institution(self):
        """The museum's director over RPC: no record of the school is found,
        read or counted, with the director's context or one naming the
        school"""
        client = self.client('museum_director')
        attack = self.with_context(client, dict(
                report_context(self.school), companies=[self.school],
                _companies=[self.school]))
        by_rule, no_access, not_served, refused_reads = [], [], [], []
        for name, model in sorted(self.models.items()):
            if name in SHARED:
                continue
            school_ids = model['school_ids']
            with self.subTest(model=name):
                if not model['served']:
                    # the dispatcher does not even look at the model
                    with self.assertRaises(RPCError) as context:
                        client.model(name, 'search', [], 0, None, None)
                    self.assertEqual(context.exception.name, '403')
                    not_served.append(name)
                    continue
                # a context naming the school is refused before anything
                self.assertNotYours(
                    attack.model, name, 'search', [], 0, None, None)
                if school_ids:
                    self.assertNotYours(
                        attack.model, name, 'read', school_ids, ['id'])
                if not model['readable']:
                    self.assertRefused(
                        client.model, name, 'search', [], 0, None, None)
                    no_access.append(name)
                    continue
                found = client.model(name, 'search', [], 0, None, None)
                self.assertFalse(set(found) & set(school_ids))
                self.assertEqual(client.model(name, 'search_count',
                        [('id', 'in', school_ids)], 0, None), 0)
                if school_ids:
                    # the rows of a SQL view exist by the context's rights
                    self.assertRefused(
                        client.model, name, 'read', school_ids, ['id'],
                        missing=model['table_query'])
                    refused_reads.append(name)
                by_rule.append(name)
        refused = len(no_access) + len(not_served)
        checked = len(by_rule) + refused + len(SHARED)
        summary = (f"{checked} models checked: {len(by_rule)} by record "
            f"rule, {refused} no read access ({len(not_served)} of them "
            f"not served over RPC), {len(SHARED)} shared reference data")
        print(f"\n{summary}\n"
            f"read and refused the other institution's records of "
            f"{len(refused_reads)} models; the other institution has no "
            f"record of: "
            + ', '.join(sorted(set(by_rule) - set(refused_reads)))
            + f"\n(setup {self.setup_seconds:.1f} s)")
        # every enumerated model was tried, ours with the school's records
        self.assertEqual(checked, len(self.models), summary)
        self.assertEqual(sorted(name for name in by_rule
                if self.models[name]['ours'] and name not in refused_reads),
            [], "models of ours the set-up gives no record")

    def test_director_sees_own_institution(self):
        """The same calls find the records of the director's own
        institution: the refusals above are the rules, not empty calls"""
        client = self.with_context(self.client('school_director'),
            report_context(self.school))
        seen = []
        for name, model in sorted(self.models.items()):
            if (name in SHARED or not model['served']
                    or not model['readable'] or not model['school_ids']):
                continue
            with self.subTest(model=name):
                found = client.model(name, 'search',
                    [('id', 'in', model['school_ids'])], 0, None, None)
                self.assertEqual(sorted(found), model['school_ids'])
                seen.append(name)
        self.assertTrue(seen)

    def test_nobody_reads_a_temporary_password(self):
        """Anybody may ask for a new password for any login (the login
        page's reset) and every user reads the users (the core's access):
        the temporary password it sets logs in as its user, so nobody but
        an administrator reads it, or a director becomes the administrator"""
        JSONRPCClient(DB_NAME)._post(
            'common.db.reset_password', ['admin', 'ru'])
        with Transaction().start(DB_NAME, 0, readonly=True):
            User = Pool().get('res.user')
            [admin] = User.search([('login', '=', 'admin')])
            temporary = admin.password_reset
        self.assertTrue(temporary)
        client = self.client('museum_director')
        # nor even who has which login (issue 13)
        self.assertRefused(client.model, 'res.user', 'search',
            [('login', '=', 'admin')], 0, None, None)
        self.assertRefused(client.model, 'res.user', 'read',
            [admin.id], ['password_reset'])
        self.assertRefused(client.model, 'res.user', 'search',
            [('password_reset', '=', temporary)], 0, None, None)
        # nor through the e-mail that sends it: the report is for the
        # administrators
        with self.assertRaises(RPCError) as context:
            client.report('res.user.email_reset_password', [admin.id],
                {'model': 'res.user', 'id': admin.id, 'ids': [admin.id]})
        self.assertIn('not allowed to run', str(context.exception.args))
        self.assertNotIn(temporary, str(context.exception.args))
        # what the director would have done with it
        JSONRPCClient(DB_NAME).login('admin', temporary)

    def test_director_reads_no_user_rights(self):
        """Who works for which institution with which rights is for the
        administrators: a director reads a user's name (who created a
        record), not the logins, e-mails, groups and institutions of the
        users"""
        client = self.client('museum_director')
        with Transaction().start(DB_NAME, 0, readonly=True):
            User = Pool().get('res.user')
            other, = User.search([('login', '=', 'school_director')])
            other_id = other.id
        self.assertEqual(client.model('res.user', 'read', [other_id],
                ['name'])[0]['name'], 'school_director')
        for field in ['login', 'groups', 'email']:
            with self.subTest(field=field):
                self.assertRefused(
                    client.model, 'res.user', 'read', [other_id], [field])
                self.assertRefused(client.model, 'res.user', 'search',
                    [(field, '!=', None)], 0, None, None)
        # another user's institutions: none (the relation's rule); one's
        # own: theirs
        self.assertEqual(client.model('res.user', 'read', [other_id],
                ['companies'])[0]['companies'], [])
        self.assertEqual(client.model('res.user', 'read', [client.user_id],
                ['companies'])[0]['companies'], [self.museum])
        # the link table itself is not served over RPC
        with self.assertRaises(RPCError) as context:
            client.model('res.user-company.company', 'search', [], 0, None,
                None)
        self.assertEqual(context.exception.name, '403')
        # the director's own preferences still name their institution
        self.assertEqual(client.context['company'], self.museum)
