#!/usr/bin/env python3
"""The benchmark input generator is deterministic: same arguments, same bytes.

Run: python3 -m unittest tools/bench/test_generator.py   (or: python3 tools/bench/test_generator.py)
"""
import hashlib
import os
import subprocess
import sys
import unittest

GENERATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generate-events")


def generate(*args):
    return subprocess.run([sys.executable, GENERATOR, *args], check=True, stdout=subprocess.PIPE, timeout=60).stdout


class GeneratorDeterminismTests(unittest.TestCase):
    def test_same_seed_same_bytes(self):
        first = generate("--events", "2000", "--seed", "7")
        second = generate("--events", "2000", "--seed", "7")
        self.assertEqual(first.count(b"\n"), 2000)
        self.assertEqual(hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest())
        self.assertEqual(first, second)

    def test_different_seed_different_bytes(self):
        self.assertNotEqual(generate("--events", "2000", "--seed", "7"), generate("--events", "2000", "--seed", "8"))


if __name__ == "__main__":
    unittest.main()
