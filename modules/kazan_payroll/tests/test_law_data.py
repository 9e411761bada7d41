# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Checks of the law and calendar data (no database).

law_data.xml and calendar_data.xml are generated from law/*.csv and
calendar/*.csv by law/build_law.py; these tests read both the CSV files and
the committed XML.
"""
import datetime as dt
import importlib.util
import os
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAW_DIR = os.path.join(MODULE_DIR, 'law')
CALENDAR_DIR = os.path.join(MODULE_DIR, 'calendar')
LAW_XML = os.path.join(MODULE_DIR, 'law_data.xml')
CALENDAR_XML = os.path.join(MODULE_DIR, 'calendar_data.xml')


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        'kazan_build_law', os.path.join(LAW_DIR, 'build_law.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_law = _load_builder()
rules = build_law.rules


def _records(path):
    "(model, id, {field: (text, ref, eval)}) in file order"
    result = []
    for record in ET.parse(path).getroot().iter('record'):
        fields = {f.get('name'): (f.text, f.get('ref'), f.get('eval'))
            for f in record.findall('field')}
        result.append((record.get('model'), record.get('id'), fields))
    return result


def _eval(value):
    return eval(value, {'Decimal': Decimal, 'datetime': dt})


@pytest.mark.parametrize('path,build', [
        (LAW_XML, lambda: build_law.build_law_xml(LAW_DIR)),
        (CALENDAR_XML, lambda: build_law.build_calendar_xml(CALENDAR_DIR)),
        ])
def test_xml_is_generated_from_csv(path, build):
    with open(path, encoding='utf-8') as file:
        committed = file.read()
    assert committed == build(), (
        '%s differs from the CSV files: run '
        'python modules/kazan_payroll/law/build_law.py'
        % os.path.basename(path))


def test_check_option():
    assert build_law.main(['--check']) == 0


def test_build_is_deterministic():
    assert build_law.outputs() == build_law.outputs()


@pytest.mark.parametrize('path', [LAW_XML, CALENDAR_XML])
def test_data_is_noupdate(path):
    "an accountant's edits survive module updates"
    blocks = ET.parse(path).getroot().findall('data')
    assert blocks
    for data in blocks:
        assert data.get('noupdate') == '1'
        assert 'language' not in data.attrib


@pytest.mark.parametrize('path', [LAW_XML, CALENDAR_XML])
def test_ids_unique_refs_backwards(path):
    seen = set()
    for _, id_, fields in _records(path):
        assert id_ not in seen, 'duplicate id %s' % id_
        for name, (_, ref, _) in fields.items():
            if ref is not None:
                assert ref in seen, '%s.%s refs %s before it exists' % (
                    id_, name, ref)
        seen.add(id_)


def test_law_years_equal_csv():
    figures, bands = rules.read_law(LAW_DIR)
    years = {}
    for model, id_, fields in _records(LAW_XML):
        if model != 'kazan.payroll.law_year':
            continue
        year = _eval(fields['year'][2])
        assert id_ == 'law_year_%d' % year
        years[year] = fields
    assert set(years) == {y for y, _ in figures}
    for (year, name), figure in figures.items():
        value = _eval(years[year][name][2])
        assert value == figure.value, (year, name)
        assert type(value) is (int if name in build_law.INTEGER_FIGURES
            else Decimal), (year, name)
        assert '%s: %s' % (name, figure.source) in (
            years[year]['sources'][0].split('\n'))
    for year, fields in years.items():
        names = set(fields) - {'year', 'sources'}
        assert names == {n for y, n in figures if y == year}
        assert len(fields['sources'][0].split('\n')) == len(names)
    # the years the payroll computes are complete
    for year in [2025, 2026]:
        assert set(years[year]) == set(build_law.FIGURES) | {
            'year', 'sources'}


def test_bands_equal_csv():
    _, bands = rules.read_law(LAW_DIR)
    found = {}
    for model, id_, fields in _records(LAW_XML):
        if model != 'kazan.payroll.ndfl_band':
            continue
        year = int(fields['law_year'][1].rsplit('_', 1)[1])
        found.setdefault(year, []).append((
                _eval(fields['threshold'][2]), _eval(fields['rate'][2]),
                fields['source'][0]))
    assert found == {
        year: [(t, r, s) for t, r, s, _ in year_bands]
        for year, year_bands in bands.items()}


def test_calendar_equals_csv():
    days, years = rules._read_calendar(CALENDAR_DIR)
    found = set()
    for model, id_, fields in _records(CALENDAR_XML):
        assert model == 'kazan.payroll.calendar_day'
        found.add(rules.CalendarDay(
                _eval(fields['date'][2]), fields['kind'][0],
                fields['name'][0], fields['region'][0],
                fields.get('source', ('',))[0] or ''))
    assert found == set(days)
    assert len(found) == len(days)
    assert {d.date.year for d in found} == set(years)


def test_calendar_rows_cover_the_payroll_years():
    "the calendar from the XML rows gives the published working days"
    days = set()
    for _, _, fields in _records(CALENDAR_XML):
        days.add(rules.CalendarDay(
                _eval(fields['date'][2]), fields['kind'][0],
                fields['name'][0], fields['region'][0], ''))
    calendar = rules.ProductionCalendar(days, [2025, 2026])
    expected = rules.load_calendar()
    for year in [2025, 2026]:
        for month in range(1, 13):
            assert calendar.working_days(year, month) == (
                expected.working_days(year, month)), (year, month)


def _copy(tmp_path):
    law = tmp_path / 'law'
    calendar = tmp_path / 'calendar'
    shutil.copytree(LAW_DIR, law, ignore=shutil.ignore_patterns('*.py'))
    shutil.copytree(CALENDAR_DIR, calendar)
    return law, calendar


def _append(path, line):
    with open(path, 'a', encoding='utf-8') as file:
        file.write(line + '\n')


@pytest.mark.parametrize('file_name,line,message', [
        ('parameters.csv', '2026;mrot;1;again', 'already on line'),
        ('parameters.csv', '2026;nope;1;x', 'unknown figure'),
        ('parameters.csv', '2027;mrot;-1;x', 'non-negative'),
        ('parameters.csv', '2027;mrot;30000;x', 'contribution_cap'),
        ('ndfl_bands.csv', '2026;100;101;x', 'percent'),
        ])
def test_law_generator_rejects_bad_data(tmp_path, file_name, line, message):
    law, _ = _copy(tmp_path)
    build_law.build_law_xml(str(law))
    _append(law / file_name, line)
    with pytest.raises(build_law.LawDataError, match=message):
        build_law.build_law_xml(str(law))


def test_calendar_generator_rejects_two_rows_of_a_region(tmp_path):
    _, calendar = _copy(tmp_path)
    _append(calendar / 'production_calendar_2026.csv',
        '2026-01-01;holiday;Дубль;RU;x')
    with pytest.raises(build_law.LawDataError, match='two rows'):
        build_law.build_calendar_xml(str(calendar))


def test_new_year_adds_records(tmp_path):
    "a year added to the CSV files becomes new records (created on update)"
    law, _ = _copy(tmp_path)
    _append(law / 'parameters.csv', '2027;contribution_cap;3000000;x')
    ids = {r[1] for r in _records(LAW_XML)}
    new_xml = tmp_path / 'law_data.xml'
    new_xml.write_text(build_law.build_law_xml(str(law)), encoding='utf-8')
    assert {r[1] for r in _records(new_xml)} == ids | {'law_year_2027'}
