"""The machine a benchmark runs on, for the first line of its figures
(the README keeps each figure with the machine it came from).

The benchmarks put the repository first on their path and import it as
``bench.machine``: bench/load.py is also imported as ``bench.load`` by the
server processes it starts (its logging configuration names its handler)."""
import os
import platform


def describe():
    "host: cores, CPU model, memory and Python version"
    return (f"{platform.node()}: {os.cpu_count()} cores, {cpu_model()}, "
        f"{memory_gib():.0f} GiB, Python {platform.python_version()}")


def cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as file:
            for line in file:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib():
    try:
        return os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
    except (ValueError, OSError):
        return 0


def postgresql_settings(connection, names):
    "The server's settings of these names (a psycopg connection)"
    return {name: connection.execute(f'SHOW {name}').fetchone()[0]
        for name in names}


def load_average():
    "The 1, 5 and 15 minutes' load averages, as printed beside the figures"
    return ' '.join(f'{load:.1f}' for load in os.getloadavg())
