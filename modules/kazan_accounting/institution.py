# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Setting up institutions in one call.

``Company.setup_institutions`` creates, for a list of institutions, the
party and the company with its profile, the chart of accounts of its legal
form (from the account templates), the fiscal year of its start date with
12 monthly periods and its strict move sequence, and the posted
opening-balance move as of the start date.  Every step is one batched ORM
call for the whole list; nothing is created one record at a time.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import DISTRICTS, FOUNDERS, INSTITUTION_KINDS, KFO, LEGAL_FORMS
from .exceptions import InstitutionSetupError

PROFILE_FIELDS = [
    'full_name', 'inn', 'kpp', 'ogrn', 'oktmo', 'institution_kind',
    'legal_form', 'founder', 'district', 'director', 'chief_accountant',
    'accident_rate', 'service_start_date', 'default_kfo',
    ]


# The КОСГУ of an opening cash balance: debit (True) or credit (False)
OPENING_CASH_KOSGU = {True: '510', False: '610'}


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def setup_institutions(cls, institutions, timer=None):
        """Create the institutions with their ledgers; return the companies.

        institutions is a list of dicts: ``name`` (the short name), the
        profile fields (PROFILE_FIELDS; ``service_start_date`` required),
        ``personal_accounts`` (list of numbers) and ``opening_balance``
        (list of dicts with ``account`` code, ``kfo``, ``debit``,
        ``credit``).  timer, if given, is called with the name of each
        step when it is done (the benchmark uses it).
        """
        timer = timer or (lambda step: None)
        if not institutions:
            return []
        companies = cls.create_institutions(institutions)
        timer('company')
        for company in companies:
            company.create_chart()
        timer('chart')
        fiscalyears = cls.create_fiscalyears(
            companies, [c.service_start_date.year for c in companies])
        timer('fiscal year')
        cls.post_opening_balances(
            companies, [v.get('opening_balance', []) for v in institutions],
            fiscalyears)
        timer('opening balance')
        return companies

    @classmethod
    def create_institutions(cls, institutions):
        "Create the parties and the companies with their profile"
        pool = Pool()
        Party = pool.get('party.party')
        Currency = pool.get('currency.currency')
        for values in institutions:
            if not values.get('service_start_date'):
                raise InstitutionSetupError(gettext(
                        'kazan_accounting.msg_setup_start_date_required',
                        institution=values.get('name')))
        currencies = Currency.search([('code', '=', 'RUB')], limit=1)
        if not currencies:
            raise InstitutionSetupError(gettext(
                    'kazan_accounting.msg_setup_currency_missing'))
        currency, = currencies
        parties = Party.create([{'name': v['name']} for v in institutions])
        return cls.create([{
                    'party': party.id,
                    'currency': currency.id,
                    'timezone': 'Europe/Moscow',
                    'personal_accounts': [('create', [
                                {'number': n}
                                for n in v.get('personal_accounts', [])])],
                    **{f: v[f] for f in PROFILE_FIELDS if f in v},
                    } for party, v in zip(parties, institutions)])

    def create_chart(self):
        "Create the chart of accounts of the legal form from its template"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        AccountTemplate = pool.get('account.account.template')
        Account = pool.get('account.account')
        template = AccountTemplate(ModelData.get_id(
                'kazan_accounting', self.chart_template_xml_id))
        with Transaction().set_context(company=self.id):
            template2type = {}
            template.type.create_type(self.id, template2type=template2type)
            Account.create_from_template(template, self.id, template2type)

    @classmethod
    def create_fiscalyears(cls, companies, years):
        """Create for each company the fiscal year (calendar year) with its
        strict move sequence, the numbering of its documents and 12
        monthly periods, and post the approved plans of the year; return
        them"""
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Plan = pool.get('kazan.plan')
        Sequence = pool.get('ir.sequence.strict')
        ModelData = pool.get('ir.model.data')
        sequence_type = ModelData.get_id(
            'account', 'sequence_type_account_move')
        sequences = Sequence.create([{
                    'name': str(year),
                    'sequence_type': sequence_type,
                    'company': company.id,
                    'prefix': '%s-' % year,
                    } for company, year in zip(companies, years)])
        fiscalyears = FiscalYear.create([{
                    'name': str(year),
                    'company': company.id,
                    'start_date': dt.date(year, 1, 1),
                    'end_date': dt.date(year, 12, 31),
                    'move_sequence': sequence.id,
                    } for company, year, sequence
                in zip(companies, years, sequences)])
        FiscalYear.create_period(fiscalyears, interval=1)
        FiscalYear.create_invoice_sequences(fiscalyears)
        cls.create_journal_periods(fiscalyears)
        Plan.post_of_fiscalyears(fiscalyears)
        return fiscalyears

    @classmethod
    def create_journal_periods(cls, fiscalyears):
        """Open every journal in every period of the new fiscal years.

        Tryton creates a journal period with the first move of a journal
        in a period, under an exclusive lock of the whole table (two
        transactions could create the same one): created here with the
        periods, which no other transaction sees yet, the onboarding and
        the first postings of an institution take no such lock."""
        pool = Pool()
        Journal = pool.get('account.journal')
        JournalPeriod = pool.get('account.journal.period')
        journals = Journal.search([])
        periods = [p for f in fiscalyears for p in f.periods]
        # those a move created already (a plan posted by the renewal)
        existing = {(j.journal.id, j.period.id) for j in JournalPeriod.search(
                [('period', 'in', [p.id for p in periods])])}
        JournalPeriod.create([{'journal': journal.id, 'period': period.id}
                for period in periods for journal in journals
                if (journal.id, period.id) not in existing])

    @classmethod
    def post_opening_balances(cls, companies, balances, fiscalyears):
        """Post for each company its opening-balance move, dated on its
        first day in the service, in the opening-balance journal.

        The batch names no counterparty: a balance of an account settled
        by supplier (302.2x, 302.3x: party required) is posted with the
        party «Контрагент не указан (входящий остаток)», which the
        accountant reallocates to the suppliers by a move."""
        pool = Pool()
        Account = pool.get('account.account')
        Move = pool.get('account.move')
        Period = pool.get('account.period')
        ModelData = pool.get('ir.model.data')
        journal = ModelData.get_id('kazan_accounting', 'journal_opening')
        unnamed = ModelData.get_id('kazan_accounting', 'party_opening_balance')

        accounts = defaultdict(dict)
        cash_accounts, party_accounts = set(), set()
        for account in Account.search([
                    ('company', 'in', [c.id for c in companies]),
                    ('type', '!=', None),
                    ]):
            accounts[account.company.id][account.code] = account.id
            if account.type.cash_kind:
                cash_accounts.add(account.id)
            if account.party_required:
                party_accounts.add(account.id)
        periods = {}
        for period in Period.search([
                    ('fiscalyear', 'in', [f.id for f in fiscalyears]),
                    ('type', '=', 'standard'),
                    ]):
            periods[(period.company.id, period.start_date)] = period.id

        moves = []
        for company, lines in zip(companies, balances):
            lines = [l for l in lines
                if l.get('debit') or l.get('credit')]
            if not lines:
                continue
            date = company.service_start_date
            move_lines = []
            for line in lines:
                account = accounts[company.id].get(line['account'])
                if account is None:
                    raise InstitutionSetupError(gettext(
                            'kazan_accounting.msg_setup_unknown_account',
                            account=line['account'],
                            institution=company.rec_name))
                debit = Decimal(line.get('debit') or 0)
                credit = Decimal(line.get('credit') or 0)
                move_lines.append({
                        'account': account,
                        'kfo': line['kfo'],
                        'debit': debit,
                        'credit': credit,
                        # The cash brought in: receipt (510) or outflow (610)
                        # of the cash account, never execution of the plan
                        'kosgu': (OPENING_CASH_KOSGU[debit >= credit]
                            if account in cash_accounts else None),
                        'party': (unnamed if account in party_accounts
                            else None),
                        })
            moves.append({
                    'company': company.id,
                    'journal': journal,
                    'period': periods[(company.id, date.replace(day=1))],
                    'date': date,
                    'description': gettext(
                        'kazan_accounting.msg_opening_move_description'),
                    'lines': [('create', move_lines)],
                    })
        if moves:
            Move.post(Move.create(moves))


class SetupStart(ModelView):
    "Set up an institution"
    __name__ = 'kazan.institution.setup.start'

    name = fields.Char("Short Name", required=True)
    full_name = fields.Char("Full Name", required=True)
    inn = fields.Char("INN", required=True, size=10, strip=True)
    kpp = fields.Char("KPP", required=True, size=9, strip=True)
    ogrn = fields.Char("OGRN", required=True, size=13, strip=True)
    oktmo = fields.Char("OKTMO", required=True, size=11, strip=True)
    institution_kind = fields.Selection(
        INSTITUTION_KINDS, "Kind", required=True)
    legal_form = fields.Selection(LEGAL_FORMS, "Legal Form", required=True)
    founder = fields.Selection(FOUNDERS, "Founder", required=True)
    district = fields.Selection(DISTRICTS, "District", required=True)
    director = fields.Char("Director", required=True)
    chief_accountant = fields.Char("Accountant in Charge")
    accident_rate = fields.Numeric(
        "Accident Insurance Rate", digits=(4, 2), required=True)
    service_start_date = fields.Date("Start in the Service", required=True)
    default_kfo = fields.Selection(
        KFO, "Default KFO", required=True, sort=False)

    @classmethod
    def default_accident_rate(cls):
        return Decimal('0.2')

    @classmethod
    def default_default_kfo(cls):
        return '4'

    @classmethod
    def default_service_start_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Date.today().replace(day=1)


class Setup(Wizard):
    "Set up an institution"
    __name__ = 'kazan.institution.setup'

    start = StateView('kazan.institution.setup.start',
        'kazan_accounting.institution_setup_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Set Up", 'setup', 'tryton-ok', default=True),
            ])
    setup = StateAction('kazan_accounting.act_institution_form')

    def do_setup(self, action):
        pool = Pool()
        Company = pool.get('company.company')
        User = pool.get('res.user')
        values = {f: getattr(self.start, f)
            for f in ['name'] + PROFILE_FIELDS}
        # Charts, fiscal years and posted moves are created by the service
        # itself: the wizard's access (IT onboarding, chief accountant) is
        # the permission.
        with without_check_access():
            company, = Company.setup_institutions([values])
            user = User(Transaction().user)
            if user.id:
                values = {'companies': [('add', [company.id])]}
                if not user.company:
                    values['company'] = company.id
                User.write([user], values)
        action['res_id'] = [company.id]
        return action, {}
