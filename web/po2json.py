"""Compile a translation of sao (web/locale/LANG.po) into the JSON that sao
loads from its ``locale/LANG.json``, in the layout of sao's own files:
``{"": {header}, msgid: [msgid_plural or null, msgstr, ...]}``.

    python web/po2json.py web/locale/ru.po web/node_modules/tryton-sao/locale/ru.json

The file is written beside its place under a name of its own and renamed
over it: a client served meanwhile never reads half of it, and two runs at
once both finish.  Prints how many messages are translated.
"""
import json
import os
import sys
import tempfile

import polib


def compile_po(po):
    data = {'': {
            'language': po.metadata.get('Language', ''),
            'content-type': po.metadata.get(
                'Content-Type', 'text/plain; charset=utf-8'),
            'plural-forms': po.metadata.get('Plural-Forms', ''),
            }}
    for entry in po:
        if entry.obsolete or 'fuzzy' in entry.flags:
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[i]
                for i in sorted(entry.msgstr_plural)]
            data[entry.msgid] = [entry.msgid_plural, *forms]
        else:
            data[entry.msgid] = [None, entry.msgstr]
    return data


def main(source, target):
    po = polib.pofile(source)
    data = compile_po(po)
    with tempfile.NamedTemporaryFile('w', encoding='utf-8',
            dir=os.path.dirname(os.path.abspath(target)),
            prefix=f'.{os.path.basename(target)}.', delete=False) as file:
        json.dump(data, file, ensure_ascii=False, indent=0)
    os.chmod(file.name, 0o644)
    os.replace(file.name, target)
    print(f"{target}: {len(po.translated_entries())} of {len(po)} "
        "messages translated")


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
