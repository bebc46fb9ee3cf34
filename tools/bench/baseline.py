#!/usr/bin/env python3
"""Baselines for tools/bench/run: the storage work of siglog's pipeline on SQLite or PostgreSQL.

One phase per invocation (so the harness can time each phase and read its peak memory):

  baseline.py --engine sqlite   --db FILE        --phase schema|ingest|derive|score|lead-feed|query ...
  baseline.py --engine postgres --dsn "host=... port=... dbname=..." --phase ...

Same durability as siglog: every batch is one transaction that is fsynced on commit (SQLite: WAL,
synchronous=FULL; PostgreSQL: fsync=on, synchronous_commit=on, set by the harness on the cluster).
Batches are 50,000 input lines / rows, like siglog's ingest.

What the baselines do (spec PIPELINE.md §1, §2.6-2.8, §3.2, §4.9, §5.5, §7):
- ingest: parse each NDJSON line, normalize the company input, match-or-insert the company by
  domain / LinkedIn URL / normalized name (companies + company_aliases with the unique
  (alias_type, alias_value) key), insert the event with INSERT OR IGNORE / ON CONFLICT DO NOTHING on
  the unique (source, source_event_id) index. Resolved companies are cached in process (a miss looks
  the company up in the database, then inserts it), which is generous to the baselines.
- derive: read every event, aggregate per (company, event type), upsert signal_instances on
  (entity_id, signal_id, pack_id) with the spec's merge (least/greatest/coalesce).
- score: read every company's events up to as_of, compute *placeholder* numbers (no scoring formulas),
  upsert one readiness and one engagement snapshot per company on (company_id, as_of, pack_id).
- lead-feed: join readiness x engagement for as_of, add last_seen, upsert one lead_feed row per company
  on (workspace_id, pack_id, entity_id).
- query: the lead-feed top-100 (ORDER BY composite_score DESC, entity_id LIMIT 100), timed in process.
Prints one JSON object: {"phase", "seconds", "count", ...}.
"""
import argparse
import json
import re
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone

BATCH = 50_000
CORE_PACK = "00000000-0000-0000-0000-00000000c0de"
PACK = "00000000-0000-0000-0000-0000000000f1"
WORKSPACE = "00000000-0000-0000-0000-000000000001"

# ---------------------------------------------------------------- schema (spec §1, trimmed to what the
# pipeline reads or writes). Secondary indexes: the ones siglog also maintains (events by company,
# lead feed by score); siglog keeps no events-by-type index, so neither do the baselines.

SQLITE_SCHEMA = """
CREATE TABLE companies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL, domain TEXT, website_url TEXT, company_linkedin_url TEXT,
  source TEXT NOT NULL DEFAULT 'research', alignment_ok_to_contact INTEGER,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE UNIQUE INDEX companies_domain ON companies(domain) WHERE domain IS NOT NULL;
CREATE TABLE company_aliases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  alias_type TEXT NOT NULL, alias_value TEXT NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (alias_type, alias_value));
CREATE TABLE signal_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  source TEXT NOT NULL, source_event_id TEXT, event_type TEXT NOT NULL, event_time TEXT NOT NULL,
  ingested_at TEXT NOT NULL, title TEXT, summary TEXT, url TEXT, raw TEXT, confidence REAL,
  pack_id TEXT NOT NULL);
CREATE UNIQUE INDEX signal_events_source ON signal_events(source, source_event_id)
  WHERE source_event_id IS NOT NULL;
CREATE INDEX signal_events_company_time ON signal_events(company_id, event_time DESC);
CREATE TABLE signal_instances (
  id TEXT PRIMARY KEY, entity_id INTEGER NOT NULL, signal_id TEXT NOT NULL, pack_id TEXT NOT NULL,
  strength REAL, confidence REAL, first_seen TEXT, last_seen TEXT, evidence_event_ids TEXT,
  created_at TEXT NOT NULL, UNIQUE (entity_id, signal_id, pack_id));
CREATE TABLE readiness_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT, company_id INTEGER NOT NULL, as_of TEXT NOT NULL,
  momentum INTEGER NOT NULL, complexity INTEGER NOT NULL, pressure INTEGER NOT NULL,
  leadership_gap INTEGER NOT NULL, composite INTEGER NOT NULL, explain TEXT, pack_id TEXT NOT NULL,
  computed_at TEXT NOT NULL, UNIQUE (company_id, as_of, pack_id));
CREATE INDEX readiness_as_of_composite ON readiness_snapshots(as_of, composite DESC);
CREATE TABLE engagement_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT, company_id INTEGER NOT NULL, as_of TEXT NOT NULL,
  esl_score REAL NOT NULL, outreach_score INTEGER, engagement_type TEXT NOT NULL,
  stress_volatility_index REAL, communication_stability_index REAL, sustained_pressure_index REAL,
  cadence_blocked INTEGER NOT NULL DEFAULT 0, explain TEXT, pack_id TEXT NOT NULL,
  esl_decision TEXT, esl_reason_code TEXT, sensitivity_level TEXT, computed_at TEXT NOT NULL,
  UNIQUE (company_id, as_of, pack_id));
CREATE TABLE lead_feed (
  workspace_id TEXT NOT NULL, pack_id TEXT NOT NULL, entity_id INTEGER NOT NULL,
  composite_score INTEGER NOT NULL, top_signal_ids TEXT, esl_decision TEXT, sensitivity_level TEXT,
  recommendation_band TEXT, last_seen TEXT, outreach_status_summary TEXT, as_of TEXT NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY (workspace_id, pack_id, entity_id));
CREATE INDEX lead_feed_score ON lead_feed(workspace_id, pack_id, composite_score DESC, entity_id);
"""

POSTGRES_SCHEMA = """
CREATE TABLE companies (
  id serial PRIMARY KEY,
  name varchar(255) NOT NULL, domain varchar(255), website_url varchar(2048),
  company_linkedin_url varchar(512), source varchar(32) NOT NULL DEFAULT 'research',
  alignment_ok_to_contact boolean, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE UNIQUE INDEX companies_domain ON companies(domain) WHERE domain IS NOT NULL;
CREATE TABLE company_aliases (
  id serial PRIMARY KEY,
  company_id integer NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  alias_type varchar(16) NOT NULL, alias_value varchar(512) NOT NULL, created_at timestamptz NOT NULL,
  UNIQUE (alias_type, alias_value));
CREATE TABLE signal_events (
  id serial PRIMARY KEY,
  company_id integer REFERENCES companies(id) ON DELETE SET NULL,
  source varchar(64) NOT NULL, source_event_id varchar(255), event_type varchar(64) NOT NULL,
  event_time timestamp NOT NULL, ingested_at timestamp NOT NULL, title varchar(512), summary text,
  url varchar(2048), raw json, confidence double precision, pack_id uuid NOT NULL);
CREATE UNIQUE INDEX signal_events_source ON signal_events(source, source_event_id)
  WHERE source_event_id IS NOT NULL;
CREATE INDEX signal_events_company_time ON signal_events(company_id, event_time DESC);
CREATE TABLE signal_instances (
  id uuid PRIMARY KEY, entity_id integer NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  signal_id varchar(100) NOT NULL, pack_id uuid NOT NULL, strength double precision,
  confidence double precision, first_seen timestamptz, last_seen timestamptz, evidence_event_ids json,
  created_at timestamptz NOT NULL, UNIQUE (entity_id, signal_id, pack_id));
CREATE TABLE readiness_snapshots (
  id serial PRIMARY KEY, company_id integer NOT NULL REFERENCES companies(id), as_of date NOT NULL,
  momentum integer NOT NULL, complexity integer NOT NULL, pressure integer NOT NULL,
  leadership_gap integer NOT NULL, composite integer NOT NULL, explain json, pack_id uuid NOT NULL,
  computed_at timestamptz NOT NULL, UNIQUE (company_id, as_of, pack_id));
CREATE INDEX readiness_as_of_composite ON readiness_snapshots(as_of, composite DESC);
CREATE TABLE engagement_snapshots (
  id serial PRIMARY KEY, company_id integer NOT NULL REFERENCES companies(id), as_of date NOT NULL,
  esl_score double precision NOT NULL, outreach_score integer, engagement_type varchar(64) NOT NULL,
  stress_volatility_index double precision, communication_stability_index double precision,
  sustained_pressure_index double precision, cadence_blocked boolean NOT NULL DEFAULT false,
  explain json, pack_id uuid NOT NULL, esl_decision varchar(32), esl_reason_code varchar(64),
  sensitivity_level varchar(32), computed_at timestamptz NOT NULL,
  UNIQUE (company_id, as_of, pack_id));
CREATE TABLE lead_feed (
  workspace_id uuid NOT NULL, pack_id uuid NOT NULL,
  entity_id integer NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  composite_score integer NOT NULL, top_signal_ids json, esl_decision varchar(32),
  sensitivity_level varchar(32), recommendation_band varchar(32), last_seen timestamptz,
  outreach_status_summary json, as_of date NOT NULL, updated_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, pack_id, entity_id));
CREATE INDEX lead_feed_score ON lead_feed(workspace_id, pack_id, composite_score DESC, entity_id);
"""

TOP_100 = ("SELECT entity_id, composite_score, top_signal_ids, esl_decision, sensitivity_level, "
           "recommendation_band, last_seen, outreach_status_summary, as_of FROM lead_feed "
           "WHERE workspace_id = ? AND pack_id = ? AND as_of = ? "
           "ORDER BY composite_score DESC, entity_id LIMIT 100")


class Engine:
    """The little that differs between sqlite3 and psycopg2."""

    def __init__(self, kind, target):
        self.kind = kind
        if kind == "sqlite":
            import sqlite3
            self.db = sqlite3.connect(target, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA cache_size=-262144")  # 256 MiB, like PostgreSQL's shared_buffers here
            self.db.execute("PRAGMA foreign_keys=ON")
            self.least, self.greatest = "min", "max"
        else:
            import psycopg2
            import psycopg2.extras
            self.extras = psycopg2.extras
            self.db = psycopg2.connect(target)
            self.least, self.greatest = "LEAST", "GREATEST"
        self.cur = self.db.cursor()

    def sql(self, text):
        return text if self.kind == "sqlite" else text.replace("?", "%s")

    def begin(self):
        if self.kind == "sqlite":
            self.cur.execute("BEGIN")

    def commit(self):
        if self.kind == "sqlite":
            self.cur.execute("COMMIT")
        else:
            self.db.commit()

    def execute(self, text, args=()):
        self.cur.execute(self.sql(text), args)
        return self.cur

    def one(self, text, args=()):
        row = self.execute(text, args).fetchone()
        return row[0] if row else None

    def insert_id(self, text, args):
        if self.kind == "sqlite":
            self.cur.execute(text, args)
            return self.cur.lastrowid
        self.cur.execute(self.sql(text) + " RETURNING id", args)
        return self.cur.fetchone()[0]

    def many(self, head, columns, tail, rows):
        """INSERT ... VALUES (...) <tail> for every row: executemany on SQLite, multi-row VALUES
        pages (psycopg2 execute_values, 1,000 rows a statement) on PostgreSQL."""
        if not rows:
            return
        if self.kind == "sqlite":
            self.cur.executemany(f"{head} VALUES ({','.join('?' * columns)}) {tail}", rows)
        else:
            self.extras.execute_values(self.cur, f"{head} VALUES %s {tail}", rows, page_size=1000)

    def stream(self, text, args=()):
        """Iterates a large result without holding it all (server-side cursor on PostgreSQL)."""
        if self.kind == "sqlite":
            yield from self.db.execute(text, args)
            return
        cur = self.db.cursor(name=f"stream_{uuid.uuid4().hex}", withhold=True)
        cur.itersize = BATCH
        cur.execute(self.sql(text), args)
        yield from cur
        cur.close()

    def loads(self, value):
        if value is None or isinstance(value, (dict, list)):
            return value
        return json.loads(value)


def now_text():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- normalization (spec §2.5, §2.6)

_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_SUFFIXES = ("inc", "llc", "ltd", "corp", "corporation", "co", "company")


def normalize_name(text):
    s = _SPACES.sub(" ", _NON_WORD.sub(" ", text.strip().lower())).strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if len(s) > len(suffix) and s.endswith(suffix) and s[-len(suffix) - 1].isspace():
                s = s[: -len(suffix)].strip()
                changed = True
    return _SPACES.sub(" ", s).strip()


def extract_domain(url):
    rest = url.split("://", 1)
    if len(rest) != 2:
        return None  # no network location
    host = rest[1]
    for stop in "/?#":
        cut = host.find(stop)
        if cut >= 0:
            host = host[:cut]
    host = host.rpartition("@")[2].lower()
    if host.startswith("www."):
        host = host[4:]
    for port in (":443", ":80"):
        if host.endswith(port):
            host = host[: -len(port)]
    return host or None


def company_input(event):
    website = (event.get("website_url") or "").strip()
    domain_field = (event.get("domain") or "").strip()
    profile = (event.get("company_profile_url") or "").strip()
    if not website:
        if domain_field:
            d = domain_field.lower()
            website = d if d.startswith("http") else "https://" + d
        elif profile and "linkedin.com" not in profile.lower():
            website = profile
    linkedin = next((u for u in (profile, website) if u and "linkedin.com" in u.lower()), None)
    return website or None, linkedin


# ---------------------------------------------------------------- phases

def phase_schema(engine, args):
    engine.begin()
    for statement in (SQLITE_SCHEMA if engine.kind == "sqlite" else POSTGRES_SCHEMA).split(";"):
        if statement.strip():
            engine.execute(statement)
    engine.commit()
    return {"count": 0}


def phase_ingest(engine, args):
    cache = {}
    inserted_before = engine.one("SELECT count(*) FROM signal_events")
    lines = invalid = created = 0
    rows = []
    sqlite = engine.kind == "sqlite"
    event_head = ("INSERT OR IGNORE INTO signal_events" if sqlite else "INSERT INTO signal_events") + \
        " (company_id, source, source_event_id, event_type, event_time, ingested_at, title, url, raw," \
        " confidence, pack_id)"
    event_tail = "" if sqlite else "ON CONFLICT (source, source_event_id) WHERE source_event_id IS NOT NULL DO NOTHING"
    alias_sql = ("INSERT OR IGNORE INTO company_aliases (company_id, alias_type, alias_value, created_at) VALUES {values}"
                 if sqlite else
                 "INSERT INTO company_aliases (company_id, alias_type, alias_value, created_at) VALUES {values} "
                 "ON CONFLICT (alias_type, alias_value) DO NOTHING")

    def resolve(name, website, linkedin):
        nonlocal created
        domain = extract_domain(website) if website else None
        if domain:
            key = ("domain", domain)
        elif linkedin:
            key = ("social", linkedin)
        else:
            key = ("name", normalize_name(name))
        hit = cache.get(key)
        if hit is not None:
            return hit
        company = None
        if domain:
            company = engine.one("SELECT id FROM companies WHERE domain = ? UNION ALL SELECT company_id FROM "
                                 "company_aliases WHERE alias_type = 'domain' AND alias_value = ? LIMIT 1",
                                 (domain, domain))
        if company is None and linkedin:
            company = engine.one("SELECT company_id FROM company_aliases WHERE alias_type = 'social' AND alias_value = ?", (linkedin,))
        if company is None and not domain and not linkedin and key[1]:
            company = engine.one("SELECT company_id FROM company_aliases WHERE alias_type = 'name' AND alias_value = ?", (key[1],))
        if company is None:
            stamp = now_text()
            company = engine.insert_id(
                engine.sql("INSERT INTO companies (name, domain, website_url, company_linkedin_url, source, created_at, updated_at) "
                           "VALUES (?,?,?,?,'research',?,?)"), (name, domain, website, linkedin, stamp, stamp))
            created += 1
            norm = key[1] if key[0] == "name" else normalize_name(name)
            aliases = [("name", norm)] if norm else []
            if domain:
                aliases += [("domain", domain), ("url", website.lower())]
            if linkedin:
                aliases.append(("social", linkedin))
            if aliases:  # one statement for all of a company's aliases
                values = []
                for alias_type, value in aliases:
                    values += [company, alias_type, value, stamp]
                engine.execute(alias_sql.format(values=",".join(["(?,?,?,?)"] * len(aliases))), values)
        cache[key] = company
        return company

    def flush():
        nonlocal stamp
        engine.many(event_head, 11, event_tail, rows)
        engine.commit()
        rows.clear()
        stamp = now_text()
        engine.begin()

    stamp = now_text()
    engine.begin()
    with open(args.input, encoding="utf-8") as handle:
        for line in handle:
            lines += 1
            try:
                event = json.loads(line)
                name = event["company_name"].strip()
                source = event["source"].strip()
                event_type = event["event_type"].strip()
                event_time = event["event_time"]
                if not (name and source and event_type and event_time):
                    raise ValueError("blank field")
            except (ValueError, KeyError, AttributeError):
                invalid += 1
                continue
            website, linkedin = company_input(event)
            company = resolve(name, website, linkedin)
            seid = (event.get("source_event_id") or "").strip() or None
            title = (event.get("title") or "").strip() or None
            url = (event.get("url") or "").strip() or None
            rows.append((company, source, seid, event_type, event_time.rstrip("Z"), stamp, title, url,
                         line.rstrip("\n"), 0.7, PACK))
            if len(rows) >= BATCH:
                flush()
    flush()
    engine.commit()
    inserted = engine.one("SELECT count(*) FROM signal_events") - inserted_before
    return {"count": lines, "inserted": inserted, "skipped_duplicate": lines - invalid - inserted,
            "skipped_invalid": invalid, "companies_created": created}


def phase_derive(engine, args):
    started = time.perf_counter()
    aggregates = {}
    events = skipped = 0
    for event_id, company, event_type, event_time, confidence in engine.stream(
            "SELECT id, company_id, event_type, event_time, confidence FROM signal_events"):
        events += 1
        if company is None or event_type == "incorporation":  # core derivers: passthrough except incorporation
            skipped += 1
            continue
        agg = aggregates.get((company, event_type))
        if agg is None:
            aggregates[(company, event_type)] = [event_time, event_time, confidence, [event_id]]
            continue
        if event_time < agg[0]:
            agg[0] = event_time
        if event_time > agg[1]:
            agg[1] = event_time
        if confidence is not None and (agg[2] is None or confidence > agg[2]):
            agg[2] = confidence
        agg[3].append(event_id)
    read = time.perf_counter() - started
    l, g = engine.least, engine.greatest
    tail = ("ON CONFLICT (entity_id, signal_id, pack_id) DO UPDATE SET "
            f"first_seen = {l}(signal_instances.first_seen, excluded.first_seen), "
            f"last_seen = {g}(signal_instances.last_seen, excluded.last_seen), "
            "confidence = COALESCE(excluded.confidence, signal_instances.confidence), strength = 1.0, "
            "evidence_event_ids = excluded.evidence_event_ids")
    head = ("INSERT INTO signal_instances (id, entity_id, signal_id, pack_id, strength, confidence, first_seen, "
            "last_seen, evidence_event_ids, created_at)")
    engine.begin()
    rows = []
    stamp = now_text()
    for (company, signal), (first, last, confidence, ids) in aggregates.items():
        rows.append((str(uuid.uuid4()), company, signal, CORE_PACK, 1.0, confidence, first, last, json.dumps(ids), stamp))
        if len(rows) >= BATCH:
            engine.many(head, 10, tail, rows)
            engine.commit()
            engine.begin()
            rows.clear()
    engine.many(head, 10, tail, rows)
    engine.commit()
    return {"count": events - skipped, "events_read": events, "instances_upserted": len(aggregates),
            "read_seconds": round(read, 3)}


BANDS = ("IGNORE", "WATCH", "HIGH_PRIORITY")
DECISIONS = ("allow", "allow_with_constraints", "suppress")


def phase_score(engine, args):
    as_of = args.as_of
    end = (date.fromisoformat(as_of) + timedelta(days=1)).isoformat()
    stamp = now_text()
    readiness_head = ("INSERT INTO readiness_snapshots (company_id, as_of, momentum, complexity, pressure, "
                      "leadership_gap, composite, explain, pack_id, computed_at)")
    readiness_tail = ("ON CONFLICT (company_id, as_of, pack_id) DO UPDATE SET momentum = excluded.momentum, "
                      "complexity = excluded.complexity, pressure = excluded.pressure, "
                      "leadership_gap = excluded.leadership_gap, composite = excluded.composite, "
                      "explain = excluded.explain, computed_at = excluded.computed_at")
    engagement_head = ("INSERT INTO engagement_snapshots (company_id, as_of, esl_score, outreach_score, "
                       "engagement_type, stress_volatility_index, communication_stability_index, "
                       "sustained_pressure_index, cadence_blocked, explain, pack_id, esl_decision, "
                       "esl_reason_code, sensitivity_level, computed_at)")
    engagement_tail = ("ON CONFLICT (company_id, as_of, pack_id) DO UPDATE SET esl_score = excluded.esl_score, "
                       "outreach_score = excluded.outreach_score, engagement_type = excluded.engagement_type, "
                       "stress_volatility_index = excluded.stress_volatility_index, "
                       "communication_stability_index = excluded.communication_stability_index, "
                       "sustained_pressure_index = excluded.sustained_pressure_index, "
                       "cadence_blocked = excluded.cadence_blocked, explain = excluded.explain, "
                       "esl_decision = excluded.esl_decision, esl_reason_code = excluded.esl_reason_code, "
                       "sensitivity_level = excluded.sensitivity_level, computed_at = excluded.computed_at")
    false = 0 if engine.kind == "sqlite" else False
    readiness, engagement = [], []
    companies = 0

    def emit(company, events):
        # Placeholder numbers (no scoring formulas): deterministic, spread over 0..100.
        n = len(events)
        kinds = len({e[0] for e in events})
        composite = (company * 37 + n * 11 + kinds * 5) % 101
        dims = [(composite + k * 13) % 101 for k in range(4)]
        top = [{"event_type": e[0], "event_time": str(e[1]), "contribution": round(1.0 / (i + 1), 3)}
               for i, e in enumerate(events[:8])]
        band = BANDS[composite * 3 // 101]
        explain = {"momentum": dims[0], "complexity": dims[1], "pressure": dims[2], "leadership_gap": dims[3],
                   "top_events": top, "recommendation_band": band, "minimum_threshold": 0,
                   "pack_id": PACK, "events_considered": n}
        readiness.append((company, as_of, dims[0], dims[1], dims[2], dims[3], composite, json.dumps(explain), PACK, stamp))
        esl = round((company % 1000) / 1000.0, 3)
        decision = DECISIONS[company % 3]
        esl_explain = {"base_engageability": esl, "stability_modifier": 1.0, "cadence_modifier": 1.0,
                       "alignment_modifier": 1.0, "svi": 0.1, "spi": 0.2, "csi": 0.3, "esl_composite": esl,
                       "cadence_blocked": False, "recommendation_type": "Observe Only",
                       "stability_cap_triggered": False, "weights": {"be": 1.0, "sm": 1.0, "cm": 1.0, "am": 1.0},
                       "esl_decision": decision, "esl_reason_code": "OK", "sensitivity_level": "low",
                       "tone_constraint": None}
        engagement.append((company, as_of, esl, round(composite * esl), "Observe Only", 0.1, 0.3, 0.2, false,
                           json.dumps(esl_explain), PACK, decision, "OK", "low", stamp))
        if len(readiness) >= BATCH:
            write()

    def write():
        engine.many(readiness_head, 10, readiness_tail, readiness)
        engine.many(engagement_head, 15, engagement_tail, engagement)
        engine.commit()
        engine.begin()
        readiness.clear()
        engagement.clear()

    engine.begin()
    current, events = None, []
    for company, event_type, event_time, confidence in engine.stream(
            "SELECT company_id, event_type, event_time, confidence FROM signal_events "
            "WHERE company_id IS NOT NULL AND event_time < ? ORDER BY company_id, event_time DESC", (end,)):
        if company != current:
            if current is not None:
                emit(current, events)
                companies += 1
            current, events = company, []
        events.append((event_type, event_time, confidence))
    if current is not None:
        emit(current, events)
        companies += 1
    write()
    engine.commit()
    return {"count": companies, "companies_scored": companies}


def phase_lead_feed(engine, args):
    as_of = args.as_of
    end = (date.fromisoformat(as_of) + timedelta(days=1)).isoformat()
    last_seen = dict(engine.execute(
        "SELECT company_id, max(event_time) FROM signal_events WHERE company_id IS NOT NULL AND event_time < ? "
        "GROUP BY company_id", (end,)).fetchall())
    head = ("INSERT INTO lead_feed (workspace_id, pack_id, entity_id, composite_score, top_signal_ids, "
            "esl_decision, sensitivity_level, recommendation_band, last_seen, outreach_status_summary, as_of, updated_at)")
    tail = ("ON CONFLICT (workspace_id, pack_id, entity_id) DO UPDATE SET composite_score = excluded.composite_score, "
            "top_signal_ids = excluded.top_signal_ids, esl_decision = excluded.esl_decision, "
            "sensitivity_level = excluded.sensitivity_level, recommendation_band = excluded.recommendation_band, "
            "last_seen = excluded.last_seen, outreach_status_summary = excluded.outreach_status_summary, "
            "as_of = excluded.as_of, updated_at = excluded.updated_at")
    stamp = now_text()
    rows = []
    upserted = 0
    engine.begin()
    for company, composite, explain, decision, sensitivity, computed_at in engine.stream(
            "SELECT r.company_id, r.composite, r.explain, e.esl_decision, e.sensitivity_level, r.computed_at "
            "FROM readiness_snapshots r JOIN engagement_snapshots e "
            "ON e.company_id = r.company_id AND e.as_of = r.as_of AND e.pack_id = r.pack_id "
            "WHERE r.as_of = ? AND r.pack_id = ?", (as_of, PACK)):
        explain = engine.loads(explain) or {}
        top, seen = [], set()
        for item in (explain.get("top_events") or [])[:8]:
            kind = item.get("event_type")
            if kind and kind not in seen:
                seen.add(kind)
                top.append(kind)
        rows.append((WORKSPACE, PACK, company, composite, json.dumps(top), decision, sensitivity, None,
                     last_seen.get(company) or computed_at, None, as_of, stamp))
        if len(rows) >= BATCH:
            engine.many(head, 12, tail, rows)
            engine.commit()
            engine.begin()
            upserted += len(rows)
            rows.clear()
    engine.many(head, 12, tail, rows)
    upserted += len(rows)
    engine.commit()
    if engine.kind == "postgres":
        engine.db.autocommit = True
    engine.execute("ANALYZE")  # fresh statistics for the query planner, as autovacuum would give later
    return {"count": upserted, "rows_upserted": upserted}


def phase_query(engine, args):
    engine.execute(TOP_100, (WORKSPACE, PACK, args.as_of)).fetchall()  # one warm-up, not timed
    times = []
    rows = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = engine.execute(TOP_100, (WORKSPACE, PACK, args.as_of)).fetchall()
        times.append((time.perf_counter() - started) * 1000.0)
        rows = len(result)
    return {"count": args.repeat, "rows": rows, "latencies_ms": times}


PHASES = {"schema": phase_schema, "ingest": phase_ingest, "derive": phase_derive, "score": phase_score,
          "lead-feed": phase_lead_feed, "query": phase_query}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--db", help="SQLite database file")
    parser.add_argument("--dsn", help="PostgreSQL connection string")
    parser.add_argument("--phase", choices=sorted(PHASES), required=True)
    parser.add_argument("--input", help="NDJSON file (ingest)")
    parser.add_argument("--as-of", default="2026-02-28")
    parser.add_argument("--repeat", type=int, default=200, help="query repetitions")
    args = parser.parse_args()
    engine = Engine(args.engine, args.db if args.engine == "sqlite" else args.dsn)
    started = time.perf_counter()
    result = PHASES[args.phase](engine, args)
    seconds = time.perf_counter() - started
    engine.db.close()
    result.update({"phase": args.phase, "engine": args.engine, "seconds": round(seconds, 4)})
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
