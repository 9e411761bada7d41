"""The ``kazan`` command (interfaces.md §1).

This module alone parses the arguments, prints the summaries and chooses
the exit status.  The work is the services' (``database.init``,
``onboard.run_batch``, ``payroll.run_month``, ``plan.import_file``,
``documents.import_file``,
``absences.import_file``, ``statements.write``, ``backup``,
``demo.build``): typed functions that
return what they did and raise ``UsageError`` for bad usage.

Exit status: 0 when everything asked for was done; 1 when part of the work
failed (the failures are listed, the rest is done and committed); 2 for bad
usage, an unusable configuration, or a database ``kazan init`` has not
prepared.
"""
import argparse
import datetime as dt
import os
import pathlib
import shutil
import sys
from decimal import Decimal

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


def _quarter(value):
    from .tax_reports import parse_quarter
    try:
        return parse_quarter(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


def _tax_formats(value):
    from .tax_reports import parse_formats
    try:
        return parse_formats(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e))


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

    # options of several commands
    jobs = argparse.ArgumentParser(add_help=False)
    jobs.add_argument('--jobs', type=_positive, default=1, metavar='N',
        help="параллельных процессов (только PostgreSQL)")
    institutions = argparse.ArgumentParser(add_help=False)
    institutions.add_argument('--institution', nargs='+', metavar='INN',
        help="только эти учреждения")

    onboard = sub.add_parser('onboard', parents=[common, jobs],
        help="подключить учреждения из пакета выгрузки")
    onboard.add_argument('batch', type=pathlib.Path, metavar='BATCH_DIR')
    onboard.add_argument('--dry-run', action='store_true',
        help="только проверить и показать, что будет сделано")
    onboard.add_argument('--report', metavar='FILE',
        help="записать отчет (JSON) по каждому учреждению")
    onboard.add_argument('--credentials', metavar='FILE',
        help="записать логины и пароли руководителей (файл доступен "
        "только владельцу)")

    payroll = sub.add_parser('payroll', parents=[common, institutions, jobs],
        help="рассчитать (и провести) зарплату за месяц")
    payroll.add_argument('month', type=_month, metavar='YYYY-MM')
    payroll.add_argument('--post', action='store_true',
        help="провести начисления в журнал операций №6")
    payroll.add_argument('--pay', action='store_true',
        help="провести также выплату аванса и окончательного расчета "
        "(включает --post)")
    payroll.add_argument('--register', metavar='FILE', type=pathlib.Path,
        help="записать расчетную ведомость (CSV)")
    payroll.add_argument('--payments', metavar='DIR', type=pathlib.Path,
        help="записать списки на зачисление на карты по банкам")

    statements = sub.add_parser('statements',
        parents=[common, institutions], help="отчетность учреждений на дату")
    statements.add_argument('date', type=_date, metavar='YYYY-MM-DD')
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

    # kazan tax-reports (issue 15): 6-НДФЛ and РСВ for a quarter
    tax_reports = sub.add_parser('tax-reports',
        parents=[common, institutions],
        help="6-НДФЛ и РСВ учреждений за отчетный период")
    tax_reports.add_argument('quarter', type=_quarter, metavar='YYYY-Qn',
        help="последний квартал периода (нарастающим итогом с января)")
    tax_reports.add_argument('--out', required=True, type=pathlib.Path,
        metavar='DIR')
    tax_reports.add_argument('--format', type=_tax_formats,
        default=['xlsx'], metavar='xlsx,pdf,xml',
        help="форматы через запятую (также ods)")
    tax_reports.add_argument('--user', metavar='LOGIN',
        help="от имени пользователя, с его правами (пароль из "
        "$KAZAN_PASSWORD или --password-file)")
    tax_reports.add_argument('--password-file', metavar='FILE',
        type=pathlib.Path, help="файл с паролем пользователя --user")
    tax_reports.add_argument('--notices', action='store_true',
        help="также уведомления об исчисленных суммах за месяцы квартала")

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

    documents = sub.add_parser('documents', parents=[nested],
        help="документы поставщиков (акты, счета, накладные, УПД)")
    documents_sub = documents.add_subparsers(dest='documents_command',
        required=True, parser_class=Parser)
    documents_import = documents_sub.add_parser('import',
        parents=[nested, jobs],
        help="загрузить документы поставщиков и их договоры из файла CSV "
        "или XLSX и провести их")
    documents_import.add_argument('file', type=pathlib.Path,
        metavar='FILE')

    absences = sub.add_parser('absences', parents=[nested],
        help="отпуска, больничные и отпуска без сохранения заработной платы")
    absences_sub = absences.add_subparsers(dest='absences_command',
        required=True, parser_class=Parser)
    absences_import = absences_sub.add_parser('import', parents=[nested],
        help="загрузить отсутствия сотрудников из файла CSV или XLSX")
    absences_import.add_argument('file', type=pathlib.Path, metavar='FILE')
    absences_import.add_argument('--dry-run', action='store_true',
        help="только проверить и показать, что будет сделано")

    bank = sub.add_parser('bank', parents=[nested],
        help="выписки банка и казначейства")
    bank_sub = bank.add_subparsers(dest='bank_command', required=True,
        parser_class=Parser)
    bank_import = bank_sub.add_parser('import', parents=[nested, jobs],
        help="загрузить выписки (1CClientBankExchange или CSV): "
        "сопоставить, провести по правилам, остальное оставить бухгалтеру")
    bank_import.add_argument('files', type=pathlib.Path, metavar='FILE',
        nargs='+')
    bank_import.add_argument('--dry-run', action='store_true',
        help="все проверить и сопоставить, ничего не записать")
    bank_import.add_argument('--report', type=pathlib.Path, metavar='FILE',
        help="отчет JSON: по строке на каждый документ выписок")

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
    demo.add_argument('--batch', type=pathlib.Path, metavar='DIR',
        help="пакет примера (по умолчанию data/sample_batch рабочей копии)")
    demo.add_argument('--plans', type=pathlib.Path, metavar='FILE',
        help="ПФХД примера (по умолчанию data/sample_plans.csv рабочей "
        "копии)")
    demo.add_argument('--jobs', type=_positive, default=os.cpu_count() or 1,
        metavar='N', help="параллельных процессов на PostgreSQL (по "
        "умолчанию по числу процессоров)")
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
    created = database.init(settings,
        admin_password_file=args.admin_password_file,
        admin_email=args.admin_email)
    _print_init(settings, created)
    return EXIT_OK


def _print_init(settings, created):
    if created:
        print(f"создана база «{settings.database}»", file=sys.stderr)
    print(f"база «{settings.database}» готова", file=sys.stderr)


def cmd_statements(settings, args):
    from . import statements
    _output_dir(args.out, '--out')
    result = statements.write(settings, args.date, args.out,
        institutions=args.institution, founder=args.founder,
        formats=args.format, user=args.user,
        password=_user_password(args) if args.user else None)
    if result.refused:
        print(f"kazan: {result.refused}", file=sys.stderr)
        return EXIT_PARTIAL
    for inn, reason in result.failures:
        label = inn if inn.startswith('founder-') else f"ИНН {inn}"
        print(f"{label}: {reason}", file=sys.stderr)
    print(f"отчетность {len(result.written)} учреждений на {args.date} "
        f"записана в {args.out}", file=sys.stderr)
    return EXIT_PARTIAL if result.failures else EXIT_OK


def cmd_tax_reports(settings, args):
    from . import tax_reports
    _output_dir(args.out, '--out')
    year, quarter = args.quarter
    result = tax_reports.write(settings, year, quarter, args.out,
        institutions=args.institution, formats=args.format, user=args.user,
        password=_user_password(args) if args.user else None,
        notices=args.notices)
    if result.refused:
        print(f"kazan: {result.refused}", file=sys.stderr)
        return EXIT_PARTIAL
    for inn, reason in result.failures:
        print(f"ИНН {inn}: {reason}", file=sys.stderr)
    for inn, text in result.differences:
        print(f"ИНН {inn}: расхождение с учетом: {text}", file=sys.stderr)
    print(f"6-НДФЛ и РСВ {len(result.written)} учреждений за {year}-Q"
        f"{quarter} записаны в {args.out}", file=sys.stderr)
    return EXIT_PARTIAL if result.failures else EXIT_OK


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
    _serve(settings, args.listen)


def _serve(settings, listen):
    "Replace this process with the Tryton server of the database"
    if not database.is_initialised(settings):
        raise kconfig.UsageError(
            f"база «{settings.database}» не подготовлена: "
            "сначала выполните kazan init")
    env = dict(os.environ, **settings.environ())
    env['TRYTOND_WEB__LISTEN'] = listen
    # the web client (make clients); a [web] root in the config file wins
    web_root = (pathlib.Path(__file__).resolve().parent.parent
        / 'web' / 'node_modules' / 'tryton-sao')
    if web_root.is_dir():
        env.setdefault('TRYTOND_WEB__ROOT', str(web_root))
    trytond = os.path.join(os.path.dirname(sys.executable), 'trytond')
    print(f"сервер Tryton: http://{listen}/ база «{settings.database}»"
        f" (JSON-RPC: /{settings.database}/rpc/); остановка: Ctrl+C",
        file=sys.stderr, flush=True)
    os.execve(trytond, [trytond, '-d', settings.database], env)


def cmd_onboard(settings, args):
    from . import onboard
    for option, path in [('--report', args.report),
            ('--credentials', args.credentials)]:
        if path:
            _output_file(path, option)
    result = onboard.run_batch(settings, args.batch, dry_run=args.dry_run,
        jobs=args.jobs, report=args.report, credentials=args.credentials)
    _print_onboard(result)
    return EXIT_OK if result.ok else EXIT_PARTIAL


def _print_onboard(result, out=sys.stdout, err=sys.stderr):
    from .onboard import format_problem
    if result.stopped:
        problem = result.stopped
        print(f"{problem.where() or result.batch}: {problem.message}",
            file=err)
        print("пакет не загружен: ничего не записано", file=err)
        return
    for problem in result.problems:
        print(format_problem(problem), file=err)
    if result.dry_run:
        for institution in result.ready:
            print(f"будет подключено: {institution.inn} {institution.name}:"
                f" сотрудников {len(institution.staff)}, строк входящих "
                f"остатков {len(institution.opening_balance)}, "
                f"руководитель {institution.director['login']}", file=out)
    if result.single_process:
        print("SQLite: подключение в одном процессе (--jobs действует "
            "только с PostgreSQL)", file=err)
    for institution in result.failed:
        error = institution.problems[-1].message
        print(f"ИНН {institution.inn}: не подключено: {error}", file=err)
    for institution in result.existing:
        print(f"уже подключено, без изменений: {institution.inn} "
            f"{institution.name}", file=out)
    print(f"учреждений в пакете: {len(result.plan.institutions)}; "
        + (f"будет подключено: {len(result.ready)}; " if result.dry_run
            else f"подключено: {len(result.onboarded)}; ")
        + f"уже были: {len(result.existing)}; "
        f"с ошибками: {len(result.invalid)}"
        + (f"; сбой при записи: {len(result.failed)}" if result.failed
            else ''), file=out)
    if result.unchanged:
        print("повторный запуск: ничего не изменено", file=out)


def cmd_payroll(settings, args):
    from . import payroll
    if args.register:
        _output_file(args.register, '--register')
    if args.payments:
        _output_dir(args.payments, '--payments')
    result = payroll.run_month(settings, args.month,
        institutions=args.institution, post=args.post, pay=args.pay,
        register=args.register, payments=args.payments, jobs=args.jobs)
    _print_payroll(result)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def _print_payroll(result, err=sys.stderr):
    month = result.month
    for inn in result.missing:
        print(f"ИНН {inn}: учреждение с таким ИНН не найдено", file=err)
    if result.later:
        print(f"не обслуживаются в {month:%m.%Y} (подключены позже): "
            f"{len(result.later)} учреждений", file=err)
    if result.single_process:
        print("SQLite: расчет в одном процессе (--jobs действует только с "
            "PostgreSQL)", file=err)
    for outcome in result.outcomes:
        if outcome.error:
            print(f"ИНН {outcome.inn}: зарплата не рассчитана: "
                f"{outcome.error}", file=err)
    if result.register:
        print(f"реестр: {result.register_rows} строк в {result.register}",
            file=err)
    if result.payments:
        print(f"списки на зачисление: {result.card_files} файлов в "
            f"{result.payments}", file=err)
    done = result.done
    employees = sum(o.employees for o in done)
    gross = sum((o.gross for o in done), Decimal(0))
    print(f"зарплата за {month:%m.%Y}: {len(done)} учреждений, "
        f"{employees} сотрудников, начислено {gross:.2f} ₽; "
        f"с ошибками: {result.failed}", file=err)


def cmd_plan(settings, args):
    from . import plan
    result = plan.import_file(settings, args.file, year=args.year,
        draft=args.draft)
    _print_plan(result)
    return EXIT_PARTIAL if result.problems or result.failures else EXIT_OK


def _print_plan(result, out=sys.stdout, err=sys.stderr):
    if result.problems:
        for message in result.problems:
            print(message, file=err)
        print(f"ПФХД не загружены: ошибок {len(result.problems)}, ничего "
            "не записано", file=err)
        return
    for inn, message in result.failures:
        print(f"ИНН {inn}: ПФХД не загружен: {message}", file=err)
    counts = result.counts
    print(f"ПФХД из {result.file.name}: учреждений {result.institutions}; "
        f"планов создано {counts['created']}, изменено {counts['updated']}"
        f", без изменений {counts['unchanged']}; с ошибками: "
        f"{len(result.failures)}", file=out)
    if result.unchanged:
        print("повторная загрузка: ничего не изменено", file=out)


def cmd_documents(settings, args):
    from . import documents
    result = documents.import_file(settings, args.file, jobs=args.jobs)
    _print_documents(result)
    return EXIT_PARTIAL if result.problems or result.failures else EXIT_OK


def _print_documents(result, out=sys.stdout, err=sys.stderr):
    if result.problems:
        for message in result.problems:
            print(message, file=err)
        print(f"документы не загружены: ошибок {len(result.problems)}, "
            "ничего не записано", file=err)
        return
    for inn, message in result.failures:
        print(f"ИНН {inn}: документы не загружены, ничего не записано: "
            f"{message}", file=err)
    counts = result.counts
    print(f"документы поставщиков из {result.file.name}: учреждений "
        f"{result.institutions}; проведено {counts['posted']}, уже были "
        f"{counts['duplicate']}; договоров зарегистрировано "
        f"{counts['contracts']}; учреждений с ошибками: "
        f"{len(result.failures)}", file=out)
    if result.unchanged:
        print("повторная загрузка: ничего не изменено", file=out)


def cmd_absences(settings, args):
    from . import absences
    result = absences.import_file(settings, args.file, dry_run=args.dry_run)
    _print_absences(result)
    return EXIT_OK if result.ok else EXIT_PARTIAL


def _print_absences(result, out=sys.stdout, err=sys.stderr):
    from .onboard import format_problem
    for problem in result.all_problems():
        print(format_problem(problem), file=err)
    for institution in result.failed:
        reason = institution.failure or (
            f"ошибок {len(institution.problems)}")
        print(f"ИНН {institution.inn}: отсутствия не загружены, ничего не "
            f"записано: {reason}", file=err)
    done = [i for i in result.institutions if i.ok]
    print(f"отсутствия из {result.file.name}: учреждений {len(done)}; "
        + ("будет добавлено" if result.dry_run else "добавлено")
        + f" {result.created}, уже были {result.unchanged}; учреждений с "
        f"ошибками: {len(result.failed)}"
        + (f"; строк без учреждения: {len(result.problems)}"
            if result.problems else ''), file=out)
    if result.dry_run:
        print("проверка (--dry-run): ничего не записано", file=out)
    elif result.ok and result.unchanged and not result.created:
        print("повторная загрузка: ничего не изменено", file=out)


def cmd_bank(settings, args):
    from . import bank
    if args.report:
        _output_file(args.report, '--report')
    result = bank.import_files(settings, args.files, dry_run=args.dry_run,
        jobs=args.jobs)
    if args.report:
        bank.write_report(result, args.report)
    _print_bank(result)
    return EXIT_OK if result.ok else EXIT_PARTIAL


def _print_bank(result, out=sys.stdout, err=sys.stderr):
    from .bank import format_problem
    for problem in result.problems:
        print(format_problem(problem), file=err)
    for inn, reason in sorted(result.failures.items()):
        print(f"ИНН {inn}: выписки не загружены, ничего не записано: "
            f"{reason}", file=err)
    print(f"документов выписок: {len(result.lines)}; сопоставлено "
        f"{result.count('reconciled')}, проведено по правилам "
        f"{result.count('posted')}, оставлено бухгалтеру "
        f"{result.count('open')}, уже загружено {result.count('duplicate')}, "
        f"отклонено {result.count('refused')}", file=out)
    if result.dry_run:
        print("проверка (--dry-run): ничего не записано", file=out)


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
    """Build the demonstration database, show what was done, serve it"""
    from . import demo
    built = demo.build(settings, batch=args.batch, plans=args.plans,
        jobs=args.jobs)
    if built.recreated:
        print(f"пересоздаю демонстрационную базу «{settings.database}»",
            file=sys.stderr)
    _print_init(settings, built.created)
    if built.onboarding:
        _print_onboard(built.onboarding)
    if built.plans:
        _print_plan(built.plans)
    for result in built.payroll:
        _print_payroll(result)
    if built.documents:
        _print_documents(built.documents)
    if built.bank:
        _print_bank(built.bank)
    if built.failure:
        print(f"kazan: {built.failure}", file=sys.stderr)
        return EXIT_USAGE
    width = shutil.get_terminal_size((120, 20)).columns
    for balance in built.trial_balances:
        for line in demo.format_trial_balance(balance, width):
            print(line)
    for line in demo.format_logins(settings, built):
        print(line)
    sys.stdout.flush()
    if args.no_serve:
        return EXIT_OK
    _serve(settings, args.listen)


COMMANDS = {
    'init': cmd_init,
    'onboard': cmd_onboard,
    'payroll': cmd_payroll,
    'statements': cmd_statements,
    'tax-reports': cmd_tax_reports,
    'plan': cmd_plan,
    'documents': cmd_documents,
    'absences': cmd_absences,
    'bank': cmd_bank,
    'backup': cmd_backup,
    'restore': cmd_restore,
    'serve': cmd_serve,
    'demo': cmd_demo,
    }

if __name__ == '__main__':
    sys.exit(main())
