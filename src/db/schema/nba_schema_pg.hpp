// The NBA schema in the PostgreSQL dialect: the same tables, columns, constraints, indexes and
// views as nba_schema.hpp, with the same migration numbering. Where the engines differ:
//   - Every text column is COLLATE "C", so comparisons and ORDER BY follow bytes as SQLite does,
//     whatever the database's default collation.
//   - Player ids (and counters of rows) are BIGINT; team ids, seasons and stat columns INTEGER,
//     so that SUM over a stat gives bigint (read as an integer), not numeric.
//   - imports.import_id is an identity column. Rows copied with explicit ids must be followed by
//     setval(pg_get_serial_sequence('imports', 'import_id'), max(import_id)); the sequence is
//     public.imports_import_id_seq.
//   - No WITHOUT ROWID (tables are heaps with a primary key index), no COLLATE NOCASE (player
//     lookup matches names in memory; the name indexes serve exact and prefix matches).
//   - The views compute every value with the type SQLite's view gives it: counts and sums are
//     integers, win_pct and games behind double precision.
//   - The notes SQLite's schema carries as comments beside the columns are column comments
//     (COMMENT ON COLUMN), with the same text.
#pragma once

#include <string_view>

namespace fastbreak::db::schema::pg {

inline constexpr std::string_view kTablesV1 = R"sql(
CREATE TABLE teams (
  team_id       INTEGER PRIMARY KEY,
  abbreviation  TEXT COLLATE "C" NOT NULL UNIQUE,
  city          TEXT COLLATE "C" NOT NULL,
  nickname      TEXT COLLATE "C" NOT NULL,
  full_name     TEXT COLLATE "C" NOT NULL UNIQUE,
  conference    TEXT COLLATE "C" NOT NULL CHECK (conference IN ('East', 'West')),
  division      TEXT COLLATE "C" NOT NULL CHECK (division IN ('Atlantic', 'Central', 'Southeast',
                                                            'Northwest', 'Pacific', 'Southwest')),
  state         TEXT COLLATE "C",
  year_founded  INTEGER
);

CREATE TABLE players (
  player_id     BIGINT PRIMARY KEY,
  first_name    TEXT COLLATE "C" NOT NULL,
  last_name     TEXT COLLATE "C" NOT NULL,
  full_name     TEXT COLLATE "C" NOT NULL,
  birth_date    TEXT COLLATE "C",
  height_cm     INTEGER CHECK (height_cm IS NULL OR height_cm BETWEEN 150 AND 240),
  weight_kg     INTEGER CHECK (weight_kg IS NULL OR weight_kg BETWEEN 50 AND 180),
  position      TEXT COLLATE "C",
  country       TEXT COLLATE "C",
  draft_year    INTEGER,
  draft_round   INTEGER,
  draft_number  INTEGER,
  from_year     INTEGER,
  to_year       INTEGER,
  is_active     INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1))
);

CREATE TABLE seasons (
  season_id     INTEGER PRIMARY KEY,
  label         TEXT COLLATE "C" NOT NULL UNIQUE,
  start_date    TEXT COLLATE "C",
  end_date      TEXT COLLATE "C"
);

CREATE TABLE games (
  game_id       TEXT COLLATE "C" PRIMARY KEY CHECK (length(game_id) = 10),
  season_id     INTEGER NOT NULL REFERENCES seasons(season_id),
  game_type     TEXT COLLATE "C" NOT NULL CHECK (game_type IN ('preseason', 'regular', 'playin',
                                                               'playoffs', 'cup_final')),
  game_date     TEXT COLLATE "C" NOT NULL,
  home_team_id  INTEGER NOT NULL REFERENCES teams(team_id),
  away_team_id  INTEGER NOT NULL REFERENCES teams(team_id) CHECK (away_team_id <> home_team_id),
  status        TEXT COLLATE "C" NOT NULL DEFAULT 'final' CHECK (status IN ('scheduled', 'final')),
  home_score    INTEGER,
  away_score    INTEGER,
  periods       INTEGER CHECK (periods IS NULL OR periods >= 4),
  neutral_site  INTEGER NOT NULL DEFAULT 0 CHECK (neutral_site IN (0, 1)),
  playoff_round INTEGER CHECK (playoff_round IS NULL OR playoff_round BETWEEN 1 AND 4),
  series_game   INTEGER CHECK (series_game IS NULL OR series_game BETWEEN 1 AND 7),
  attendance    INTEGER,
  source        TEXT COLLATE "C" NOT NULL DEFAULT 'generated'
);

CREATE TABLE game_periods (
  game_id       TEXT COLLATE "C" NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  period        INTEGER NOT NULL CHECK (period >= 1),
  points        INTEGER NOT NULL CHECK (points >= 0),
  PRIMARY KEY (game_id, team_id, period)
);

CREATE TABLE team_game_stats (
  game_id       TEXT COLLATE "C" NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  opponent_id   INTEGER NOT NULL REFERENCES teams(team_id),
  is_home       INTEGER NOT NULL CHECK (is_home IN (0, 1)),
  win           INTEGER CHECK (win IN (0, 1)),
  seconds       INTEGER,
  pts INTEGER NOT NULL, fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER,
  ftm INTEGER, fta INTEGER, oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER,
  stl INTEGER, blk INTEGER, tov INTEGER, pf INTEGER, plus_minus INTEGER,
  PRIMARY KEY (game_id, team_id),
  CHECK (fgm <= fga AND fg3m <= fg3a AND ftm <= fta AND fg3m <= fgm)
);

CREATE TABLE player_game_stats (
  game_id       TEXT COLLATE "C" NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  player_id     BIGINT NOT NULL REFERENCES players(player_id),
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  starter       INTEGER NOT NULL DEFAULT 0 CHECK (starter IN (0, 1)),
  position      TEXT COLLATE "C",
  seconds       INTEGER CHECK (seconds IS NULL OR seconds >= 0),
  dnp_reason    TEXT COLLATE "C",
  pts INTEGER, fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER,
  ftm INTEGER, fta INTEGER, oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER,
  stl INTEGER, blk INTEGER, tov INTEGER, pf INTEGER, plus_minus INTEGER,
  PRIMARY KEY (game_id, player_id),
  CHECK (fgm <= fga AND fg3m <= fg3a AND ftm <= fta AND fg3m <= fgm)
);

CREATE TABLE play_by_play (
  game_id       TEXT COLLATE "C" NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  event_num     INTEGER NOT NULL,
  period        INTEGER NOT NULL CHECK (period >= 1),
  clock_ms      INTEGER NOT NULL,
  event_type    INTEGER NOT NULL,
  action        TEXT COLLATE "C",
  team_id       INTEGER,
  player_id     BIGINT,
  player2_id    BIGINT,
  shot_value    INTEGER CHECK (shot_value IS NULL OR shot_value BETWEEN 1 AND 3),
  shot_made     INTEGER CHECK (shot_made IS NULL OR shot_made IN (0, 1)),
  shot_distance INTEGER,
  home_score    INTEGER NOT NULL,
  away_score    INTEGER NOT NULL,
  description   TEXT COLLATE "C",
  PRIMARY KEY (game_id, event_num)
);

CREATE TABLE imports (
  import_id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  format        TEXT COLLATE "C" NOT NULL,
  source        TEXT COLLATE "C" NOT NULL,
  started_at    TEXT COLLATE "C" NOT NULL
                DEFAULT to_char(now() AT TIME ZONE 'utc', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  inserted      BIGINT NOT NULL DEFAULT 0,
  updated       BIGINT NOT NULL DEFAULT 0,
  skipped       BIGINT NOT NULL DEFAULT 0
);

-- What SQLite's schema says in comments beside the columns (describe_schema shows them).
COMMENT ON COLUMN teams.team_id IS 'NBA.com id, 1610612737..1610612766';
COMMENT ON COLUMN teams.abbreviation IS '''BOS''';
COMMENT ON COLUMN teams.city IS '''Boston''';
COMMENT ON COLUMN teams.nickname IS '''Celtics''';
COMMENT ON COLUMN teams.full_name IS '''Boston Celtics''';
COMMENT ON COLUMN players.player_id IS 'NBA.com person id';
COMMENT ON COLUMN players.birth_date IS 'YYYY-MM-DD';
COMMENT ON COLUMN players.position IS '''G'', ''F'', ''C'', ''G-F'', ''F-C'', ...';
COMMENT ON COLUMN players.from_year IS 'first season (start year) played';
COMMENT ON COLUMN players.to_year IS 'last season (start year) played';
COMMENT ON COLUMN seasons.season_id IS 'start year: 2023 is the 2023-24 season';
COMMENT ON COLUMN seasons.label IS '''2023-24''';
COMMENT ON COLUMN seasons.start_date IS 'first regular-season game';
COMMENT ON COLUMN seasons.end_date IS 'last game (finals included)';
COMMENT ON COLUMN games.game_id IS '''0022300061''';
COMMENT ON COLUMN games.game_date IS 'YYYY-MM-DD, local date of the game';
COMMENT ON COLUMN games.home_score IS 'NULL until played';
COMMENT ON COLUMN games.periods IS '4 + overtimes';
COMMENT ON COLUMN games.source IS 'generated, kaggle, nba-api, 538';
COMMENT ON COLUMN team_game_stats.seconds IS 'team player-seconds: 5 x 48 min = 14400 (+1500 per OT)';
COMMENT ON COLUMN play_by_play.event_num IS 'order within the game';
COMMENT ON COLUMN play_by_play.clock_ms IS 'time left in the period, milliseconds';
COMMENT ON COLUMN play_by_play.action IS '''Jump Shot'', ''Layup'', ''Personal'', ...';
COMMENT ON COLUMN play_by_play.player_id IS 'shooter, rebounder, fouler, player out';
COMMENT ON COLUMN play_by_play.player2_id IS 'assister, fouled player, player in';
COMMENT ON COLUMN play_by_play.shot_distance IS 'feet';
COMMENT ON COLUMN play_by_play.home_score IS 'running score after the event';
COMMENT ON COLUMN imports.format IS 'kaggle, nba-api, 538, generate';
COMMENT ON COLUMN imports.source IS 'file path or generator parameters';
)sql";

inline constexpr std::string_view kIndexesV1 = R"sql(
CREATE INDEX players_by_last_name ON players(last_name);
CREATE INDEX players_by_full_name ON players(full_name);
CREATE INDEX games_by_season ON games(season_id, game_type, game_date);
CREATE INDEX games_by_date ON games(game_date);
CREATE INDEX games_by_home_team ON games(home_team_id, game_date);
CREATE INDEX games_by_away_team ON games(away_team_id, game_date);
CREATE INDEX team_game_stats_by_team ON team_game_stats(team_id, game_id);
CREATE INDEX player_game_stats_by_player ON player_game_stats(player_id, game_id);
CREATE INDEX player_game_stats_by_team ON player_game_stats(team_id, game_id);
)sql";

// SQLite's SUM(t.win = 1) skips rows whose win is NULL; the CASE without ELSE does the same.
inline constexpr std::string_view kViewsV1 = R"sql(
CREATE VIEW player_season_totals AS
SELECT p.player_id, g.season_id, g.game_type, p.team_id,
       COUNT(*) AS gp, SUM(p.starter) AS gs, SUM(p.seconds) AS seconds,
       SUM(p.pts) AS pts, SUM(p.fgm) AS fgm, SUM(p.fga) AS fga, SUM(p.fg3m) AS fg3m,
       SUM(p.fg3a) AS fg3a, SUM(p.ftm) AS ftm, SUM(p.fta) AS fta, SUM(p.oreb) AS oreb,
       SUM(p.dreb) AS dreb, SUM(p.reb) AS reb, SUM(p.ast) AS ast, SUM(p.stl) AS stl,
       SUM(p.blk) AS blk, SUM(p.tov) AS tov, SUM(p.pf) AS pf, SUM(p.plus_minus) AS plus_minus
FROM player_game_stats p JOIN games g ON g.game_id = p.game_id
WHERE p.seconds > 0
GROUP BY p.player_id, g.season_id, g.game_type, p.team_id;

CREATE VIEW team_season_totals AS
SELECT t.team_id, g.season_id, g.game_type,
       COUNT(*) AS gp,
       SUM(CASE WHEN t.win = 1 THEN 1 WHEN t.win = 0 THEN 0 END) AS wins,
       SUM(CASE WHEN t.win = 0 THEN 1 WHEN t.win = 1 THEN 0 END) AS losses,
       SUM(t.pts) AS pts, SUM(o.pts) AS opp_pts, SUM(t.fgm) AS fgm, SUM(t.fga) AS fga,
       SUM(t.fg3m) AS fg3m, SUM(t.fg3a) AS fg3a, SUM(t.ftm) AS ftm, SUM(t.fta) AS fta,
       SUM(t.oreb) AS oreb, SUM(t.dreb) AS dreb, SUM(t.reb) AS reb, SUM(t.ast) AS ast,
       SUM(t.stl) AS stl, SUM(t.blk) AS blk, SUM(t.tov) AS tov, SUM(t.pf) AS pf
FROM team_game_stats t
JOIN team_game_stats o ON o.game_id = t.game_id AND o.team_id = t.opponent_id
JOIN games g ON g.game_id = t.game_id
GROUP BY t.team_id, g.season_id, g.game_type;

CREATE VIEW standings AS
WITH results AS (
  SELECT g.season_id, g.home_team_id AS team_id, 1 AS home,
         CASE WHEN g.home_score > g.away_score THEN 1 ELSE 0 END AS won
  FROM games g
  WHERE g.game_type = 'regular' AND g.status = 'final' AND g.home_score IS NOT NULL
    AND g.away_score IS NOT NULL
  UNION ALL
  SELECT g.season_id, g.away_team_id, 0, CASE WHEN g.away_score > g.home_score THEN 1 ELSE 0 END
  FROM games g
  WHERE g.game_type = 'regular' AND g.status = 'final' AND g.home_score IS NOT NULL
    AND g.away_score IS NOT NULL
),
records AS (
  SELECT r.season_id, r.team_id, tm.conference, tm.division,
         SUM(r.won) AS wins, COUNT(*) - SUM(r.won) AS losses,
         SUM(CASE WHEN r.home = 1 THEN r.won ELSE 0 END) AS home_wins,
         SUM(CASE WHEN r.home = 1 THEN 1 - r.won ELSE 0 END) AS home_losses,
         SUM(CASE WHEN r.home = 0 THEN r.won ELSE 0 END) AS away_wins,
         SUM(CASE WHEN r.home = 0 THEN 1 - r.won ELSE 0 END) AS away_losses
  FROM results r JOIN teams tm ON tm.team_id = r.team_id
  GROUP BY r.season_id, r.team_id, tm.conference, tm.division
)
SELECT season_id, team_id, conference, division, wins, losses,
       ROUND((CAST(wins AS DOUBLE PRECISION) / (wins + losses))::numeric, 3)::double precision
         AS win_pct,
       home_wins, home_losses, away_wins, away_losses,
       CAST(MAX(wins - losses) OVER (PARTITION BY season_id, conference) - (wins - losses)
            AS DOUBLE PRECISION) / 2 AS conference_games_behind,
       CAST(MAX(wins - losses) OVER (PARTITION BY season_id, division) - (wins - losses)
            AS DOUBLE PRECISION) / 2 AS division_games_behind,
       RANK() OVER (PARTITION BY season_id, conference
                    ORDER BY CAST(wins AS DOUBLE PRECISION) / (wins + losses) DESC)
         AS conference_rank
FROM records;
)sql";

}  // namespace fastbreak::db::schema::pg
