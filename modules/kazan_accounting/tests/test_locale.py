# This file is part of kazan_accounting.  Licensed under the GNU GPL v3+.
"""The module's Russian overrides of core strings (locale/ru.po entries
named "module.id"): the core leaves the record-rule and access errors a
director meets untranslated.  Tryton applies such an entry to the core's
own Russian entry, and fails the module's activation when there is none:
each must match an entry of that module's ru.po, with the same English
text (a changed core message must be translated again) and the same
placeholders."""
import re
import unittest
from pathlib import Path

import polib

from trytond.tools import find_path

MODULE_DIR = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r'%\((\w+)\)s')


def core_po(module):
    "The module's Russian, found as Tryton finds it (ir and res included)"
    return find_path(f'{module}/locale/ru.po')


def overrides(po):
    "(entry, module, the core's msgctxt) of the entries naming a module"
    for entry in po:
        kind, name, res_id = entry.msgctxt.split(':')
        if '.' in res_id:
            module, fs_id = res_id.split('.')
            yield entry, module, f'{kind}:{name}:{fs_id}'


class CoreOverridesTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.entries = list(overrides(
                polib.pofile(str(MODULE_DIR / 'locale' / 'ru.po'))))

    def test_record_rule_errors_overridden(self):
        overridden = {(module, context)
            for _, module, context in self.entries}
        for message in ['read', 'write', 'create', 'delete']:
            self.assertIn(('ir',
                    f'model:ir.message,text:msg_{message}_rule_error'),
                overridden)

    def test_each_matches_the_core_entry(self):
        cores = {}
        for entry, module, context in self.entries:
            with self.subTest(msgctxt=entry.msgctxt):
                if module not in cores:
                    cores[module] = {e.msgctxt: e
                        for e in polib.pofile(core_po(module))}
                core = cores[module].get(context)
                self.assertIsNotNone(core,
                    f"{core_po(module)} has no {context}: Tryton would "
                    "fail to activate the module")
                self.assertEqual(entry.msgid, core.msgid)
                self.assertTrue(entry.msgstr)
                self.assertNotIn('fuzzy', entry.flags)
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(entry.msgstr)),
                    sorted(PLACEHOLDER.findall(entry.msgid)))
