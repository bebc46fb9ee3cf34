#!/usr/bin/env python3
"""The benchmark input generator is deterministic: same arguments, same bytes.

Run: python3 -m unittest tools/bench/test_generator.py   (or: python3 tools/bench/test_generator.py)
"""
import hashlib
import json
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

    def test_reference_profile_same_seed_same_bytes(self):
        first = generate("--profile", "reference", "--events", "3000", "--seed", "7")
        self.assertEqual(first, generate("--profile", "reference", "--events", "3000", "--seed", "7"))
        self.assertNotEqual(first, generate("--profile", "reference", "--events", "3000", "--seed", "8"))
        self.assertNotEqual(first, generate("--events", "3000", "--seed", "7"))

    def test_reference_profile_shape(self):
        lines = generate("--profile", "reference", "--events", "20000").decode().splitlines()
        events = [json.loads(line) for line in lines]
        self.assertEqual(len(events), 20000)
        domains = {e.get("domain") or e["website_url"].split("://www.", 1)[1].rstrip("/") for e in events}
        self.assertEqual(len(domains), 2000)  # every company has events, all name its domain
        www = sum(1 for e in events if e.get("website_url", "").startswith("https://www."))
        linkedin = sum(1 for e in events if "linkedin.com" in e.get("company_profile_url", ""))
        self.assertTrue(0.27 < www / len(events) < 0.33, www)
        self.assertTrue(0.08 < linkedin / len(events) < 0.12, linkedin)
        keys = [(e["source"], e["source_event_id"]) for e in events]
        duplicates = len(keys) - len(set(keys))
        self.assertTrue(0.005 < duplicates / len(events) < 0.015, duplicates)
        self.assertEqual(len({e["event_type"] for e in events}), 20)


if __name__ == "__main__":
    unittest.main()
