# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""Small helpers shared by the models of both modules."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.account.exceptions import PeriodNotFoundError
from trytond.pool import Pool
from trytond.transaction import Transaction

# The size of a slice of ids or keys in one query: grouped_slice without a
# size takes one, a query per id
IN_MAX = 1000


def tables(*names):
    "The SQL tables of the models named, in that order, for one query"
    pool = Pool()
    return [pool.get(name).__table__() for name in names]


def rec_name_domain(domain, clause, *names):
    """The core's rec_name domain widened to the fields names (identifiers
    typed in a search box): any of them matches, none with a negation"""
    _, operator, value = clause[:3]
    bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
    return [bool_op, domain] + [(name, operator, value) for name in names]


def describe_problem(problem, inn_message=None):
    """A table.Problem as the user reads it: file:line:column, then its
    message (the module's message problem.key) in the transaction's
    language, wrapped in inn_message (a message id) when it has an INN"""
    params = {
        'file': problem.file or '', 'line': problem.line or '',
        'column': problem.column or '', 'value': problem.value or '',
        'inn': problem.inn or ''}
    params.update(problem.params)
    message = gettext('kazan_accounting.' + problem.key, **params)
    if inn_message and problem.inn and problem.column != 'inn':
        message = gettext(inn_message, inn=problem.inn, message=message)
    where = problem.where()
    return f'{where}: {message}' if where else message


def describe_problems(problems, failed_message, more_message, limit=20,
        describe=describe_problem):
    """The message of a refused file (failed_message, a message id with
    %(problems)s): its first problems, and how many more (more_message)"""
    lines = [describe(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(gettext(more_message, count=len(problems) - limit))
    return gettext(failed_message, problems='\n'.join(lines))


class DocumentMixin:
    "A document of the institution of the context, made as a draft"
    __slots__ = ()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'


class InstitutionRowsMixin:
    """The rows of a report of one institution (a table query), in its
    currency, read as the institution's company rule allows"""
    __slots__ = ()

    company = fields.Many2One(
        'company.company', "Institution", required=True, readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('company')

    def get_currency(self, name):
        return self.company.currency.id


def forget_cached(Model, ids):
    """Forget what the transaction read of the records written by SQL, as
    the ORM's write does"""
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            records = cache[Model.__name__]
            for id_ in ids:
                records.pop(id_, None)


def lock_move_sequences(company_id, dates, others=()):
    """Ask for the locks of the move numbers that posting on the dates
    takes, and of the others (strict sequences) in the same request: before
    any work, the restart of the transaction that takes them costs nothing
    (asked for by Move.post, it would redo the whole work; each request is
    a restart)"""
    pool = Pool()
    Period = pool.get('account.period')
    Sequence = pool.get('ir.sequence.strict')
    sequences = set()
    for date in dates:
        try:
            period = Period.find(company_id, date=date)
        except PeriodNotFoundError:
            continue  # nothing of that day is posted, or posting says why
        sequences.add(period.move_sequence_used)
    Sequence.lock(list(sequences | set(others)))
