"""The wheel of the project, as a server would install it.

The wheel is built from a copy of the sources (no ``build/`` left in the
work tree, nothing stale from an earlier build) without build isolation
and without an index, so offline, with this environment's setuptools; the
build must not warn (setuptools' "Package would be ignored" names a module
folder missing from the packages, whose files a later setuptools drops).
Every file of ``kazan/`` and ``modules/`` must be in it.

Then the wheel goes into a new venv that reuses this environment's
dependencies without downloading them: a ``.pth`` names this
site-packages, and trytond itself is copied in, since our modules install
into its ``trytond/modules`` as on a real server.  ``kazan init`` of that
venv, run from a scratch folder, activates the modules in a new SQLite
database, and they are the wheel's files, not the work tree's.
"""
import importlib.metadata
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
# What the build reads: pyproject.toml names README.md, setup.py the rest
SOURCES = ['pyproject.toml', 'setup.py', 'README.md', 'kazan', 'modules']
MODULES = ['kazan_accounting', 'kazan_payroll']
NOT_SOURCES = shutil.ignore_patterns(
    '__pycache__', '*.pyc', '*.egg-info', 'build', 'dist')
# setuptools' warnings (BuildBackendWarning, SetuptoolsDeprecationWarning...)
# and the text of the one about a missing package
WARNING = re.compile(
    r'\w+Warning:|would be ignored|absent from the `packages`')
SETUPTOOLS = (77,)  # the SPDX license string of pyproject.toml

pytestmark = [
    pytest.mark.slow,
    # The wheel, its venv and its SQLite database are the same whatever the
    # suite's database: the SQLite pass runs this, the PostgreSQL pass
    # (CI's longest lane) need not build it again
    pytest.mark.skipif(
        os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
        reason="database-independent: run by the SQLite pass"),
    ]


def clean_env():
    "The environment without this session's database or venv settings"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND', 'KAZAN_', 'DB_', 'PYTHON',
                'VIRTUAL_ENV'))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK='1',
        PIP_ROOT_USER_ACTION='ignore', PIP_NO_INPUT='1')
    return env


def run(command, cwd, timeout):
    result = subprocess.run([str(c) for c in command], cwd=cwd,
        env=clean_env(), stdin=subprocess.DEVNULL, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-5000:]}")
    return result.stdout


def source_files(root):
    "The files of kazan/ and modules/ as the wheel names them"
    names = set()
    for top, prefix in [('kazan', 'kazan'), ('modules', 'trytond/modules')]:
        for path in (root / top).rglob('*'):
            if path.is_file():
                relative = path.relative_to(root / top).as_posix()
                names.add(f'{prefix}/{relative}')
    return names


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    "(the wheel, the build's output, the files of the sources)"
    version = importlib.metadata.version('setuptools')
    if tuple(int(p) for p in version.split('.')[:1]) < SETUPTOOLS:
        pytest.fail(f"setuptools {version} cannot build the project: "
            "pip install 'setuptools>=77' (make venv installs it)",
            pytrace=False)
    work = tmp_path_factory.mktemp('wheel')
    source = work / 'source'
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=NOT_SOURCES)
        else:
            shutil.copy2(path, source / name)
    output = run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
            '--no-build-isolation', '--no-index',
            '--wheel-dir', work / 'dist', source], cwd=work, timeout=180)
    wheel, = (work / 'dist').glob('kazan_accounting-*.whl')
    return wheel, output, source_files(source)


def test_wheel_builds_without_warnings_with_every_module_file(built):
    wheel, output, sources = built
    warnings = [line.strip() for line in output.splitlines()
        if WARNING.search(line)]
    assert warnings == [], output[-5000:]

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names
                if n.endswith('.dist-info/entry_points.txt'))).decode()
    # views, translations, the chart, the law's tables, the templates, the
    # scenarios: whatever a module folder holds, each new folder too
    assert sources - names == set()
    for module in MODULES:
        for name in ['tryton.cfg', 'locale/ru.po',
                'tests/__init__.py', 'view']:
            assert any(n.startswith(f'trytond/modules/{module}/{name}')
                for n in names), name
        assert any(re.fullmatch(
                    rf'trytond/modules/{module}/tests/scenario_\w+\.rst', n)
            for n in names), module
    for module in MODULES:
        assert f'{module} = trytond.modules.{module}' in entry_points


def test_installed_wheel_activates_its_own_modules(built, tmp_path):
    wheel, _, _ = built
    venv = tmp_path / 'venv'
    run([sys.executable, '-m', 'venv', '--without-pip', venv],
        cwd=tmp_path, timeout=60)
    python = venv / 'bin' / 'python'
    site = pathlib.Path(run([python, '-c',
                'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
            cwd=tmp_path, timeout=60).strip())
    ours = {sysconfig.get_paths()[k] for k in ['purelib', 'platlib']}
    (site / 'kazan-dependencies.pth').write_text(
        ''.join(f'{p}\n' for p in sorted(ours)), encoding='utf-8')
    import trytond
    trytond_dir = pathlib.Path(trytond.__file__).parent

    def not_ours(folder, names):
        # a non-editable install of this project would bring its modules
        if pathlib.Path(folder) == trytond_dir / 'modules':
            return [n for n in names if n.startswith('kazan_')]
        return []
    shutil.copytree(trytond_dir, site / 'trytond', ignore=not_ours)
    run([sys.executable, '-m', 'pip', '--python', python, 'install',
         '--no-deps', '--no-index', '--ignore-installed', wheel],
        cwd=tmp_path, timeout=120)
    # kazan init runs the trytond-admin beside its python, as on a server
    admin = venv / 'bin' / 'trytond-admin'
    admin.write_text(f'#!{python}\nimport sys\n'
        'from trytond.cli.admin import main\nsys.exit(main())\n',
        encoding='utf-8')
    admin.chmod(0o755)

    scratch = tmp_path / 'scratch'
    (scratch / 'db').mkdir(parents=True)
    config = scratch / 'trytond.conf'
    config.write_text(
        f'[database]\nuri = sqlite://\npath = {scratch / "db"}\n',
        encoding='utf-8')
    password = scratch / 'admin-password'
    password.write_text('Wheel-Admin-Password-2026\n', encoding='utf-8')
    output = run([venv / 'bin' / 'kazan', 'init', '--config', config,
            '--database', 'wheel', '--admin-password-file', password],
        cwd=scratch, timeout=300)
    assert 'база «wheel» готова' in output

    found = json.loads(run([python, '-c', f'''
import json, sqlite3
import kazan
import trytond.modules.kazan_accounting as accounting
import trytond.modules.kazan_payroll as payroll
with sqlite3.connect({str(scratch / "db" / "wheel.sqlite")!r}) as db:
    states = dict(db.execute(
        "SELECT name, state FROM ir_module WHERE name LIKE 'kazan%'"))
print(json.dumps({{"files": [kazan.__file__, accounting.__file__,
    payroll.__file__], "states": states}}))
'''], cwd=scratch, timeout=120).splitlines()[-1])
    for path in found['files']:
        assert pathlib.Path(path).is_relative_to(venv), path
    assert found['states'] == {m: 'activated' for m in MODULES}
