"""kazan.parallel.each_chunk: several institutions a transaction, and each
alone again when their transaction fails (no database: the transactions
are simulated, committed or rolled back as database.run does)."""
import unittest
from unittest import mock

from kazan import parallel


class Ledger:
    "What database.run commits: what the calls that returned wrote"

    def __init__(self):
        self.committed = []
        self.transactions = 0

    def run(self, settings, func, readonly=False, context=None):
        self.transactions += 1
        written = []
        result = func(written)  # the 'pool' collects what is written
        self.committed.extend(written)
        return result


def double(written, items, factor):
    "The work of a chunk: refuses 13, writes and returns item × factor"
    results = []
    for item in items:
        if item == 13:
            raise ValueError(f'нельзя: {item}')
        written.append(item)
        results.append(item * factor)
    return results


class EachChunkTestCase(unittest.TestCase):

    def each(self, items, jobs=1, size=10):
        ledger = Ledger()
        with mock.patch.object(parallel.database, 'run', ledger.run):
            done = list(parallel.each_chunk(None, double,
                    [(f'inn{i}', i) for i in items], (2,), jobs, size))
        return done, ledger

    def test_a_transaction_per_chunk(self):
        done, ledger = self.each(range(14, 39))
        self.assertEqual(done,
            [(f'inn{i}', i * 2, None) for i in range(14, 39)])
        self.assertEqual(ledger.transactions, 3)  # 10 + 10 + 5
        self.assertEqual(ledger.committed, list(range(14, 39)))

    def test_failed_chunk_done_again_one_by_one(self):
        "The error names its own task; the rest of its chunk is committed"
        done, ledger = self.each(range(30))
        self.assertEqual([(key, error) for key, _, error in done if error],
            [('inn13', 'нельзя: 13')])
        self.assertEqual(done[:13] + done[14:],
            [(f'inn{i}', i * 2, None) for i in range(30) if i != 13])
        # the chunk 10..19 rolled back, then its ten tasks alone
        self.assertEqual(ledger.transactions, 3 + 10)
        self.assertEqual(sorted(ledger.committed),
            [i for i in range(30) if i != 13])

    def test_chunks_leave_no_job_idle(self):
        self.assertEqual(parallel.chunked(list(range(6)), 3, 10),
            [[0, 1], [2, 3], [4, 5]])
        self.assertEqual(parallel.chunked(list(range(6)), 1, 4),
            [[0, 1, 2, 3], [4, 5]])
        self.assertEqual(
            [len(c) for c in parallel.chunked(list(range(200)), 2, 10)],
            [10] * 20)
        self.assertEqual(parallel.chunked([], 2, 10), [])


if __name__ == '__main__':
    unittest.main()
