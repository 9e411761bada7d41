"""``kazan absences import`` end to end (interfaces.md §3, Absences).

One database for the file: five small institutions of the sample
generator onboarded, the March payroll of the third one posted.  Each test
works on institutions and employees of its own, so that none depends on
what another wrote; what was written is seen through the command itself
(a row imported again is counted as already there, a dry run counts what
it would add).
"""
import csv
import datetime as dt
import pathlib
import shutil
import tempfile
import unittest
from collections import defaultdict

from .commands import (
    command_env, drop_postgresql_database, own_initialised_database, run_kazan)
from .fixtures import sample_batch

HEADER = ['inn', 'personnel_number', 'kind', 'date_from', 'date_to',
    'certificate']
# Made-up numbers of certificates of incapacity for work (12 digits)
SICK = '910123456789'
CHILD = '910987654321'


def read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f, delimiter=';'))


class AbsencesCommandTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.workdir = pathlib.Path(tempfile.mkdtemp(prefix='kazan-absences-'))
        cls.env = command_env(cls.workdir)
        # what kazan init makes, copied (its own tests are test_cli's)
        cls.args, cls.database = own_initialised_database(
            cls.workdir, 'kazan_absences')
        batch = cls.workdir / 'batch'
        sample_batch.generate(batch, institutions=5, education=5, culture=0,
            seed=15, employees=(4, 4), january_starters=0)
        cls.kazan('onboard', str(batch))
        staff = defaultdict(list)
        for employee in read_csv(batch / 'employees.csv'):
            staff[employee['inn']].append(employee['personnel_number'])
        # a, b, c, d, e: each test's own institutions, with their staff
        (cls.a, cls.b, cls.c, cls.d, cls.e) = [
            (inn, numbers) for inn, numbers in staff.items()]
        cls.kazan('payroll', '2026-03', '--institution', cls.c[0], '--post')

    @classmethod
    def tearDownClass(cls):
        drop_postgresql_database(cls.database)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def kazan(cls, command, *args, check=True):
        return run_kazan([command, *args, *cls.args], cls.env, check=check,
            timeout=600)

    def write(self, name, rows, encoding='utf-8'):
        "A CSV file of absences (a header, then rows) in the work folder"
        path = self.workdir / name
        with open(path, 'w', encoding=encoding, newline='') as f:
            writer = csv.writer(f, delimiter=';')
            writer.writerow(HEADER)
            writer.writerows(rows)
        return path

    def absences(self, path, *options, status=0):
        result = self.kazan('absences', 'import', str(path), *options,
            check=False)
        self.assertEqual(result.returncode, status,
            f'{result.stdout}\n{result.stderr}')
        return result

    def test_import_then_again_changes_nothing(self):
        inn, (first, second, third, fourth) = self.a
        path = self.write('a.csv', [
                [inn, first, 'vacation', '2026-03-16', '2026-03-29', ''],
                [inn, second, 'sick', '10.03.2026', '14.03.2026', SICK],
                [inn, third, 'child_sick', '2026-03-02', '2026-03-06',
                    CHILD],
                [inn, fourth, 'unpaid', '2026-03-31', '2026-04-01', ''],
                ])
        result = self.absences(path)
        self.assertIn('учреждений 1; добавлено 4, уже были 0; учреждений '
            'с ошибками: 0', result.stdout)
        self.assertEqual(result.stderr.strip(),
            f'Загрузка отсутствий: 1/1 {inn}')

        again = self.absences(path)
        self.assertIn('добавлено 0, уже были 4', again.stdout)
        self.assertIn('повторная загрузка: ничего не изменено', again.stdout)
        # another certificate is another absence: it overlaps the first
        changed = self.write('a-changed.csv', [
                [inn, second, 'sick', '2026-03-10', '2026-03-14',
                    '910123456780']])
        result = self.absences(changed, status=1)
        self.assertIn(f'a-changed.csv:2:date_from: ИНН {inn}: '
            '«10.03.2026»: Отсутствие с 10.03.2026 по 14.03.2026 '
            'пересекается с уже внесенным отсутствием «Больничный»',
            result.stderr)

    def test_overlap_and_unknown_employee(self):
        inn, (first, second, third, _) = self.b
        recorded = self.write('b-recorded.csv', [
                [inn, first, 'vacation', '2026-04-06', '2026-04-19', '']])
        self.absences(recorded)
        path = self.write('b.csv', [
                [inn, first, 'sick', '2026-04-15', '2026-04-22', SICK],
                [inn, second, 'vacation', '2026-05-04', '2026-05-17', ''],
                [inn, second, 'unpaid', '2026-05-17', '2026-05-18', ''],
                [inn, second, 'vacation', '2026-05-04', '2026-05-17', ''],
                [inn, '999999', 'vacation', '2026-05-04', '2026-05-17', ''],
                [inn, third, 'vacation', '2026-06-01', '2026-06-14', ''],
                ])
        result = self.absences(path, status=1)
        errors = result.stderr.splitlines()
        self.assertTrue(errors[0].startswith(
                f'b.csv:2:date_from: ИНН {inn}: «15.04.2026»: Отсутствие с '
                '15.04.2026 по 22.04.2026 пересекается с уже внесенным '
                'отсутствием «Ежегодный отпуск» сотрудника '), errors[0])
        self.assertTrue(errors[0].endswith(' с 06.04.2026 по 19.04.2026.'),
            errors[0])
        self.assertEqual(errors[1:4], [
                f'b.csv:4:date_from: ИНН {inn}: «17.05.2026»: Отсутствие с '
                '17.05.2026 по 18.05.2026 пересекается с отсутствием того '
                'же сотрудника в строке 3.',
                f'b.csv:5: ИНН {inn}: Строка повторяет строку 3.',
                f'b.csv:6:personnel_number: ИНН {inn}: «999999»: В '
                'учреждении нет сотрудника с таким табельным номером.',
                ])
        self.assertIn(f'ИНН {inn}: отсутствия не загружены, ничего не '
            'записано: ошибок 4', result.stderr)
        self.assertIn('учреждений 0; добавлено 0', result.stdout)
        # all or nothing: the good row of the institution was not written
        good = self.write('b-good.csv', [
                [inn, third, 'vacation', '2026-06-01', '2026-06-14', '']])
        result = self.absences(good, '--dry-run')
        self.assertIn('будет добавлено 1, уже были 0', result.stdout)

    def test_certificates_and_institutions_all_or_nothing(self):
        b_inn, (*_, b_fourth) = self.b
        d_inn, (_, _, d_third, d_fourth) = self.d
        stranger = sample_batch.organisation_inn('1655', 99999)
        path = self.write('d.csv', [
                [b_inn, b_fourth, 'unpaid', '2026-07-01', '2026-07-02', ''],
                [d_inn, d_third, 'vacation', '2026-07-01', '2026-07-14', ''],
                [d_inn, d_fourth, 'sick', '2026-07-01', '2026-07-03', ''],
                [d_inn, d_fourth, 'child_sick', '2026-07-06', '2026-07-08',
                    '91012345678'],
                [d_inn, d_fourth, 'unpaid', '2026-07-09', '2026-07-09', SICK],
                [d_inn, d_fourth, 'vacation', '2026-07-20', '2026-07-10', ''],
                [stranger, d_fourth, 'unpaid', '2026-07-09', '2026-07-09',
                    ''],
                ])
        result = self.absences(path, status=1)
        errors = [line for line in result.stderr.splitlines()
            if not line.startswith('Загрузка отсутствий:')]  # progress
        self.assertEqual(errors[:5], [
                f'd.csv:4:certificate: ИНН {d_inn}: Для больничного нужен '
                'номер электронного листка нетрудоспособности (12 цифр).',
                f'd.csv:5:certificate: ИНН {d_inn}: «91012345678»: Неверный '
                'номер листка нетрудоспособности: нужно 12 цифр.',
                f'd.csv:6:certificate: ИНН {d_inn}: «{SICK}»: Номер листка '
                'нетрудоспособности бывает только у больничного (sick, '
                'child_sick): для вида unpaid оставьте его пустым.',
                f'd.csv:7:date_to: ИНН {d_inn}: «2026-07-10»: Отсутствие '
                'заканчивается раньше, чем начинается (20.07.2026).',
                f'd.csv:8:inn: ИНН {stranger}: Учреждение с таким ИНН не '
                'найдено (строк: 1).',
                ])
        self.assertIn(f'ИНН {d_inn}: отсутствия не загружены, ничего не '
            'записано: ошибок 4', result.stderr)
        self.assertIn('учреждений 1; добавлено 1, уже были 0; учреждений '
            'с ошибками: 2', result.stdout)
        # the other institution's row was written, none of d's
        again = self.absences(self.write('d-again.csv', [
                    [b_inn, b_fourth, 'unpaid', '2026-07-01', '2026-07-02',
                        ''],
                    [d_inn, d_third, 'vacation', '2026-07-01', '2026-07-14',
                        '']]), '--dry-run')
        self.assertIn('будет добавлено 1, уже были 1', again.stdout)

    def test_posted_month_refused(self):
        inn, (first, second, *_) = self.c
        path = self.write('c.csv', [
                [inn, first, 'vacation', '2026-03-30', '2026-04-12', ''],
                [inn, second, 'vacation', '2026-04-06', '2026-04-19', ''],
                ])
        result = self.absences(path, status=1)
        self.assertIn(f'c.csv:2:date_from: ИНН {inn}: «30.03.2026»: '
            'Зарплата учреждения за 03.2026 уже проведена: отсутствие в '
            'проведенном месяце не принимается.', result.stderr)
        april = self.write('c-april.csv', [
                [inn, first, 'vacation', '2026-04-01', '2026-04-12', ''],
                [inn, second, 'vacation', '2026-04-06', '2026-04-19', '']])
        result = self.absences(april, '--dry-run')
        self.assertIn('будет добавлено 2, уже были 0', result.stdout)

    def test_dry_run_writes_nothing(self):
        inn, (first, second, *_) = self.e
        path = self.write('e-dry.csv', [
                [inn, first, 'vacation', '2026-08-03', '2026-08-16', ''],
                [inn, second, 'sick', '2026-08-03', '2026-08-07', SICK]])
        for _ in range(2):
            result = self.absences(path, '--dry-run')
            self.assertIn('учреждений 1; будет добавлено 2, уже были 0',
                result.stdout)
            self.assertIn('проверка (--dry-run): ничего не записано',
                result.stdout)
            self.assertEqual(result.stderr, '')

    def test_cp1251_and_xlsx(self):
        import openpyxl
        inn, (*_, third, fourth) = self.e
        # Windows-1251, as a spreadsheet saves it: the value read is shown
        path = self.write('e-cp1251.csv', [
                [inn, third, 'отпуск', '2026-09-01', '2026-09-14', '']],
            encoding='cp1251')
        result = self.absences(path, status=1)
        self.assertIn(f'e-cp1251.csv:2:kind: ИНН {inn}: «отпуск»: '
            'Неизвестный вид отсутствия: допустимы vacation, sick, '
            'child_sick, unpaid.', result.stderr)

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADER)
        # dates as dates, a certificate typed as a number
        sheet.append([inn, third, 'vacation', dt.date(2026, 9, 1),
                dt.datetime(2026, 9, 14), None])
        sheet.append([inn, fourth, 'sick', '01.09.2026', '05.09.2026',
                int(SICK)])
        xlsx = self.workdir / 'e.xlsx'
        workbook.save(xlsx)
        result = self.absences(xlsx)
        self.assertIn('добавлено 2, уже были 0', result.stdout)
        same = self.write('e-same.csv', [
                [inn, third, 'vacation', '01.09.2026', '14.09.2026', ''],
                [inn, fourth, 'sick', '2026-09-01', '2026-09-05', SICK]])
        result = self.absences(same)
        self.assertIn('добавлено 0, уже были 2', result.stdout)

    def test_unusable_file(self):
        path = self.workdir / 'columns.csv'
        path.write_text('inn;personnel_number;kind;date_from;date_to;days\n',
            encoding='utf-8')
        result = self.absences(path, status=2)
        self.assertEqual(result.stderr.splitlines(), [
                'kazan: columns.csv:1:days: Неизвестный столбец «days»; '
                'допустимые столбцы: inn, personnel_number, kind, '
                'date_from, date_to, certificate.',
                f'{path}: файл не загружен, ничего не записано'])
        # a database that kazan init has not prepared
        empty = self.write('empty.csv', [])
        result = run_kazan(['absences', 'import', str(empty),
                *self.args[:2], '--database', f'{self.database}_none'],
            self.env, check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('не подготовлена: сначала выполните kazan init',
            result.stderr)
        # a file of no rows does nothing, and says so
        result = self.absences(empty)
        self.assertIn('учреждений 0; добавлено 0, уже были 0; учреждений с '
            'ошибками: 0', result.stdout)
        self.assertNotIn('повторная загрузка', result.stdout)


class SampleAbsencesTestCase(unittest.TestCase):
    "data/sample_absences.csv, without a database"

    def test_rows_valid_for_the_sample_batch(self):
        from kazan.absences import COLUMNS, OPTIONAL_COLUMNS, read_rows
        from trytond.modules.kazan_accounting import table
        repo = pathlib.Path(__file__).resolve().parent.parent
        staff = {(e['inn'], e['personnel_number']) for e in read_csv(
                repo / 'data' / 'sample_batch' / 'employees.csv')}
        rows = table.read_table(repo / 'data' / 'sample_absences.csv',
            COLUMNS, OPTIONAL_COLUMNS)
        absences = list(read_rows(rows))
        self.assertEqual(len(absences), 7)
        kinds = set()
        for absence, problems in absences:
            self.assertEqual(problems, [], absence)
            self.assertIn((absence.inn, absence.personnel_number), staff)
            self.assertGreaterEqual(absence.start, dt.date(2026, 4, 1))
            kinds.add(absence.kind)
        self.assertEqual(kinds, {'vacation', 'sick', 'child_sick', 'unpaid'})
