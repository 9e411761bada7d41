# This file is part of kazan_payroll.  Licensed under the GNU GPL v3+.
"""Every string of the service's modules has its Russian translation.

The strings are what Tryton itself registers for translation: when the
modules are activated (models, fields, help, selections, buttons, menus,
actions, messages), and with its "Set Translations" wizard (the strings of
the views and of the report templates), exported as the English template;
each must be
in the module's locale/ru.po with a non-empty translation.  On failure the
missing entries are printed in .po form, ready to be translated.
"""
import unittest
from pathlib import Path

import polib

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

MODULES_DIR = Path(__file__).resolve().parents[2]
MODULES = ['kazan_accounting', 'kazan_payroll']


class TranslationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_every_string_is_translated_to_russian(self):
        "Every registered string has a Russian translation in ru.po"
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).set_report()
        TranslationSet(session_id).set_view()
        TranslationSet.delete(session_id)
        for module in MODULES:
            with self.subTest(module=module):
                template = polib.pofile(
                    Translation.translation_export('en', module).decode())
                russian = polib.pofile(
                    str(MODULES_DIR / module / 'locale' / 'ru.po'))
                translated = {(e.msgctxt, e.msgid) for e in russian
                    if e.msgstr and 'fuzzy' not in e.flags}
                missing = [e for e in template
                    if (e.msgctxt, e.msgid) not in translated]
                self.assertFalse(missing, '\n' + ''.join(
                        f'\n{e}' for e in missing))
