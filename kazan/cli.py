"""The ``kazan`` command (interfaces.md §1).

Exit status: 0 when everything asked for was done; 1 when part of the work
failed (the failures are listed, the rest is done and committed); 2 for bad
usage, an unusable configuration, or a database ``kazan init`` has not
prepared.
"""
import argparse
import datetime as dt
import os
import pathlib
import sys

from . import config as kconfig
from . import database

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"kazan: ошибка: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"дата должна быть в виде ГГГГ-ММ-ДД: {value!r}")


def _month(value):
    from .payroll import parse_month
    try:
        return parse_month(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def _positive(value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"нужно целое число не меньше 1: {value!r}")
    return number


def _year(value):
    if not (len(value) == 4 and value.isdigit()):
        raise argparse.ArgumentTypeError(
            f"год должен быть в виде ГГГГ: {value!r}")
    return int(value)


def _formats(value):
    from .statements import FORMATS
    formats = [f.strip() for f in value.split(',') if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            "формат не поддерживается: %s (доступно: %s)" % (
                ', '.join(unknown) or value, ', '.join(FORMATS)))
    return formats


def _output_dir(path, option):
    """Refuse, before any work, a folder option (--out, --payments) that
    cannot be a folder to write in: an existing file, a path under a file,
    a folder without write permission (the folder itself is made later)"""
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise kconfig.UsageError(
            f"{option} {path}: это файл, а нужен каталог")
    folder = path.absolute()
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise kconfig.UsageError(
            f"{option} {path}: {folder} — файл, а не каталог")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise kconfig.UsageError(
            f"{option} {path}: нет прав на запись в каталог {folder}")


def _output_file(path, option):
    """Refuse, before any work, a file option (--register, --report,
    --credentials, the archive of backup) that cannot be written: a folder,
    a file in a folder that does not exist or is not writable"""
    path = pathlib.Path(path)
    if path.is_dir():
        raise kconfig.UsageError(
            f"{option} {path}: это каталог, а нужен путь к файлу")
    folder = path.absolute().parent
    if not folder.exists():
        raise kconfig.UsageError(f"{option} {path}: нет каталога {folder}")
    if not folder.is_dir():
        raise kconfig.UsageError(
            f"{option} {path}: {folder} — файл, а не каталог")
    if not os.access(folder, os.W_OK | os.X_OK) or (
            path.exists() and not os.access(path, os.W_OK)):
        raise kconfig.UsageError(
            f"{option} {path}: нет прав на запись")


def _common_options(default=None):
    "--config and --database, which every command takes"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        '--config', metavar='FILE', default=default,
        help="конфигурация trytond (по умолчанию $TRYTOND_CONFIG, "
        "иначе быстрый старт на SQLite в ./var)")
    common.add_argument(
        '--database', metavar='NAME', default=default,
        help="имя базы (по умолчанию $KAZAN_DATABASE, иначе kazan)")
    return common


def parser():
    common = _common_options()
    # A command with subcommands takes them before or after its subcommand
    # (kazan plan --database x import F): unset ones must not hide the other
    nested = _common_options(default=argparse.SUPPRESS)

    p = Parser(prog='kazan', description="Бухгалтерия учреждений Казани")
    sub = p.add_subparsers(dest='command', required=True, parser_class=Parser)

    init = sub.add_parser('init', parents=[common],
        help="создать базу и установить или обновить модули")
    init.add_argument('--admin-password-file', metavar='FILE',
        help="файл с паролем администратора (для новой базы)")
    init.add_argument('--admin-email', default='admin@localhost',
        metavar='EMAIL', help="адрес администратора (для новой базы)")

    onboard = sub.add_parser('onboard', parents=[common],
        help="подключить учреждения из пакета выгрузки")
    onboard.add_argument('batch', type=pathlib.Path, metavar='BATCH_DIR')
    onboard.add_argument('--dry-run', action='store_true',
        help="только проверить и показать, что будет сделано")
    onboard.add_argument('--report', metavar='FILE',
        help="записать отчет (JSON) по каждому учреждению")
    onboard.add_argument('--credentials', metavar='FILE',
        help="записать логины и пароли руководителей (файл доступен "
        "только владельцу)")
    onboard.add_argument('--jobs', type=_positive, default=1, metavar='N',
        help="параллельных процессов (только PostgreSQL)")

    payroll = sub.add_parser('payroll', parents=[common],
        help="рассчитать (и провести) зарплату за месяц")
    payroll.add_argument('month', type=_month, metavar='YYYY-MM')
    payroll.add_argument('--institution', nargs='+', metavar='INN',
        help="только эти учреждения")
    payroll.add_argument('--post', action='store_true',
        help="провести начисления в журнал операций №6")
    payroll.add_argument('--pay', action='store_true',
        help="провести также выплату аванса и окончательного расчета "
        "(включает --post)")
    payroll.add_argument('--register', metavar='FILE', type=pathlib.Path,
        help="записать расчетную ведомость (CSV)")
    payroll.add_argument('--payments', metavar='DIR', type=pathlib.Path,
        help="записать списки на зачисление на карты по банкам")
    payroll.add_argument('--jobs', type=_positive, default=1, metavar='N',
        help="параллельных процессов (только PostgreSQL)")

    statements = sub.add_parser('statements', parents=[common],
        help="отчетность учреждений на дату")
    statements.add_argument('date', type=_date, metavar='YYYY-MM-DD')
    statements.add_argument('--institution', nargs='+', metavar='INN',
        help="только эти учреждения")
    statements.add_argument('--founder', choices=['education', 'culture'])
    statements.add_argument('--out', required=True, type=pathlib.Path,
        metavar='DIR')
    statements.add_argument('--format', type=_formats, default=['csv'],
        metavar='csv,xlsx,ods,pdf', help="форматы через запятую")
    statements.add_argument('--user', metavar='LOGIN',
        help="от имени пользователя, с его правами (пароль из "
        "$KAZAN_PASSWORD или --password-file)")
    statements.add_argument('--password-file', metavar='FILE',
        type=pathlib.Path, help="файл с паролем пользователя --user")

    plan = sub.add_parser('plan', parents=[nested],
        help="планы финансово-хозяйственной деятельности (ПФХД)")
    plan_sub = plan.add_subparsers(dest='plan_command', required=True,
        parser_class=Parser)
    plan_import = plan_sub.add_parser('import', parents=[nested],
        help="загрузить ПФХД учреждений из файла CSV или XLSX")
    plan_import.add_argument('file', type=pathlib.Path, metavar='FILE')
    plan_import.add_argument('--year', type=_year, metavar='YYYY',
        help="год строк с пустым годом; строки другого года — ошибка")
    plan_import.add_argument('--draft', action='store_true',
        help="оставить планы черновиками (без утверждения)")

    backup = sub.add_parser('backup', parents=[common],
        help="резервная копия базы и ее файлов в один архив")
    backup.add_argument('file', type=pathlib.Path, metavar='FILE',
        help="файл архива (заменяется только готовой копией)")

    restore = sub.add_parser('restore', parents=[common],
        help="восстановить копию kazan backup в новую базу (--database)")
    restore.add_argument('file', type=pathlib.Path, metavar='FILE')

    serve = sub.add_parser('serve', parents=[common],
        help="запустить сервер Tryton для клиентов")
    serve.add_argument('--listen', default='127.0.0.1:8000',
        metavar='HOST:PORT')

    demo = sub.add_parser('demo', parents=[common],
        help="собрать демонстрационную базу и запустить сервер")
    demo.add_argument('--no-serve', action='store_true',
        help="не запускать сервер после сборки")
    demo.add_argument('--listen', default='127.0.0.1:8000',
        metavar='HOST:PORT')
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        settings = kconfig.resolve(
            getattr(args, 'config', None), getattr(args, 'database', None))
        return COMMANDS[args.command](settings, args)
    except kconfig.UsageError as e:
        print(f"kazan: {e}", file=sys.stderr)
        return EXIT_USAGE


def cmd_init(settings, args):
    """Create the database if needed, then install or upgrade the modules
    (safe to run again)"""
    password_file = None
    generate = getattr(args, 'generate_admin_password', None)
    if not database.exists(settings):
        password_file = database.admin_password_file(
            settings, args.admin_password_file, generate)
        database.create(settings)
        print(f"создана база «{settings.database}»", file=sys.stderr)
    elif not database.is_initialised(settings):
        password_file = database.admin_password_file(
            settings, args.admin_password_file, generate)
    database.run_admin(settings, password_file,
        admin_email=args.admin_email if password_file else None)
    database.run(settings, _prepare)
    print(f"база «{settings.database}» готова", file=sys.stderr)
    return EXIT_OK


def _prepare(pool):
    "Set the administrator's language to Russian"
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    russian, = Lang.search([('code', '=', database.LANGUAGE)])
    admin, = User.search([('login', '=', 'admin')])
    if admin.language != russian:
        User.write([admin], {'language': russian.id})


def cmd_statements(settings, args):
    from . import statements
    _output_dir(args.out, '--out')

    def write(pool):
        from trytond.modules.kazan_accounting import export
        try:
            return statements.run(
                pool, args.date, args.out, inns=args.institution,
                founder=args.founder, formats=args.format)
        except export.FontNotFound:
            raise kconfig.UsageError(
                "нет шрифта TrueType с кириллицей для PDF: установите "
                f"пакет {export.FONT_PACKAGE} или укажите файл .ttf в "
                f"{export.FONT_ENVIRON}")
    if args.user:
        password = _user_password(args)
        from trytond.exceptions import UserError
        try:
            companies, failures = database.run_as(
                settings, args.user, password, write, readonly=True)
        except UserError as e:
            print(f"kazan: {e.message}", file=sys.stderr)
            return EXIT_PARTIAL
    else:
        companies, failures = database.run(settings, write, readonly=True)
    for inn, reason in failures:
        label = inn if inn.startswith('founder-') else f"ИНН {inn}"
        print(f"{label}: {reason}", file=sys.stderr)
    print(f"отчетность {len(companies)} учреждений на {args.date} "
        f"записана в {args.out}", file=sys.stderr)
    return EXIT_PARTIAL if failures else EXIT_OK


def _user_password(args):
    "The password of --user: from --password-file, else $KAZAN_PASSWORD"
    if args.password_file:
        try:
            return args.password_file.read_text(encoding='utf-8').strip()
        except OSError as e:
            raise kconfig.UsageError(
                f"файл пароля не прочитан: {args.password_file}: "
                f"{e.strerror}")
    password = os.environ.get('KAZAN_PASSWORD')
    if not password:
        raise kconfig.UsageError(
            "для --user нужен пароль: --password-file или $KAZAN_PASSWORD")
    return password


def cmd_serve(settings, args):
    if not database.is_initialised(settings):
        raise kconfig.UsageError(
            f"база «{settings.database}» не подготовлена: "
            "сначала выполните kazan init")
    env = dict(os.environ, **settings.environ())
    env['TRYTOND_WEB__LISTEN'] = args.listen
    # the web client (make clients); a [web] root in the config file wins
    web_root = (pathlib.Path(__file__).resolve().parent.parent
        / 'web' / 'node_modules' / 'tryton-sao')
    if web_root.is_dir():
        env.setdefault('TRYTOND_WEB__ROOT', str(web_root))
    trytond = os.path.join(os.path.dirname(sys.executable), 'trytond')
    print(f"сервер Tryton: http://{args.listen}/ база «{settings.database}»"
        f" (JSON-RPC: /{settings.database}/rpc/); остановка: Ctrl+C",
        file=sys.stderr, flush=True)
    os.execve(trytond, [trytond, '-d', settings.database], env)


def cmd_onboard(settings, args):
    from . import onboard
    for option, path in [('--report', args.report),
            ('--credentials', args.credentials)]:
        if path:
            _output_file(path, option)
    return onboard.run(settings, args)


def cmd_payroll(settings, args):
    from . import payroll
    if args.register:
        _output_file(args.register, '--register')
    if args.payments:
        _output_dir(args.payments, '--payments')
    return payroll.run(settings, args)


def cmd_plan(settings, args):
    from . import plan
    return plan.run(settings, args)


def cmd_backup(settings, args):
    from . import backup
    try:
        summary = backup.backup(settings, args.file)
    except backup.Failed as e:
        print(f"kazan: копия не записана: {e}", file=sys.stderr)
        return EXIT_PARTIAL
    print(summary, file=sys.stderr)
    return EXIT_OK


def cmd_restore(settings, args):
    from . import backup
    try:
        summary = backup.restore(settings, args.file)
    except backup.Failed as e:
        print(f"kazan: база «{settings.database}» не восстановлена, "
            f"начатое удалено: {e}", file=sys.stderr)
        return EXIT_PARTIAL
    print(summary, file=sys.stderr)
    return EXIT_OK


def cmd_demo(settings, args):
    from . import demo
    return demo.run(settings, args)


COMMANDS = {
    'init': cmd_init,
    'onboard': cmd_onboard,
    'payroll': cmd_payroll,
    'statements': cmd_statements,
    'plan': cmd_plan,
    'backup': cmd_backup,
    'restore': cmd_restore,
    'serve': cmd_serve,
    'demo': cmd_demo,
    }

if __name__ == '__main__':
    sys.exit(main())
