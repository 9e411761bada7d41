"""Sphinx directive that renders the ``kazan`` command from its parser.

``.. kazan-commands::`` imports ``kazan.cli.parser()`` and writes, for every
subcommand (nested ones such as ``kazan plan import`` included), its usage
line, its help and each argument as an ``option`` (so
``:option:`kazan onboard --dry-run``` links to it).  The parser is the
source: a new option shows up in the next build, with nothing to edit here.
"""
import argparse
import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

# argparse wraps the usage line at the terminal's width: make it the page's
os.environ['COLUMNS'] = '78'


def _subcommands(parser):
    "(name, help, parser) of each subcommand, in the order they were added"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name) or '', sub


def _option_names(action):
    if action.option_strings:
        metavar = action.metavar or action.dest.upper()
        takes_value = action.nargs != 0
        names = []
        if action.nargs in ('+', '*'):
            metavar += ' ...'
        for option in action.option_strings:
            names.append(f'{option} {metavar}' if takes_value else option)
        return ', '.join(names)
    return action.metavar or action.dest


def _arguments(parser):
    "the positional arguments first, as the usage line ends with them"
    actions = [a for a in parser._actions
        if a.help != argparse.SUPPRESS and not isinstance(
            a, (argparse._HelpAction, argparse._SubParsersAction))]
    return ([a for a in actions if not a.option_strings]
        + [a for a in actions if a.option_strings])


def _lines(prog, help, parser, level_char):
    title = prog
    yield title
    yield level_char * len(title)
    yield ''
    if help:
        yield help
        yield ''
    yield f'.. program:: {prog}'
    yield ''
    yield '.. code-block:: text'
    yield ''
    for line in parser.format_usage().rstrip().splitlines():
        yield '   ' + line
    yield ''
    for action in _arguments(parser):
        yield f'.. option:: {_option_names(action)}'
        yield ''
        text = action.help or ''
        extra = []
        if action.choices and not isinstance(action.choices, dict):
            extra.append('значения: ' + ', '.join(
                f'``{c}``' for c in action.choices))
        default = action.default
        if (action.option_strings and action.nargs != 0
                and default not in (None, argparse.SUPPRESS)):
            if isinstance(default, (list, tuple)):
                default = ','.join(str(d) for d in default)
            extra.append(f'по умолчанию ``{default}``')
        if action.required and action.option_strings:
            extra.append('обязателен')
        if extra:
            text = (text + ' ' if text else '') + '(' + '; '.join(extra) + ')'
        if text:
            yield '   ' + text.replace('*', r'\*')
            yield ''
    for name, sub_help, sub in _subcommands(parser):
        # nested subcommands (kazan plan import) one level lower
        yield from _lines(f'{prog} {name}', sub_help, sub, '~')


class KazanCommands(SphinxDirective):
    "Every subcommand of ``kazan``, one section each"
    has_content = False

    def run(self):
        import kazan.cli

        # rebuilt when the parser's file changes, not only this page
        self.env.note_dependency(kazan.cli.__file__)
        top = kazan.cli.parser()
        source = StringList()
        source.append('.. code-block:: text', '<kazan.cli.parser>')
        source.append('', '<kazan.cli.parser>')
        for line in top.format_usage().rstrip().splitlines():
            source.append('   ' + line, '<kazan.cli.parser>')
        source.append('', '<kazan.cli.parser>')
        for name, help, sub in _subcommands(top):
            for line in _lines(f'{top.prog} {name}', help, sub, '-'):
                source.append(line, '<kazan.cli.parser>')
            source.append('', '<kazan.cli.parser>')
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, source, node)
        return node.children


def setup(app):
    app.add_directive('kazan-commands', KazanCommands)
    return {'parallel_read_safe': True, 'parallel_write_safe': True,
            'version': '1'}
