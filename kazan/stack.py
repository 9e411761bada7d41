"""The production shape on one machine: gunicorn, trytond-cron and
trytond-worker over one PostgreSQL database.

    python -m kazan.stack [--workers N] [--listen HOST:PORT]   (make production)

starts a PostgreSQL server of its own under ``var/production`` (through
``.ci/postgres.sh``), builds the demonstration database there on the first
run, then runs the three processes of the service in the foreground until
Ctrl+C, with ``config/trytond.conf``, ``config/gunicorn.conf.py`` and
``config/logging.conf``, as the systemd units of ``config/systemd`` do on a
real server.  The tests (tests/production) and the load benchmark
(bench/load.py) run the same ``Stack`` on a small database.
"""
import argparse
import contextlib
import csv
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

REPO = pathlib.Path(__file__).resolve().parent.parent
CONFIG = REPO / 'config' / 'trytond.conf'
GUNICORN_CONFIG = REPO / 'config' / 'gunicorn.conf.py'
LOGGING_CONFIG = REPO / 'config' / 'logging.conf'
POSTGRES_SH = REPO / '.ci' / 'postgres.sh'
SAMPLE_BATCH = REPO / 'data' / 'sample_batch'
# The web client (sao), installed by .ci/web-client.sh (make clients)
WEB_ROOT = REPO / 'web' / 'node_modules' / 'tryton-sao'
BIN = pathlib.Path(sys.executable).parent


@dataclass
class Login:
    login: str
    password: str
    inn: str = ''


@dataclass
class RunningStack:
    "What a client needs to know of a running server"
    url: str            # http://127.0.0.1:PORT
    database: str
    accountant: Login   # sees every institution
    directors: list     # [Login], one per institution, with .inn
    artifacts: pathlib.Path = None
    manager: object = None  # the Stack, when this process runs it
    postgres: object = None  # the Postgres, when this process runs it
    extra: dict = field(default_factory=dict)


class Postgres:
    "A PostgreSQL server of our own, through .ci/postgres.sh"

    def __init__(self, state, port=5433):
        self.state = pathlib.Path(state)
        self.env = dict(os.environ, KAZAN_PG_STATE=str(self.state),
            KAZAN_PG_PORT=str(port))

    def _sh(self, *args, capture=False):
        return subprocess.run(['bash', str(POSTGRES_SH), *args],
            env=self.env, check=True, text=True,
            stdout=subprocess.PIPE if capture else None,
            stdin=subprocess.DEVNULL).stdout

    def start(self):
        self._sh('start')
        return self

    def stop(self):
        self._sh('stop')

    def status(self):
        return subprocess.run(['bash', str(POSTGRES_SH), 'status'],
            env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0

    @property
    def uri(self):
        return self._sh('uri', capture=True).strip()

    def settings(self):
        "PG_ROOT, PG_PORT, PG_BINDIR of the running server"
        values = {}
        for line in self.state.read_text().splitlines():
            key, _, value = line.partition('=')
            values[key] = value
        return values

    def pg_ctl(self, *args):
        "pg_ctl on the server's data, as its OS user"
        s = self.settings()
        command = [f"{s['PG_BINDIR']}/pg_ctl", '-D', f"{s['PG_ROOT']}/data",
            '-l', f"{s['PG_ROOT']}/server.log", *args]
        if os.getuid() == 0:
            command = ['runuser', '-u', 'postgres', '--', *command]
        subprocess.run(command, check=True, cwd='/',
            stdout=subprocess.DEVNULL)

    def psql(self, sql, database='postgres'):
        s = self.settings()
        return subprocess.run([f"{s['PG_BINDIR']}/psql", '-X', '-q', '-A',
                '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1',
                '-p', s['PG_PORT'], '-U', 'postgres', '-d', database,
                '-c', sql], check=True, text=True,
            stdout=subprocess.PIPE).stdout.strip()


def write_config(path, overrides):
    """config/trytond.conf with some options replaced (the database URI,
    the filestore...), written to path.  trytond reads its file after the
    TRYTOND_<SECTION>__<OPTION> variables, so an option the file sets can
    only be changed by another file."""
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONFIG, encoding='utf-8')
    for (section, option), value in overrides.items():
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, option, value)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(f"# Generated from {CONFIG} by kazan/stack.py: "
            "edit that file, not this one\n")
        parser.write(f)
    return path


class Stack:
    """The three processes of the service: the WSGI application under
    gunicorn (several workers), trytond-cron and trytond-worker"""

    def __init__(self, database, config, logdir, listen='127.0.0.1:8000',
            workers=3, environ=None, logging_config=LOGGING_CONFIG):
        self.database = database
        self.config = str(config)
        self.listen = listen
        self.logdir = pathlib.Path(logdir)
        self.env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_') and k not in {'DB_NAME',
                'DB_CACHE'}}
        self.env.update(environ or {})
        self.env.update({
                'TRYTOND_CONFIG': self.config,
                'TRYTOND_DATABASE_NAMES': database,
                'KAZAN_LOGGING_CONFIG': str(logging_config),
                'KAZAN_LISTEN': listen,
                'KAZAN_WORKERS': str(workers),
                })
        self.processes = {}
        self.restarts = {}
        self._supervisor = None
        self._stopping = threading.Event()

    @property
    def url(self):
        return f'http://{self.listen}'

    def commands(self):
        conf = ['-c', self.config,
            '--logconf', self.env['KAZAN_LOGGING_CONFIG']]
        return {
            'web': [str(BIN / 'gunicorn'), '-c', str(GUNICORN_CONFIG)],
            'cron': [str(BIN / 'trytond-cron'), *conf, '-d', self.database],
            # trytond-worker that exits when PostgreSQL goes away
            'worker': [sys.executable, '-m', 'kazan.worker', *conf,
                '-d', self.database],
            }

    def start(self, timeout=180):
        self.logdir.mkdir(parents=True, exist_ok=True)
        try:
            for name, command in self.commands().items():
                self.spawn(name, command)
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self.supervise,
            daemon=True)
        self._supervisor.start()
        return self

    # What systemd's Restart=always does for the units of config/systemd
    SUPERVISED = ['cron', 'worker']

    def supervise(self):
        "Start again the cron or the queue worker when it ends"
        commands = self.commands()
        while not self._stopping.wait(0.5):
            for name in self.SUPERVISED:
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    self.spawn(name, commands[name])

    def spawn(self, name, command):
        log = open(self.logdir / f'{name}.log', 'ab')
        self.processes[name] = subprocess.Popen(command, env=self.env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()

    def log(self, name):
        return (self.logdir / f'{name}.log').read_text(errors='replace')

    def wait_ready(self, timeout=180):
        "Until the web workers answer (the pool is loaded)"
        deadline = time.monotonic() + timeout
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with "
                        f"{process.returncode}:\n" + self.log(name)[-3000:])
            if ping(self.url):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer in "
                    f"{timeout} s:\n" + self.log('web')[-3000:])
            time.sleep(0.3)

    def worker_pids(self):
        "The pids of gunicorn's workers (the master's children)"
        master = self.processes['web'].pid
        path = pathlib.Path(f'/proc/{master}/task/{master}/children')
        return [int(p) for p in path.read_text().split()]

    def wait_workers(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn has not {count} workers")
            time.sleep(0.2)

    def config_int(self, section, option):
        import configparser
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(self.config, encoding='utf-8')
        return parser.getint(section, option)

    def run_in_database(self, code):
        """Run code in a transaction on the database, in a process of its
        own with the service's configuration (code sees `pool`)"""
        program = ("import sys\n"
            "from kazan import config, database\n"
            "settings = config.resolve()\n"
            "def func(pool):\n"
            + ''.join(f'    {line}\n' for line in code.splitlines())
            + "database.run(settings, func)\n")
        env = dict(self.env, KAZAN_DATABASE=self.database)
        subprocess.run([sys.executable, '-c', program], env=env, check=True,
            stdin=subprocess.DEVNULL, cwd=REPO)

    def stop(self):
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join()
            self._supervisor = None
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def ping(url):
    "Whether the server answers a JSON-RPC call that needs no database"
    body = json.dumps({'id': 0, 'method': 'common.server.version',
            'params': []}).encode()
    request = urllib.request.Request(url + '/rpc/', data=body,
        headers={'Content-Type': 'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 'result' in json.loads(response.read())
    except (OSError, ValueError):
        return False


def kazan(args, env, **kwargs):
    "Run the kazan command of this environment"
    return subprocess.run([str(BIN / 'kazan'), *args], env=env, check=True,
        stdin=subprocess.DEVNULL, **kwargs)


def small_batch(directory, count):
    "The first count institutions of the sample batch, as a batch folder"
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    inns = None
    for table in ['institutions', 'opening_balances', 'employees']:
        source = SAMPLE_BATCH / f'{table}.csv'
        with open(source, encoding='utf-8-sig', newline='') as f:
            sample = f.read(4096)
            f.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=';,')
            reader = csv.DictReader(f, dialect=dialect)
            rows = list(reader)
            fields = reader.fieldnames
        if inns is None:
            inns = {row['inn'] for row in rows[:count]}
        with open(directory / f'{table}.csv', 'w', encoding='utf-8',
                newline='') as f:
            writer = csv.DictWriter(f, fields, delimiter=';')
            writer.writeheader()
            writer.writerows(r for r in rows if r['inn'] in inns)
    return directory


def build_database(database, config, workdir, institutions=None):
    """kazan init with an admin password from a file, the institutions of
    the sample batch (all, or the first ones), an accountant of every
    institution; return (accountant Login, [director Login])"""
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    accountant = workdir / 'accountant.csv'
    directors = workdir / 'directors.csv'
    if accountant.exists() and directors.exists():
        return read_logins(accountant, directors)
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {'DB_NAME', 'DB_CACHE'}}
    env.update(KAZAN_DATA_DIR=str(workdir), TRYTOND_CONFIG=str(config),
        KAZAN_DATABASE=database)
    password_file = workdir / 'admin-password'
    if not password_file.exists():
        import secrets
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
            0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(secrets.token_urlsafe(16) + '\n')
    kazan(['init', '--admin-password-file', str(password_file)], env)
    batch = SAMPLE_BATCH if institutions is None else small_batch(
        workdir / 'batch', institutions)
    directors.unlink(missing_ok=True)
    kazan(['onboard', str(batch), '--credentials', str(directors)], env)
    kazan_python(
            "from kazan import config, database, demo\n"
            "settings = config.resolve()\n"
            "credentials = database.run(settings, demo.create_accountant)\n"
            f"open({str(accountant)!r}, 'w').write("
        "'%s;%s' % credentials[0][:2])\n", env)
    return read_logins(accountant, directors)


def read_logins(accountant, directors):
    login, password = accountant.read_text().strip().split(';')
    with open(directors, encoding='utf-8') as f:
        director_logins = [Login(r['login'], r['password'], r['inn'])
            for r in csv.DictReader(f, delimiter=';')]
    return Login(login, password), director_logins


def kazan_python(code, env):
    subprocess.run([sys.executable, '-c', code], env=env, check=True,
        stdin=subprocess.DEVNULL)


@contextlib.contextmanager
def small_stack(workdir, port=8600, pg_port=5600, workers=3, institutions=3,
        database='kazan_stack', config_overrides=None, **stack_options):
    """A running production shape on a small database, on a PostgreSQL
    server of its own (the fault tests restart it and fill its disk).
    config_overrides: {(section, option): value} over config/trytond.conf;
    stack_options go to Stack (environ, logging_config)"""
    workdir = pathlib.Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    postgres = Postgres(workdir / 'postgres.env', pg_port).start()
    try:
        config = write_config(workdir / 'trytond.conf', {
                ('database', 'uri'): postgres.uri,
                ('database', 'path'): str(workdir / 'filestore'),
                ('web', 'root'): str(WEB_ROOT),
                **(config_overrides or {}),
                })
        accountant, directors = build_database(database, config,
            workdir / 'data', institutions)
        stack = Stack(database, config, workdir / 'log',
            listen=f'127.0.0.1:{port}', workers=workers, **stack_options)
        with stack:
            stack.wait_workers(workers)
            yield RunningStack(url=stack.url, database=database,
                accountant=accountant, directors=directors,
                manager=stack, postgres=postgres, extra={
                    'admin_password': (workdir / 'data' / 'admin-password'
                        ).read_text().strip(),
                    'dsn': postgres.uri + database,
                    })
    finally:
        postgres.stop()


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m kazan.stack',
        description="Сервис целиком на одной машине: PostgreSQL, "
        "gunicorn, trytond-cron, trytond-worker")
    p.add_argument('--listen', default='127.0.0.1:8000')
    p.add_argument('--workers', type=int, default=None)
    p.add_argument('--database', default='kazan')
    p.add_argument('--dir', type=pathlib.Path,
        default=REPO / 'var' / 'production')
    p.add_argument('--pg-port', type=int, default=5433)
    args = p.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    postgres = Postgres(args.dir / 'postgres.env', args.pg_port).start()
    config = write_config(args.dir / 'trytond.conf', {
            ('database', 'uri'): postgres.uri,
            ('database', 'path'): str(args.dir / 'filestore'),
            ('web', 'root'): str(WEB_ROOT),
            })
    data = args.dir / 'data'
    if not (data / 'accountant.csv').exists():
        print("сборка базы: модули, 42 учреждения примера, бухгалтер ЦБ",
            file=sys.stderr, flush=True)
    accountant, directors = build_database(args.database, config, data)
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    stack = Stack(args.database, config, args.dir / 'log',
        listen=args.listen, workers=workers)
    stack.start()
    print(f"сервис: http://{args.listen}/ (база «{args.database}», "
        f"{workers} процессов gunicorn, trytond-cron, trytond-worker)\n"
        f"  журналы: {args.dir / 'log'}\n"
        f"  администратор: пароль в {data / 'admin-password'}\n"
        f"  бухгалтер ЦБ: {accountant.login}, пароль в "
        f"{data / 'accountant.csv'}\n"
        f"  руководители ({len(directors)}): пароли в "
        f"{data / 'directors.csv'}\n"
        "остановка: Ctrl+C (PostgreSQL остается: "
        f"KAZAN_PG_STATE={args.dir / 'postgres.env'} "
        "bash .ci/postgres.sh stop)", file=sys.stderr, flush=True)
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        print("процесс сервиса завершился: см. журналы", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # a second Ctrl+C must not leave the processes behind
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()


if __name__ == '__main__':
    sys.exit(main())
