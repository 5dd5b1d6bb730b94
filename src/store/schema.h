// The store's schema, one migration per version. Never edit a shipped step:
// add the next one. Internal to src/store.
#pragma once

#include <string_view>

namespace dalbit::store::schema {

// Version 1.
//
// Times are INTEGER nanoseconds since the Unix epoch (UTC); prices, amounts and
// share counts are INTEGER won and shares; enums are the text of core's
// to_string(). STRICT tables refuse a value of the wrong type.
//
// Only `runs` is a foreign-key parent. Fills, order events and signals do not
// reference `orders`: an execution report for an order the engine has not
// recorded yet (a race, or a manual order from HTS) must still be stored,
// because a lost fill is worse than an orphan one.
inline constexpr std::string_view kV1 = R"sql(
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  mode         TEXT    NOT NULL CHECK (mode IN ('backtest', 'paper', 'live')),
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  status       TEXT    NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'completed', 'failed')),
  config_path  TEXT    NOT NULL,
  strategies   TEXT    NOT NULL,
  data_path    TEXT    NOT NULL,
  summary_json TEXT    NOT NULL DEFAULT ''
                       CHECK (summary_json = '' OR json_valid(summary_json))
) STRICT;

CREATE TABLE orders (
  run_id       INTEGER NOT NULL REFERENCES runs (id),
  order_id     INTEGER NOT NULL,
  code         TEXT    NOT NULL,
  side         TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  type         TEXT    NOT NULL CHECK (type IN ('market', 'limit')),
  limit_price  INTEGER NOT NULL,
  qty          INTEGER NOT NULL,
  filled_qty   INTEGER NOT NULL,
  filled_value INTEGER NOT NULL,
  status       TEXT    NOT NULL CHECK (status IN ('new', 'sent', 'accepted', 'partially_filled',
                                                  'filled', 'cancelled', 'rejected')),
  broker_no    TEXT    NOT NULL,
  strategy     TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (run_id, order_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE order_events (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs (id),
  order_id INTEGER NOT NULL,
  status   TEXT    NOT NULL CHECK (status IN ('new', 'sent', 'accepted', 'partially_filled',
                                              'filled', 'cancelled', 'rejected')),
  at       INTEGER NOT NULL,
  detail   TEXT    NOT NULL
) STRICT;
CREATE INDEX order_events_by_run ON order_events (run_id);

-- UNIQUE (run_id, fill_id) also serves reads by run.
CREATE TABLE fills (
  run_id     INTEGER NOT NULL REFERENCES runs (id),
  fill_id    TEXT    NOT NULL CHECK (fill_id <> ''),
  order_id   INTEGER NOT NULL,
  code       TEXT    NOT NULL,
  side       TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  price      INTEGER NOT NULL,
  qty        INTEGER NOT NULL,
  commission INTEGER NOT NULL,
  tax        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  UNIQUE (run_id, fill_id)
) STRICT;

-- The latest snapshot per code; opened_at is Position::opened, at is when the
-- snapshot was taken.
CREATE TABLE positions (
  run_id    INTEGER NOT NULL REFERENCES runs (id),
  code      TEXT    NOT NULL,
  qty       INTEGER NOT NULL,
  cost      INTEGER NOT NULL,
  buy_fees  INTEGER NOT NULL,
  realized  INTEGER NOT NULL,
  opened_at INTEGER NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (run_id, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE signals (
  id       INTEGER PRIMARY KEY,
  run_id   INTEGER NOT NULL REFERENCES runs (id),
  at       INTEGER NOT NULL,
  strategy TEXT    NOT NULL,
  code     TEXT    NOT NULL,
  side     TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
  kind     TEXT    NOT NULL CHECK (kind IN ('intent', 'veto', 'order')),
  order_id INTEGER,
  reason   TEXT    NOT NULL
) STRICT;
CREATE INDEX signals_by_run ON signals (run_id);
)sql";

// Version 2: what a live or paper engine needs across restarts.
//
// `state` holds small named values that must survive a restart (the runner
// keeps the risk state as JSON under "risk_state").
//
// orders_by_id finds an order's newest row across runs (a restarted engine
// records a restored order again in its new run, under the same id);
// orders_open finds the rows that may still be working without reading the
// terminal ones, which are nearly all. Its status list is the complement of
// core's is_terminal(); the store tests check that they agree.
// fills_by_time serves a day's fills across runs.
inline constexpr std::string_view kV2 = R"sql(
CREATE TABLE state (
  key   TEXT NOT NULL PRIMARY KEY CHECK (key <> ''),
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX runs_by_mode ON runs (mode);
CREATE INDEX orders_by_id ON orders (order_id, run_id);
CREATE INDEX orders_open ON orders (order_id, run_id)
  WHERE status IN ('new', 'sent', 'accepted', 'partially_filled');
CREATE INDEX fills_by_time ON fills (at);
)sql";

}  // namespace dalbit::store::schema
