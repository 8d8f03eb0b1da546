// The NBA schema (SQLite dialect). Documented column by column in docs/schema.md.
#pragma once

#include <string_view>

namespace fastbreak::db::schema {

// Game types, as stored in games.game_type. The digit in the game id follows NBA.com:
// 1 preseason, 2 regular season, 4 playoffs, 5 play-in, 6 cup final.
inline constexpr std::string_view kRegular = "regular";
inline constexpr std::string_view kPlayIn = "playin";
inline constexpr std::string_view kPlayoffs = "playoffs";

inline constexpr std::string_view kTablesV1 = R"sql(
CREATE TABLE teams (
  team_id       INTEGER PRIMARY KEY,             -- NBA.com id, 1610612737..1610612766
  abbreviation  TEXT NOT NULL UNIQUE,            -- 'BOS'
  city          TEXT NOT NULL,                   -- 'Boston'
  nickname      TEXT NOT NULL,                   -- 'Celtics'
  full_name     TEXT NOT NULL UNIQUE,            -- 'Boston Celtics'
  conference    TEXT NOT NULL CHECK (conference IN ('East', 'West')),
  division      TEXT NOT NULL CHECK (division IN ('Atlantic', 'Central', 'Southeast',
                                                  'Northwest', 'Pacific', 'Southwest')),
  state         TEXT,
  year_founded  INTEGER
);

CREATE TABLE players (
  player_id     INTEGER PRIMARY KEY,             -- NBA.com person id
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  full_name     TEXT NOT NULL,
  birth_date    TEXT,                            -- YYYY-MM-DD
  height_cm     INTEGER CHECK (height_cm IS NULL OR height_cm BETWEEN 150 AND 240),
  weight_kg     INTEGER CHECK (weight_kg IS NULL OR weight_kg BETWEEN 50 AND 180),
  position      TEXT,                            -- 'G', 'F', 'C', 'G-F', 'F-C', ...
  country       TEXT,
  draft_year    INTEGER,
  draft_round   INTEGER,
  draft_number  INTEGER,
  from_year     INTEGER,                         -- first season (start year) played
  to_year       INTEGER,                         -- last season (start year) played
  is_active     INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1))
);

CREATE TABLE seasons (
  season_id     INTEGER PRIMARY KEY,             -- start year: 2023 is the 2023-24 season
  label         TEXT NOT NULL UNIQUE,            -- '2023-24'
  start_date    TEXT,                            -- first regular-season game
  end_date      TEXT                             -- last game (finals included)
);

CREATE TABLE games (
  game_id       TEXT PRIMARY KEY CHECK (length(game_id) = 10),  -- '0022300061'
  season_id     INTEGER NOT NULL REFERENCES seasons(season_id),
  game_type     TEXT NOT NULL CHECK (game_type IN ('preseason', 'regular', 'playin',
                                                   'playoffs', 'cup_final')),
  game_date     TEXT NOT NULL,                   -- YYYY-MM-DD, local date of the game
  home_team_id  INTEGER NOT NULL REFERENCES teams(team_id),
  away_team_id  INTEGER NOT NULL REFERENCES teams(team_id) CHECK (away_team_id <> home_team_id),
  status        TEXT NOT NULL DEFAULT 'final' CHECK (status IN ('scheduled', 'final')),
  home_score    INTEGER,                         -- NULL until played
  away_score    INTEGER,
  periods       INTEGER CHECK (periods IS NULL OR periods >= 4),  -- 4 + overtimes
  neutral_site  INTEGER NOT NULL DEFAULT 0 CHECK (neutral_site IN (0, 1)),
  playoff_round INTEGER CHECK (playoff_round IS NULL OR playoff_round BETWEEN 1 AND 4),
  series_game   INTEGER CHECK (series_game IS NULL OR series_game BETWEEN 1 AND 7),
  attendance    INTEGER,
  source        TEXT NOT NULL DEFAULT 'generated' -- generated, kaggle, nba-api, 538
);

-- Points by period (the line score). Overtimes are periods 5, 6, ...
CREATE TABLE game_periods (
  game_id       TEXT NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  period        INTEGER NOT NULL CHECK (period >= 1),
  points        INTEGER NOT NULL CHECK (points >= 0),
  PRIMARY KEY (game_id, team_id, period)
) WITHOUT ROWID;

-- One row per team per game. Shooting columns: made never exceed attempted.
CREATE TABLE team_game_stats (
  game_id       TEXT NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  opponent_id   INTEGER NOT NULL REFERENCES teams(team_id),
  is_home       INTEGER NOT NULL CHECK (is_home IN (0, 1)),
  win           INTEGER CHECK (win IN (0, 1)),
  seconds       INTEGER,                         -- team player-seconds: 5 x 48 min = 14400 (+1500 per OT)
  pts INTEGER NOT NULL, fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER,
  ftm INTEGER, fta INTEGER, oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER,
  stl INTEGER, blk INTEGER, tov INTEGER, pf INTEGER, plus_minus INTEGER,
  PRIMARY KEY (game_id, team_id),
  CHECK (fgm <= fga AND fg3m <= fg3a AND ftm <= fta AND fg3m <= fgm)
) WITHOUT ROWID;

-- One row per player per game he was listed for; seconds = 0 or NULL with a dnp_reason when
-- he did not play.
CREATE TABLE player_game_stats (
  game_id       TEXT NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  player_id     INTEGER NOT NULL REFERENCES players(player_id),
  team_id       INTEGER NOT NULL REFERENCES teams(team_id),
  starter       INTEGER NOT NULL DEFAULT 0 CHECK (starter IN (0, 1)),
  position      TEXT,
  seconds       INTEGER CHECK (seconds IS NULL OR seconds >= 0),
  dnp_reason    TEXT,
  pts INTEGER, fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER,
  ftm INTEGER, fta INTEGER, oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER,
  stl INTEGER, blk INTEGER, tov INTEGER, pf INTEGER, plus_minus INTEGER,
  PRIMARY KEY (game_id, player_id),
  CHECK (fgm <= fga AND fg3m <= fg3a AND ftm <= fta AND fg3m <= fgm)
) WITHOUT ROWID;

-- Play-by-play, one row per event. event_type uses the NBA stats PlayByPlayV2 codes:
-- 1 made FG, 2 missed FG, 3 free throw, 4 rebound, 5 turnover, 6 foul, 7 violation,
-- 8 substitution, 9 timeout, 10 jump ball, 11 ejection, 12 period start, 13 period end,
-- 18 instant replay.
CREATE TABLE play_by_play (
  game_id       TEXT NOT NULL REFERENCES games(game_id) ON DELETE CASCADE,
  event_num     INTEGER NOT NULL,                -- order within the game
  period        INTEGER NOT NULL CHECK (period >= 1),
  clock_ms      INTEGER NOT NULL,                -- time left in the period, milliseconds
  event_type    INTEGER NOT NULL,
  action        TEXT,                            -- 'Jump Shot', 'Layup', 'Personal', ...
  team_id       INTEGER,
  player_id     INTEGER,                         -- shooter, rebounder, fouler, player out
  player2_id    INTEGER,                         -- assister, fouled player, player in
  shot_value    INTEGER CHECK (shot_value IS NULL OR shot_value BETWEEN 1 AND 3),
  shot_made     INTEGER CHECK (shot_made IS NULL OR shot_made IN (0, 1)),
  shot_distance INTEGER,                         -- feet
  home_score    INTEGER NOT NULL,                -- running score after the event
  away_score    INTEGER NOT NULL,
  description   TEXT,
  PRIMARY KEY (game_id, event_num)
) WITHOUT ROWID;

-- Provenance of every import run.
CREATE TABLE imports (
  import_id     INTEGER PRIMARY KEY,
  format        TEXT NOT NULL,                   -- kaggle, nba-api, 538, generate
  source        TEXT NOT NULL,                   -- file path or generator parameters
  started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  inserted      INTEGER NOT NULL DEFAULT 0,
  updated       INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0
);
)sql";

inline constexpr std::string_view kIndexesV1 = R"sql(
CREATE INDEX players_by_last_name ON players(last_name COLLATE NOCASE);
CREATE INDEX players_by_full_name ON players(full_name COLLATE NOCASE);
CREATE INDEX games_by_season ON games(season_id, game_type, game_date);
CREATE INDEX games_by_date ON games(game_date);
CREATE INDEX games_by_home_team ON games(home_team_id, game_date);
CREATE INDEX games_by_away_team ON games(away_team_id, game_date);
CREATE INDEX team_game_stats_by_team ON team_game_stats(team_id, game_id);
CREATE INDEX player_game_stats_by_player ON player_game_stats(player_id, game_id);
CREATE INDEX player_game_stats_by_team ON player_game_stats(team_id, game_id);
)sql";

inline constexpr std::string_view kViewsV1 = R"sql(
-- Per player, season, game type and team (a traded player has one row per team).
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

-- Per team, season and game type, with the opponents' points.
CREATE VIEW team_season_totals AS
SELECT t.team_id, g.season_id, g.game_type,
       COUNT(*) AS gp, SUM(t.win = 1) AS wins, SUM(t.win = 0) AS losses,
       SUM(t.pts) AS pts, SUM(o.pts) AS opp_pts, SUM(t.fgm) AS fgm, SUM(t.fga) AS fga,
       SUM(t.fg3m) AS fg3m, SUM(t.fg3a) AS fg3a, SUM(t.ftm) AS ftm, SUM(t.fta) AS fta,
       SUM(t.oreb) AS oreb, SUM(t.dreb) AS dreb, SUM(t.reb) AS reb, SUM(t.ast) AS ast,
       SUM(t.stl) AS stl, SUM(t.blk) AS blk, SUM(t.tov) AS tov, SUM(t.pf) AS pf
FROM team_game_stats t
JOIN team_game_stats o ON o.game_id = t.game_id AND o.team_id = t.opponent_id
JOIN games g ON g.game_id = t.game_id
GROUP BY t.team_id, g.season_id, g.game_type;

-- Regular-season standings from final games with both scores: record, home/away splits, and games behind the
-- conference and division leaders.
CREATE VIEW standings AS
WITH results AS (
  SELECT g.season_id, g.home_team_id AS team_id, 1 AS home,
         (g.home_score > g.away_score) AS won
  FROM games g
  WHERE g.game_type = 'regular' AND g.status = 'final' AND g.home_score IS NOT NULL
    AND g.away_score IS NOT NULL
  UNION ALL
  SELECT g.season_id, g.away_team_id, 0, (g.away_score > g.home_score)
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
  GROUP BY r.season_id, r.team_id
)
SELECT season_id, team_id, conference, division, wins, losses,
       ROUND(CAST(wins AS REAL) / (wins + losses), 3) AS win_pct,
       home_wins, home_losses, away_wins, away_losses,
       (MAX(wins - losses) OVER (PARTITION BY season_id, conference) - (wins - losses)) / 2.0
         AS conference_games_behind,
       (MAX(wins - losses) OVER (PARTITION BY season_id, division) - (wins - losses)) / 2.0
         AS division_games_behind,
       RANK() OVER (PARTITION BY season_id, conference
                    ORDER BY CAST(wins AS REAL) / (wins + losses) DESC) AS conference_rank
FROM records;
)sql";

}  // namespace fastbreak::db::schema
