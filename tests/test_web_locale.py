"""The web client's Russian (web/locale/ru.po): sao 8.0 ships its ru.po
empty, so the directors would see its own buttons and messages in English.

The translation must cover every message of the installed sao, keep each
message's placeholders, give the three Russian plural forms, and be what
the installed sao loads (``make clients`` / ``make web`` compile it)."""
import json
import pathlib
import re
import sys
import unittest

import polib

REPO = pathlib.Path(__file__).resolve().parent.parent
SAO = REPO / 'web' / 'node_modules' / 'tryton-sao'
RU_PO = REPO / 'web' / 'locale' / 'ru.po'
PLACEHOLDER = re.compile(r'%\d')

sys.path.insert(0, str(REPO / 'web'))
import po2json  # noqa: E402


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


class WebLocaleTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        pot = SAO / 'locale' / 'messages.pot'
        if not pot.exists():
            raise AssertionError(
                f"{pot} is missing: the web client is not installed "
                "(make clients)")
        cls.pot = polib.pofile(str(pot))
        cls.po = polib.pofile(str(RU_PO))

    def test_every_message_of_sao_translated(self):
        ours = {e.msgid: e for e in self.po}
        missing = [e.msgid for e in self.pot if e.msgid not in ours]
        self.assertEqual(missing, [], "sao's messages not in web/locale/ru.po")
        untranslated = [e.msgid for e in self.po
            if not e.translated() or 'fuzzy' in e.flags]
        self.assertEqual(untranslated, [])
        unknown = sorted(set(ours) - {e.msgid for e in self.pot})
        self.assertEqual(unknown, [], "not in sao's messages.pot any more")

    def test_placeholders_kept(self):
        for entry in self.po:
            with self.subTest(msgid=entry.msgid):
                if entry.msgid_plural:
                    translations = list(entry.msgstr_plural.values())
                else:
                    translations = [entry.msgstr]
                for translation in translations:
                    self.assertEqual(placeholders(translation),
                        placeholders(entry.msgid))

    def test_three_plural_forms(self):
        self.assertIn('nplurals=3', self.po.metadata['Plural-Forms'])
        plurals = [e for e in self.po if e.msgid_plural]
        self.assertTrue(plurals)
        for entry in plurals:
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(sorted(entry.msgstr_plural), [0, 1, 2])
                # 1 запись, 2 записи, 5 записей
                forms = [entry.msgstr_plural[i] for i in range(3)]
                self.assertEqual(len(set(forms)), 3)

    def test_installed_sao_loads_it(self):
        installed = json.loads(
            (SAO / 'locale' / 'ru.json').read_text(encoding='utf-8'))
        self.assertEqual(installed, po2json.compile_po(self.po),
            "sao's locale/ru.json is not web/locale/ru.po: make clients")
        # sao's layout: [plural or null, translation, ...]
        self.assertEqual(installed['Logout'], [None, 'Выйти'])
        self.assertEqual(installed['%1 record saved'][0], '%1 records saved')
        self.assertEqual(installed['']['language'], 'ru')
