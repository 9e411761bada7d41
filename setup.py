"""The packages of the distribution; everything else is in pyproject.toml.

Each Tryton module folder ``modules/<name>`` is installed as
``trytond.modules.<name>`` with every folder under it as a (namespace)
package: ``view``, ``locale``, ``tests``, ``chart``, a new ``export`` or
``doc``, picked up without an edit, as Tryton's own modules' setup.py
do.  setuptools' declarative ``[tool.setuptools.packages.find]`` cannot
put a prefix on the packages it finds, and a folder holding data that is
not a listed package makes the build warn "Package would be ignored".
"""
import pathlib

from setuptools import find_namespace_packages, setup

NOT_PACKAGES = ['__pycache__', '*.__pycache__', '*.egg-info']


def subpackages(name, folder):
    return [name] + [f'{name}.{p}' for p in find_namespace_packages(
            folder, exclude=NOT_PACKAGES)]


packages = subpackages('kazan', 'kazan')
package_dir = {}
for cfg in sorted(pathlib.Path('modules').glob('*/tryton.cfg')):
    folder = cfg.parent.as_posix()
    name = f'trytond.modules.{cfg.parent.name}'
    package_dir[name] = folder
    packages += subpackages(name, folder)

setup(packages=packages, package_dir=package_dir)
