"""Everything a client can call, tried as a hostile user (issue 13).

The director of the museum (A) and an accountant assigned to the museum
only call, over JSON-RPC, everything the pool serves, found in the pool so
that a new wizard, report or method is covered without editing this test:

- every wizard: created, its first state executed, then each state the
  buttons of each view reach (breadth first), with empty data and with data
  naming the school's (B's) records;
- every report, on no record and on a record of B;
- every method in each model's ``__rpc__``, on B's records and with values
  naming them;

each with the user's own context and with hostile ones: B as ``company``
and ``companies``, the ``action_id`` of another wizard or report, and
``active_model``/``active_id`` of a record of B.

Then, from the database itself (every table read before and after):

- the director created, changed or deleted no row anywhere, their own
  sessions, login bookkeeping and the client's per-user view settings aside;
- the accountant created, changed or deleted no row of B, and no user,
  group, rule or access row;
- no user made by either of them exists;
- nothing of B came back: no name, identifier or amount of B in any
  answer or error message.
"""
import collections
import datetime as dt
import json
import os
import time
import unittest
from decimal import Decimal

from trytond.model import ModelStorage
from trytond.modules.kazan_accounting.transaction import in_transaction
from trytond.pool import Pool
from trytond.report import Report
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction
from trytond.wizard import Wizard

from . import test_security_rpc as security
from .rpc import JSONRPCClient, RPCError
from .test_security_rpc import (
    PASSWORD, START, institution_models, report_context)

# The tables of a user's own bookkeeping: sessions, login attempts, the
# client's column widths and tree states (each row names its user)
OWN_TABLES = {
    'ir_session', 'ir_session_wizard', 'res_user_login_attempt',
    'res_user_device', 'ir_ui_view_tree_width', 'ir_ui_view_tree_optional',
    'ir_ui_view_tree_state', 'res_user_warning', 'ir_cache',
    'ir_model_button_click', 'ir_queue', 'ir_avatar_cache',
    }
# Of them, what caches serve every user (the resized avatars) or has no
# user (a wizard's session is named by its id)
CACHES = {'ir_session_wizard', 'ir_cache', 'ir_queue', 'ir_avatar_cache'}
# What an accountant may never create or change
RIGHTS_TABLES = {
    'res_user', 'res_group', 'res_user-res_group', 'res_user-company_company',
    'ir_rule', 'ir_rule_group', 'ir_rule_group-res_group',
    'ir_rule_group-res_user', 'ir_model_access', 'ir_model_field_access',
    'ir_action-res_group', 'ir_ui_menu-res_group', 'ir_model_button-res_group',
    'company_company', 'account_fiscalyear', 'res_user-company_employee',
    'res_user-ir_action',
    }
SECRET = 'Секрет школы Б'
SECRET_AMOUNT = Decimal('76543.21')


def tables(cursor, backend_name):
    if backend_name == 'sqlite':
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'")
    return sorted(r[0] for r in cursor)


def snapshot():
    """{table: {id: row}} of every table of the database"""
    from trytond import backend
    result = {}
    with Transaction().start(DB_NAME, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        for table in tables(cursor, backend.name):
            cursor.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            key = names.index('id') if 'id' in names else None
            rows = {}
            for i, row in enumerate(cursor):
                row = tuple(bytes(v) if isinstance(v, memoryview) else v
                    for v in row)
                rows[row[key] if key is not None else ('row', row)] = (
                    dict(zip(names, row)))
            result[table] = rows
    return result


def changes(before, after):
    "[(table, id, 'created'|'changed'|'deleted', row)]"
    found = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, {}), after.get(table, {})
        for id_ in new.keys() - old.keys():
            found.append((table, id_, 'created', new[id_]))
        for id_ in old.keys() - new.keys():
            found.append((table, id_, 'deleted', old[id_]))
        for id_ in old.keys() & new.keys():
            if old[id_] != new[id_]:
                found.append((table, id_, 'changed', new[id_]))
    return found


class Caller:
    "A JSON-RPC client that records every answer and never raises"

    def __init__(self, login):
        self.client = JSONRPCClient(DB_NAME)
        self.user_id = self.client.login(login, PASSWORD)
        self.context = dict(self.client.context)
        self.calls = 0
        self.answers = []

    def __call__(self, method, *args, context=None):
        self.calls += 1
        context = dict(self.context, **(context or {}))
        try:
            result = self.client._post(method, [*args, context])
        except RPCError as error:
            self.answers.append((method, error.args))
            return False, error.args
        self.answers.append((method, result))
        return True, result


class IsolationSweepTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        started = time.monotonic()
        activate_module(['kazan_payroll'])
        cls.school, cls.museum = in_transaction(
            DB_NAME, security.InstitutionIsolationTestCase.set_up_data)
        cls.survey = in_transaction(DB_NAME, cls.set_up_more)
        cls.setup_seconds = time.monotonic() - started

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def set_up_more(cls, pool):
        """The museum's accountant, a secret of the school; what the sweep
        needs to know: a record of B of each model, the markers of B"""
        User = pool.get('res.user')
        Move = pool.get('account.move')
        Journal = pool.get('account.journal')
        Period = pool.get('account.period')
        Account = pool.get('account.account')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        User.create_service_users([{
                    'login': 'museum_accountant', 'name': 'museum_accountant',
                    'role': 'accountant', 'companies': [cls.museum],
                    'password': PASSWORD}])
        school = Company(cls.school)
        journal, = Journal.search([('code', '=', '2')])
        accounts = Account.search([
                ('company', '=', cls.school), ('type', '!=', None),
                ('closed', '!=', True)], limit=2, order=[('code', 'ASC')])
        Move.create([{
                    'company': cls.school, 'journal': journal.id,
                    'period': Period.find(school, date=START).id,
                    'date': START, 'description': SECRET,
                    'lines': [('create', [
                                {'account': accounts[0].id, 'kfo': '4',
                                    'debit': SECRET_AMOUNT,
                                    'credit': Decimal(0),
                                    'description': SECRET},
                                {'account': accounts[1].id, 'kfo': '4',
                                    'debit': Decimal(0),
                                    'credit': SECRET_AMOUNT,
                                    'description': SECRET},
                                ])],
                    }])
        paths = institution_models(pool)
        records = {}
        for name, path in sorted(paths.items()):
            Model = pool.get(name)
            with Transaction().set_context(report_context(cls.school)):
                found = Model.search([(path, '=', cls.school)],
                    order=[('id', 'DESC')], limit=2)
            if found:
                records[name] = [r.id for r in found]
        markers = {school.party.name, school.party.tax_identifier.code
            if school.party.tax_identifier else school.inn,
            SECRET, str(SECRET_AMOUNT), 'ул. Баумана, 1', '+78432000000',
            'паспорт 9200 000000', 'ведомость.pdf', 'проверить'}
        markers |= {e.party.name for e in Employee.search(
                [('company', '=', cls.school)])}
        # the parents who pay a fee there (set_up_income)
        markers |= {c.payer.name for c in pool.get('kazan.fee.child').search(
                [('company', '=', cls.school)])}
        markers.discard(None)
        # nothing of the museum carries them: a hit is a leak of B
        with Transaction().set_context(company=cls.museum):
            museum_names = {e.party.name for e in Employee.search(
                    [('company', '=', cls.museum)])}
        assert not markers & museum_names, markers & museum_names
        return {'records': records, 'markers': sorted(markers)}

    # --------------------------------------------------------------- the calls

    def contexts(self, own_model=None):
        """The user's own context, then the hostile ones"""
        b_model, b_ids = self.any_b_record(own_model)
        return [
            ('own', {}),
            ('company B', dict(report_context(self.school),
                    companies=[self.school])),
            ('companies B', {'companies': [self.school, self.museum]}),
            ('action_id', {'action_id': self.other_action}),
            ('active B', {'active_model': b_model, 'active_id': b_ids[0],
                    'active_ids': b_ids}),
            ]

    def any_b_record(self, model=None):
        records = self.survey['records']
        if model in records:
            return model, records[model]
        return 'account.move', records['account.move']

    def hostile_values(self, Model):
        "Values naming B's records in every relation field of Model"
        return self.hostile.get(Model.__name__, {})

    def plan_hostile_values(self, pool):
        """{model: values naming B's records in every relation field}, in
        a transaction (the targets of the fields come from the pool)"""
        records = self.survey['records']
        plan = {}
        for model, Model in pool.iterobject():
            values = {}
            for name, field in getattr(Model, '_fields', {}).items():
                if field._type == 'reference':
                    values[name] = 'account.move,%s' % (
                        records['account.move'][0])
                    continue
                if field._type not in {
                        'many2one', 'one2one', 'many2many', 'one2many'}:
                    continue
                try:
                    target = field.get_target().__name__
                except Exception:
                    continue
                if target not in records:
                    continue
                if field._type in {'many2one', 'one2one'}:
                    values[name] = records[target][0]
                else:
                    values[name] = [('add', records[target])]
            plan[model] = values
        return plan

    def plan_filled_values(self, pool, model):
        """Values that would make a wizard's form do the most: required
        fields filled, a password, every group (administration included),
        B's records where known"""
        Model = pool.get(model)
        Group = pool.get('res.group')
        records = self.survey['records']
        values = {}
        for name, field in Model._fields.items():
            if field._type in {'many2many', 'one2many'}:
                if field.get_target().__name__ == 'res.group':
                    values[name] = [('add', [g.id for g in Group.search([])])]
                continue
            if not (field.required or name in {'login', 'password'}):
                continue
            self.filled += 1
            if field._type in {'char', 'text'}:
                values[name] = f'Sweep-{self.filled}-Kz-pass-Word!'
            elif field._type == 'selection' and isinstance(
                    field.selection, (list, tuple)) and field.selection:
                values[name] = field.selection[0][0]
            elif field._type in {'integer', 'float', 'numeric'}:
                values[name] = 1
            elif field._type == 'date':
                values[name] = dt.date(2026, 3, 31)
            elif field._type == 'many2one':
                Target = field.get_target()
                target = Target.__name__
                if target in records:
                    values[name] = records[target][0]
                elif issubclass(Target, ModelStorage):
                    found = Target.search([], limit=1)
                    if found:
                        values[name] = found[0].id
        return values

    def sweep_wizard(self, caller, name, Wizard_, counts):
        for label, context in self.contexts():
            ok, created = caller(f'wizard.{name}.create', context=context)
            if not ok:
                continue
            session, start, end = created
            queue = collections.deque([start])
            seen = set()
            while queue:
                state = queue.popleft()
                if state in seen or state == end:
                    continue
                seen.add(state)
                counts['states'] += 1
                datas = [{}]
                for view_state in Wizard_.states:
                    view = Wizard_.states[view_state]
                    model = getattr(view, 'model_name', None)
                    if model:
                        datas.append({view_state: self.hostile_values(
                                    Pool(DB_NAME).get(model))})
                        datas.append({view_state: self.filled_values[model]})
                for data in datas:
                    ok, result = caller(f'wizard.{name}.execute',
                        session, data, state, context=context)
                    if ok and isinstance(result, dict) and 'view' in result:
                        for button in result['view'].get('buttons', []):
                            queue.append(button['state'])
                if len(seen) > 8:
                    break
            caller(f'wizard.{name}.delete', session, context=context)

    def sweep_report(self, caller, name, model, own_action, counts):
        b_model, b_ids = self.any_b_record(model)
        for label, context in self.contexts(model):
            for ids, data in [
                    ([], {'action_id': own_action}),
                    (b_ids, {'model': b_model, 'id': b_ids[0],
                            'ids': b_ids, 'action_id': own_action}),
                    (b_ids, {'model': b_model, 'id': b_ids[0],
                            'ids': b_ids,
                            'action_id': self.other_report_action}),
                    ([], dict(report_context(self.school),
                            action_id=own_action)),
                    ]:
                counts['report calls'] += 1
                caller(f'report.{name}.execute', ids, data, context=context)

    def method_args(self, Model, method, rpc):
        "The argument lists to try for one method"
        records = self.survey['records']
        b_ids = records.get(Model.__name__) or [self.school]
        hostile = self.hostile_values(Model)
        if method in {'read'}:
            return [(b_ids, ['id', 'rec_name'])]
        if method in {'search', 'search_read'}:
            return [([], 0, 10, None)]
        if method == 'search_count':
            return [([],)]
        if method == 'create':
            return [([hostile],), ([{}],)]
        if method == 'write':
            return [(b_ids, {}), (b_ids, hostile)]
        if method in {'delete'}:
            return [(b_ids,)]
        if method == 'copy':
            return [(b_ids, {})]
        if method == 'set_preferences':
            return [({'company': self.school},),
                ({'company': self.school, 'company_filter': 'all'},)]
        if rpc.instantiate is not None:
            if method.startswith('on_change') or method == 'pre_validate':
                return [(hostile, list(hostile) or ['id'])]
            return [(b_ids,)]
        return [()]

    def sweep_models(self, caller, counts):
        pool = Pool(DB_NAME)
        for name, Model in sorted(pool.iterobject()):
            if not getattr(Model, '__rpc__', None):
                continue
            counts['models'] += 1
            for method, rpc in sorted(Model.__rpc__.items()):
                counts['methods'] += 1
                for args in self.method_args(Model, method, rpc):
                    # own, and B as company and companies: action_id and
                    # active_* are the wizards' and reports' (above)
                    for label, context in self.contexts(name)[:2]:
                        caller(f'model.{name}.{method}', *args,
                            context=context)

    def sweep(self, login):
        caller = Caller(login)
        counts = collections.Counter()
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            ActionReport = pool.get('ir.action.report')
            self.other_action = pool.get('ir.action.wizard').search([
                    ('wiz_name', '=', 'kazan.statement.export')])[0].id
            self.other_report_action = ActionReport.search([
                    ('report_name', '=', 'res.user.email_reset_password')
                    ])[0].id
            self.hostile = self.plan_hostile_values(pool)
            wizards = sorted(pool.iterobject('wizard'))
            self.filled = 0
            self.filled_values = {state.model_name: None
                for _, Wizard_ in wizards for state in Wizard_.states.values()
                if getattr(state, 'model_name', None)}
            for model in self.filled_values:
                self.filled_values[model] = self.plan_filled_values(
                    pool, model)
            reports = []
            for name, Report_ in sorted(pool.iterobject('report')):
                assert issubclass(Report_, Report)
                actions = ActionReport.search([('report_name', '=', name)])
                models = sorted({a.model for a in actions if a.model})
                reports.append((name, models[0] if models else None,
                        actions[0].id if actions else None))
        for name, Wizard_ in wizards:
            assert issubclass(Wizard_, Wizard)
            counts['wizards'] += 1
            self.sweep_wizard(caller, name, Wizard_, counts)
        for name, model, action in reports:
            counts['reports'] += 1
            self.sweep_report(caller, name, model, action, counts)
        self.sweep_models(caller, counts)
        self.after_sweep(login, caller, counts)
        counts['calls'] = caller.calls
        return caller, counts

    def after_sweep(self, login, caller, counts):
        """The user's stored institution is still theirs, and a new login
        with no institution in its context reads nothing of B"""
        with Transaction().start(DB_NAME, 0, readonly=True):
            User = Pool().get('res.user')
            with Transaction().reset_context():
                user, = User.search([('login', '=', login)])
                self.assertIn(user.company, user.companies,
                    f"{login}'s stored institution is not one of theirs")
        fresh = Caller(login)
        fresh.context = {}
        for name in ['company.employee', 'account.move',
                'account.move.line', 'party.party', 'kazan.payroll.payslip',
                'kazan.trial_balance']:
            ok, found = fresh(f'model.{name}.search_read', [], 0, 50, None,
                ['rec_name'])
            counts['fresh login calls'] += 1
        caller.answers.extend(fresh.answers)
        caller.calls += fresh.calls

    # -------------------------------------------------------------- the checks

    def assertNothingOfB(self, caller):
        leaks = []
        for method, answer in caller.answers:
            text = json.dumps(answer, ensure_ascii=False, default=str)
            for marker in self.survey['markers']:
                if marker in text:
                    leaks.append((method, marker, text[:300]))
        self.assertEqual(leaks[:20], [], f"{len(leaks)} answers carry B")

    def user_rows(self, found, user_id):
        "The rows of a user's own bookkeeping are theirs"
        others = []
        for table, id_, kind, row in found:
            if table in OWN_TABLES:
                owner = row.get('user', row.get('create_uid'))
                if owner in {user_id, None} or table in CACHES:
                    continue
            others.append((table, id_, kind))
        return others

    def b_rows(self, found):
        "The rows among found that belong to B (or did)"
        pool = Pool()
        paths = institution_models(pool)
        tables = {pool.get(name)._table: name for name in paths
            if issubclass(pool.get(name), ModelStorage)
            and not pool.get(name)._is_table_query()}
        of_b = []
        for table, id_, kind, row in found:
            name = tables.get(table)
            if name is None:
                continue
            Model = pool.get(name)
            with Transaction().set_context(active_test=False):
                if kind == 'deleted' or Model.search([
                            ('id', '=', id_), (paths[name], '=', self.school),
                            ]):
                    of_b.append((table, id_, kind))
        return of_b

    def test_sweep(self):
        "Directors and accountants reach nothing outside their rights"
        before = snapshot()
        started = time.monotonic()
        director, counts = self.sweep('museum_director')
        director_seconds = time.monotonic() - started
        after_director = snapshot()
        found = changes(before, after_director)
        self.assertEqual(self.user_rows(found, director.user_id), [],
            "rows the director created, changed or deleted")

        started = time.monotonic()
        accountant, accountant_counts = self.sweep('museum_accountant')
        accountant_seconds = time.monotonic() - started
        after = snapshot()
        found = changes(after_director, after)
        with Transaction().start(DB_NAME, 0, readonly=True):
            self.assertEqual(self.b_rows(found), [],
                "rows of B the accountant created, changed or deleted")
        rights = [(table, id_, kind) for table, id_, kind, row in found
            if table in RIGHTS_TABLES
            and not (table == 'res_user' and id_ == accountant.user_id
                and kind == 'changed')]
        self.assertEqual(rights, [],
            "users, groups, rules or access rows the accountant touched")
        made = [(table, id_)
            for table, id_, kind, row in changes(before, after)
            if table == 'res_user' and kind == 'created']
        self.assertEqual(made, [], "users made by the director or accountant")
        self.assertNothingOfB(director)
        self.assertNothingOfB(accountant)

        print(f"\nsweep as the director: {dict(counts)} "
            f"in {director_seconds:.0f} s; as the accountant: "
            f"{dict(accountant_counts)} in {accountant_seconds:.0f} s "
            f"(setup {self.setup_seconds:.0f} s)")
        for counted in [counts, accountant_counts]:
            self.assertGreater(counted['wizards'], 30)
            self.assertGreater(counted['reports'], 10)
            self.assertGreater(counted['methods'], 1000)

    def test_refused_attachment_stores_no_file(self):
        """An attachment refused to a director (their own institution's
        record) or to an accountant (another institution's) leaves no file
        in the filestore: the guard checks before the file is written"""
        from trytond.filestore import filestore
        root = filestore.path

        def files():
            return sorted(os.path.join(d, f)
                for d, _, names in os.walk(root) for f in names)
        before = files()
        payload = b'%PDF-1.4 ' + os.urandom(64 * 1024)
        move = self.survey['records']['account.move'][0]
        for login, resource in [
                ('museum_director', f'company.company,{self.museum}'),
                ('museum_accountant', f'account.move,{move}'),
                ]:
            caller = Caller(login)
            ok, answer = caller('model.ir.attachment.create', [{
                        'resource': resource, 'name': 'big.pdf',
                        'data': payload}])
            self.assertFalse(ok, answer)
            self.assertEqual(answer[0], 'UserError', answer)
        self.assertEqual(files(), before)

    def test_plan_import_into_own_institution_only(self):
        """Hole 4: the plan import took the institution from the wizard's
        data.  The museum's accountant imports into the museum, and is
        refused the school, with the same file for each"""
        with Transaction().start(DB_NAME, 0, readonly=True):
            Company = Pool().get('company.company')
            inns = {c.id: c.inn
                for c in Company.browse([self.school, self.museum])}
        caller = Caller('museum_accountant')
        plans = {}
        for company in [self.school, self.museum]:
            data = ('inn;year;kfo;line_code;kvr;kosgu;amount\n'
                f'{inns[company]};2027;4;1210;;131;1000,00\n').encode()
            ok, created = caller('wizard.kazan.plan.import.create')
            self.assertTrue(ok, created)
            session = created[0]
            ok, answer = caller('wizard.kazan.plan.import.execute', session,
                {'start': {'company': company, 'file': data,
                        'filename': 'plan.csv', 'approve': True}},
                'import_')
            plans[company] = (ok, answer)
            caller('wizard.kazan.plan.import.delete', session)
        ok, answer = plans[self.school]
        self.assertFalse(ok)
        self.assertEqual(answer[0], 'UserError', answer)
        ok, answer = plans[self.museum]
        self.assertTrue(ok, answer)
        with Transaction().start(DB_NAME, 0, readonly=True):
            Plan = Pool().get('kazan.plan')
            self.assertEqual(
                [p.company.id for p in Plan.search([('year', '=', 2027)])],
                [self.museum])
