"""The database of the service: create, initialise, open.

Initialising (and upgrading) is trytond-admin's job, run as a child process
with the same configuration; everything else runs in this process on the
model API, as user 0, one transaction per unit of work.
"""
import os
import pathlib
import secrets
import subprocess
import sys

from .config import UsageError, apply

MODULES = ['kazan_accounting', 'kazan_payroll']
LANGUAGE = 'ru'


def _backend(settings):
    apply(settings)
    from trytond import backend
    return backend


def sqlite_file(settings):
    "The file of a SQLite database, in the configured [database] path"
    from trytond import config
    path = pathlib.Path(config.get('database', 'path'))
    return path / f'{settings.database}.sqlite'


def exists(settings):
    "Whether the database exists (initialised or not)"
    backend = _backend(settings)
    if backend.name == 'sqlite':
        return sqlite_file(settings).exists()
    database = backend.Database()
    database.connect()
    connection = database.get_connection(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT 1 FROM pg_database WHERE datname = %s',
                (settings.database,))
            return cursor.fetchone() is not None
    finally:
        database.put_connection(connection)


def is_initialised(settings):
    "Whether the database holds the modules of the service"
    backend = _backend(settings)
    if not exists(settings):
        return False
    database = backend.Database(settings.database)
    database.connect()
    connection = database.get_connection()
    try:
        if not database.test():
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM ir_module WHERE name = 'kazan_accounting' "
                "AND state = 'activated'")
            return cursor.fetchone() is not None
    finally:
        # end the read transaction: the pool warns of a connection
        # returned in one
        connection.rollback()
        database.put_connection(connection)
        if backend.name == 'sqlite':
            # not pooled: closed, it leaves no -wal or -shm file behind
            database.close()


def create(settings):
    "Create the empty database"
    backend = _backend(settings)
    if backend.name == 'sqlite':
        path = sqlite_file(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return
    database = backend.Database()
    database.connect()
    connection = database.get_connection(autocommit=True)
    try:
        database.create(connection, settings.database)
    finally:
        database.put_connection(connection)


def _password_file(settings, given=None, generate=None):
    """The file with the admin password for a first initialisation.

    Given on the command line, it is used as is.  For the quick start (and
    the demo database) a random password is written once to
    ``var/admin-password`` (mode 0600).  A production database never gets
    a default password."""
    if given:
        if not os.path.isfile(given):
            raise UsageError(f"нет файла с паролем администратора: {given}")
        return given
    if generate is None:
        generate = settings.quickstart
    if not generate:
        raise UsageError(
            "новой базе нужен пароль администратора: "
            "укажите --admin-password-file ФАЙЛ")
    path = settings.data_dir / 'admin-password'
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(secrets.token_urlsafe(12) + '\n')
    return str(path)


def run_admin(settings, password_file=None, admin_email=None):
    """Install or upgrade the modules of the service with trytond-admin.

    A first initialisation reads the admin password from password_file and
    sets the admin e-mail (trytond-admin would ask for both)."""
    env = dict(os.environ, **settings.environ())
    if password_file:
        env['TRYTONPASSFILE'] = password_file
    command = [_trytond_admin(), '-d', settings.database,
        '--all', '-u', *MODULES, '--activate-dependencies',
        '-l', LANGUAGE]
    if admin_email:
        command += ['--email', admin_email]
    subprocess.run(command, env=env, check=True, stdin=subprocess.DEVNULL)


def _trytond_admin():
    "The trytond-admin script of this environment"
    path = os.path.join(os.path.dirname(sys.executable), 'trytond-admin')
    if not os.path.exists(path):
        raise UsageError("trytond-admin не найден рядом с " + sys.executable)
    return path


def init(settings, *, admin_password_file=None,
        admin_email='admin@localhost', generate_admin_password=None):
    """Create the database if needed, then install or upgrade the modules
    (safe to run again); return whether the database was created.

    A new database takes the admin password from admin_password_file, or
    a generated one (the quick start's default; see _password_file)
    """
    password_file = None
    created = not exists(settings)
    if created or not is_initialised(settings):
        password_file = _password_file(
            settings, admin_password_file, generate_admin_password)
    if created:
        create(settings)
    run_admin(settings, password_file,
        admin_email=admin_email if password_file else None)
    run(settings, _prefer_russian)
    run(settings, _number_documents)
    run(settings, _post_plans)
    return created


def _number_documents(pool):
    """Give the fiscal years without a numbering of documents one (those
    onboarded before the suppliers' documents)"""
    FiscalYear = pool.get('account.fiscalyear')
    FiscalYear.create_invoice_sequences(FiscalYear.search([]))


def _post_plans(pool):
    """Post the indicators of the approved plans the ledger lacks (those
    approved before the plans were posted); nothing when it has them"""
    Plan = pool.get('kazan.plan')
    Plan.post_indicators(Plan.search([('state', '=', 'approved')]))


def _prefer_russian(pool):
    "Set the administrator's language to Russian"
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    russian, = Lang.search([('code', '=', LANGUAGE)])
    admin, = User.search([('login', '=', 'admin')])
    if admin.language != russian:
        User.write([admin], {'language': russian.id})


def run(settings, func, readonly=False, context=None):
    """Call func(pool) in one transaction on the database as user 0 (the
    batch user) and return its result; commit on success, roll back on
    error (see in_transaction)."""
    apply(settings)
    if not is_initialised(settings):
        raise UsageError(
            f"база «{settings.database}» не подготовлена: "
            "сначала выполните kazan init")
    from trytond.pool import Pool
    Pool.start()
    if settings.database not in Pool.database_list():
        Pool(settings.database).init()
    ctx = {'language': LANGUAGE}
    ctx.update(context or {})
    return in_transaction(settings.database, func, readonly=readonly,
        context=ctx)


def run_as(settings, login, password, func, readonly=False):
    """Call func(pool) as the user login, with their preferences (current
    institution, institutions) in the context: what they may read is what
    the record rules give them where the code checks access.  A wrong login
    or password is a UsageError (and counts as a failed login attempt)."""
    def authenticate(pool):
        User = pool.get('res.user')
        return User.get_login(login, {'password': password})
    user_id = run(settings, authenticate)
    if not user_id:
        raise UsageError(f"неверный логин или пароль: {login}")

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(settings.database, user_id, readonly=True):
        User = Pool().get('res.user')
        context = User.get_preferences(context_only=True)
    context['language'] = LANGUAGE
    with Transaction().start(settings.database, user_id, readonly=readonly,
            context=context):
        return func(Pool())


def in_transaction(database_name, func, readonly=False, context=None):
    """Call func(pool) in one transaction as user 0, retried as Tryton asks
    (kazan_accounting's transaction.in_transaction, imported only once
    trytond is configured: the module's package loads trytond's backend)"""
    from trytond.modules.kazan_accounting.transaction import in_transaction
    return in_transaction(
        database_name, func, readonly=readonly, context=context)
