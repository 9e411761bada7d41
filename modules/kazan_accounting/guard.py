# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""One guard at the door of the server.

Every call a client makes (JSON-RPC, XML-RPC, proteus) goes through
``trytond.rpc.RPC.convert``, which turns the client's arguments and context
into the call's.  The guard runs right after it, inside the call's
transaction, as the calling user, before the method, wizard or report
sees anything.  It checks, for every user but the server itself (user 0)
and the administrators (who give users their institutions and rights):

1. the context: the institutions it names (``company``, ``companies``,
   ``employee``) are among the user's assigned institutions;
2. the records a call names: the ids a method is called on and every
   record referenced by the values it is given (``create``, ``write``,
   ``on_change``...), read as the user, so the record rules refuse another
   institution's records before any code of the method runs; the records
   an attachment or a note is given to are writable by the user *before*
   the file is stored;
3. who may run a wizard or a report, from its own definition, never from
   what the client sends (an ``action_id`` of another action is refused):
   the groups of its actions; else the groups of the menus that open it;
   else the models it is bound to (the client must then name the record
   and the core checks the user's access to it); else administrators only;
4. the data a wizard or a report is given: every record it names, as in 2.

The core checks most of this for most calls; the guard makes it hold for
all of them, the core modules' wizards included, whose transitions run
without access checks (``Wizard.execute`` is ``check_access=False``).
"""
from collections import defaultdict
from functools import wraps

from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.model import Model, ModelStorage
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.report import Report
from trytond.rpc import RPC
from trytond.transaction import Transaction, check_access
from trytond.wizard import StateView, Wizard

__all__ = ['install', 'check_call', 'check_context']

# The context keys that name institutions
_COMPANY_KEYS = ('company', 'companies')
_RELATIONS = {'many2one', 'one2one', 'one2many', 'many2many', 'reference'}


def install():
    """Put the guard behind RPC.convert, once per process.

    A patch of the core: trytond has no hook between the conversion of a
    call and its method (no upstream report found); the core's wizards run
    their transitions without access checks (see the module's docstring).
    tests/test_core_overrides.py pins RPC.convert's source."""
    if getattr(RPC.convert, '_kazan_guard', False):
        return
    convert = RPC.convert

    @wraps(convert)
    def guarded_convert(self, obj, *args, **kwargs):
        result = convert(self, obj, *args, **kwargs)
        c_args, c_kwargs, context, _ = result
        check_call(obj, self, args, kwargs, context)
        return result
    guarded_convert._kazan_guard = True
    RPC.convert = guarded_convert


def _active(pool):
    "Whether the guard's module is activated in the database of the pool"
    return hasattr(pool.get('res.user'), 'get_assigned_companies')


def _model(pool, name):
    "The model of the pool named name, or None"
    try:
        return pool.get(name)
    except KeyError:
        return None


def _refuse(message, **kwargs):
    raise AccessError(gettext(f'kazan_accounting.{message}', **kwargs))


def check_call(obj, rpc, args, kwargs, context):
    """Check a call of the method of obj behind rpc with its raw args and
    its converted context; raise AccessError when it is refused"""
    transaction = Transaction()
    if transaction.user == 0:
        return
    pool = Pool()
    if not _active(pool):
        return
    User = pool.get('res.user')
    if set(User.get_groups()) & _admin_groups():
        # the administrators give users their institutions and rights:
        # they name institutions that are not theirs, and no check of the
        # guard would hold against one (they may add any to themselves)
        return
    method = next(
        (name for name, r in obj.__rpc__.items() if r is rpc), None)
    context = {k: v for k, v in context.items() if k != '_check_access'}
    with transaction.set_context(context), check_access():
        check_context(context)
        if isinstance(obj, type) and issubclass(obj, Wizard):
            _check_wizard(obj, method, args)
        elif isinstance(obj, type) and issubclass(obj, Report):
            _check_report(obj, args)
        elif isinstance(obj, type) and issubclass(obj, Model):
            _check_model_call(obj, method, rpc, args)


def check_context(context):
    "The institutions the context names are the user's"
    pool = Pool()
    User = pool.get('res.user')
    assigned = set(User.get_assigned_companies())
    named = set()
    for key in _COMPANY_KEYS:
        value = context.get(key)
        if isinstance(value, (list, tuple)):
            named.update(value)
        elif value is not None and value is not False:
            named.add(value)
    if any(not isinstance(c, int) or c not in assigned for c in named):
        _refuse('msg_institution_not_assigned')
    employee = context.get('employee')
    if employee:
        user = User(Transaction().user)
        if employee not in {e.id for e in user.employees}:
            _refuse('msg_institution_not_assigned')


def _ids(value):
    "The ids of records in an RPC argument (an id or a list of ids)"
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    return []


def check_records(Model, ids):
    "The user may read the records of Model (record rules included)"
    ids = sorted({i for i in ids if i >= 0})
    if ids and issubclass(Model, ModelStorage):
        Model.read(ids, ['id'])


def referenced(Model, values, found=None):
    """{model name: ids} of the records that values (a dict of field
    values, as a client sends them) refer to, nested creations included"""
    pool = Pool()
    if found is None:
        found = defaultdict(set)
    if not isinstance(values, dict):
        return found
    for name, value in values.items():
        field = Model._fields.get(name)
        if field is None or field._type not in _RELATIONS or value is None:
            continue
        if field._type == 'reference':
            if isinstance(value, str) and ',' in value:
                model, id_ = value.split(',', 1)
                if _model(pool, model) and id_.lstrip('-').isdigit():
                    found[model].add(int(id_))
            elif isinstance(value, (list, tuple)) and len(value) == 2:
                model, id_ = value
                if isinstance(model, str) and isinstance(id_, int):
                    found[model].add(id_)
            continue
        Target = field.get_target()
        if field._type in {'many2one', 'one2one'}:
            found[Target.__name__].update(_ids(value))
            if isinstance(value, dict):
                referenced(Target, value, found)
            continue
        if not isinstance(value, (list, tuple)):
            continue
        found[Target.__name__].update(_ids(value))
        for action in value:
            if isinstance(action, dict):
                # a line as the client sends it to on_change
                found[Target.__name__].update(_ids(action.get('id')))
                referenced(Target, action, found)
                continue
            if not isinstance(action, (list, tuple)) or not action:
                continue
            if action[0] == 'create':
                for vals in (action[1] if len(action) > 1 else []):
                    referenced(Target, vals, found)
            elif action[0] in {'add', 'remove', 'delete', 'copy'}:
                found[Target.__name__].update(
                    _ids(action[1]) if len(action) > 1 else [])
            elif action[0] == 'write':
                # ('write', ids, values, ids, values...)
                for i in range(1, len(action), 2):
                    found[Target.__name__].update(_ids(action[i]))
                    if i + 1 < len(action):
                        referenced(Target, action[i + 1], found)
    return found


def check_values(Model, values):
    "The user may read every record values refer to"
    pool = Pool()
    for model, ids in sorted(referenced(Model, values).items()):
        check_records(pool.get(model), ids)


def _check_model_call(Model, method, rpc, args):
    "A method of a model (stored or not: a wizard's form) and its values"
    instantiated = []
    if rpc.instantiate is not None:
        if isinstance(rpc.instantiate, slice):
            instantiated = args[rpc.instantiate]
        elif len(args) > rpc.instantiate:
            instantiated = [args[rpc.instantiate]]
    values = []
    for data in instantiated:
        if isinstance(data, dict):
            values.append(data)
        else:
            check_records(Model, _ids(data))
    if method == 'create' and args and isinstance(args[0], (list, tuple)):
        values.extend(v for v in args[0] if isinstance(v, dict))
    elif method == 'write':
        values.extend(v for v in args[1::2] if isinstance(v, dict))
    for vals in values:
        check_values(Model, vals)
    if (issubclass(Model, ResourceAccessMixin)
            and method in {'create', 'write'}):
        _check_resources(Model, values)


def _check_resources(Model, values):
    """The records that attachments, notes... are given to are writable by
    the user, before anything is stored (a file in the filestore)"""
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    resources = defaultdict(set)
    for vals in values:
        resource = vals.get('resource')
        if isinstance(resource, str) and ',' in resource:
            model, id_ = resource.split(',', 1)
            resources[model].add(int(id_) if id_.lstrip('-').isdigit() else -1)
    for model, ids in resources.items():
        if not _model(pool, model):
            _refuse('msg_institution_not_assigned')
        for model_name, mode in Model._convert_check_access(model, 'create'):
            ModelAccess.check(model_name, mode=mode)
            Rule.check(model_name, [i for i in ids if i >= 0], mode=mode)


# Who may run a wizard or a report

def _admin_groups():
    ModelData = Pool().get('ir.model.data')
    return {ModelData.get_id('res', 'group_admin')}


def _policy(ActionModel, name_field, name):
    """How the actions of name (a wizard or a report) say who may run it:
    ('groups', [groups]): the user is in one of the groups of its actions;
    ('menus', [[groups, ...], ...]): one of the menus that open it is the
    user's (the user is in one group of each of the menu's levels that has
    groups); ('models', {model names}): the client runs it on a record of
    these models, with the core's checks of the user's access to it;
    ('admin', [groups]): administrators only"""
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    Keyword = pool.get('ir.action.keyword')
    # the core's, cached: what Wizard.check_access takes without action_id
    groups = ActionModel.get_groups(name)
    if groups:
        return 'groups', [groups]
    with Transaction().set_context(active_test=False), \
            Transaction().set_user(0):
        actions = ActionModel.search([(name_field, '=', name)])
        menus, models = [], {a.model for a in actions
            if getattr(a, 'model', None)}
        for keyword in Keyword.search([
                    ('action', 'in', [a.action.id for a in actions]),
                    ]):
            # a record, or 'model,-1' for every record of the model
            model = str(keyword.model or '').split(',')[0]
            if model == Menu.__name__:
                menus.append(keyword.model)
            elif model:
                models.add(model)
        paths = []
        for menu in menus:
            path = []
            while menu:
                if menu.groups:
                    path.append({g.id for g in menu.groups})
                menu = menu.parent
            paths.append(path)
        if paths:
            return 'menus', paths
        if models:
            return 'models', models
    return 'admin', [_admin_groups()]


def _label(ActionModel, name_field, name):
    "The name of the action (in the user's language) to show in a refusal"
    with Transaction().set_user(0):
        actions = ActionModel.search([(name_field, '=', name)], limit=1)
    return actions[0].name if actions else name


def _allowed(policy, active_model):
    "Whether the user may run what policy (of _policy) describes"
    pool = Pool()
    User = pool.get('res.user')
    kind, rule = policy
    groups = set(User.get_groups())
    if kind == 'models':
        return active_model in rule
    elif kind == 'menus':
        return any(all(groups & g for g in path) for path in rule)
    return all(groups & g for g in rule)


def _check_action(ActionModel, name_field, name, action_id, active_model):
    """The user may run name (a wizard or a report) by its own definition,
    and a client's action_id is one of its actions"""
    allowed = _allowed(_policy(ActionModel, name_field, name), active_model)
    if allowed and action_id is not None:
        with Transaction().set_user(0):
            allowed = isinstance(action_id, int) and bool(
                ActionModel.search([
                        (name_field, '=', name),
                        ('id', '=', action_id),
                        ], limit=1))
    if not allowed:
        _refuse('msg_action_not_allowed',
            action=_label(ActionModel, name_field, name))


def _check_wizard(Wizard_, method, args):
    pool = Pool()
    ActionWizard = pool.get('ir.action.wizard')
    context = Transaction().context
    name = Wizard_.__name__
    _check_action(ActionWizard, 'wiz_name', name, context.get('action_id'),
        context.get('active_model'))
    if method == 'execute' and len(args) > 1 and isinstance(args[1], dict):
        for state_name, values in args[1].items():
            state = Wizard_.states.get(state_name)
            if not isinstance(state, StateView) or not isinstance(
                    values, dict):
                continue
            check_values(pool.get(state.model_name), values)


def _check_report(Report_, args):
    pool = Pool()
    ActionReport = pool.get('ir.action.report')
    name = Report_.__name__
    data = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    _check_action(ActionReport, 'report_name', name, data.get('action_id'),
        data.get('model'))
    check_context(data)
    Records = _model(pool, data.get('model')) if isinstance(
        data.get('model'), str) else None
    if Records:
        check_records(Records, _ids(data.get('id')) + _ids(data.get('ids')))
