"""No import cycle between the modules of the `kazan` package and of the
two Tryton modules, counting imports inside functions too (a cycle hidden
in a function is still a knot a newcomer has to untie)."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = {
    'kazan': ROOT / 'kazan',
    'trytond.modules.kazan_accounting': ROOT / 'modules' / 'kazan_accounting',
    'trytond.modules.kazan_payroll': ROOT / 'modules' / 'kazan_payroll',
    }


def modules():
    "{dotted name: path} of the product's modules (not their tests)"
    found = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob('*.py'):
            relative = path.relative_to(folder)
            if {'tests', '__pycache__'} & set(relative.parts):
                continue
            parts = [p for p in relative.with_suffix('').parts
                if p != '__init__']
            found['.'.join([package] + parts)] = path
    return found


def imports(name, path, known):
    "The known modules that the module name imports, anywhere in it"
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')[:len(package.split('.'))
                    - node.level + 1]
                module = '.'.join(base + ([node.module] if node.module
                        else []))
            else:
                module = node.module
            targets = [f'{module}.{alias.name}' for alias in node.names
                if f'{module}.{alias.name}' in known] or [module]
        else:
            continue
        yield from (t for t in targets if t in known and t != name)


def cycles(graph):
    "The import cycles of graph {module: imported modules}"
    state, path, found = {}, [], []

    def visit(module):
        state[module] = 'open'
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == 'open':
                found.append(path[path.index(imported):] + [imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = 'done'
    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_no_import_cycle():
    known = modules()
    graph = {name: set(imports(name, path, known))
        for name, path in known.items()}
    assert len(graph) > 30
    assert cycles(graph) == []


def test_a_cycle_is_found():
    "The check itself: a cycle of two and one of three are found"
    assert cycles({'a': {'b'}, 'b': {'a'}}) == [['a', 'b', 'a']]
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': set()}) == [
        ['a', 'b', 'c', 'a']]
