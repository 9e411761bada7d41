# Sphinx configuration of the service's documentation: `make doc` builds it
# into var/doc-html with warnings as errors.
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here / '_ext'))
# kazan.cli.parser() is rendered from the working tree, installed or not
sys.path.insert(0, str(here.parent))

project = 'Kazan municipal accounting service'
copyright = 'the Kazan accounting service authors, GPL-3.0-or-later'
release = version = '0.1.0'

extensions = [
    'myst_parser',
    'kazan_cli',
]
source_suffix = {
    '.rst': 'restructuredtext',
    '.md': 'markdown',
}
root_doc = 'index'
exclude_patterns = ['_build']
# the contracts are written in Markdown with GitHub's tables
myst_enable_extensions = []
myst_heading_anchors = 3
suppress_warnings = []

language = 'ru'
html_theme = 'alabaster'
html_title = 'Бухгалтерия учреждений Казани'
html_static_path = []
today_fmt = '%Y-%m-%d'
# Russian smart quotes would turn the English apostrophes into closing quotes
smartquotes = False
