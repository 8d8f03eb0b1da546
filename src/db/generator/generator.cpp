#include "db/generator/generator.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "db/calendar.hpp"
#include "db/generator/bounded_queue.hpp"
#include "db/generator/season_sim.hpp"
#include "db/generator/writer.hpp"
#include "db/schema/migrations.hpp"
#include "db/schema/teams.hpp"

namespace fastbreak::db {
namespace {

using detail::GameRecord;

constexpr int kMaxSeasons = 60;
constexpr int kFirstSeason = 1946;
constexpr int kLastSeason = 2045;  // two-digit years in game ids stay unique over 1946..2045
constexpr int64_t kFirstPlayerId = 5'000'000;
constexpr int64_t kEstimatedGamesPerSeason = 1230 + 6 + 83;
constexpr size_t kRecordsInFlight = 64;

// What the simulation thread hands to the writer, in order.
struct Message {
  enum Kind { kBeginSeason, kGame, kEndSeason } kind = kGame;
  int season = 0;
  int day = 0;
  GameRecord* record = nullptr;
};

// The simulation side of the pipeline: fills pooled records and queues them for the writer.
class PipelineSink final : public detail::GameSink {
 public:
  PipelineSink(detail::BoundedQueue<Message>& filled, detail::BoundedQueue<GameRecord*>& empty)
      : filled_(filled), empty_(empty) {}
  bool BeginSeason(int season, int start_day) override {
    return filled_.Push({Message::kBeginSeason, season, start_day, nullptr});
  }
  GameRecord* NextRecord() override { return empty_.Pop().value_or(nullptr); }
  bool Submit(GameRecord* record) override {
    return filled_.Push({Message::kGame, record->season, 0, record});
  }
  bool EndSeason(int season, int end_day) override {
    return filled_.Push({Message::kEndSeason, season, end_day, nullptr});
  }

 private:
  detail::BoundedQueue<Message>& filled_;
  detail::BoundedQueue<GameRecord*>& empty_;
};

Status Validate(const GeneratorOptions& options, int first_season) {
  if (options.seasons < 1 || options.seasons > kMaxSeasons) {
    return MakeError(ErrorCode::kInvalidArgument, "seasons must be 1..{}, got {}", kMaxSeasons,
                     options.seasons);
  }
  const int last_season = first_season + options.seasons - 1;
  if (first_season < kFirstSeason || last_season > kLastSeason) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "seasons must lie within {}-{:02} .. {}-{:02}, got start season {} ({} "
                     "seasons)",
                     kFirstSeason, (kFirstSeason + 1) % 100, kLastSeason, (kLastSeason + 1) % 100,
                     first_season, options.seasons);
  }
  return Ok();
}

Status CheckSeasonsFree(Connection& connection, int first, int last) {
  const Value range[] = {int64_t{first}, int64_t{last}};
  FB_ASSIGN_OR_RETURN(Value taken, connection.QueryScalar("SELECT MIN(season_id) FROM games "
                                                          "WHERE season_id BETWEEN ? AND ?",
                                                          range));
  if (const int64_t* season = std::get_if<int64_t>(&taken)) {
    return MakeError(ErrorCode::kAlreadyExists,
                     "the database already has games in season {}; generate into another "
                     "database or other seasons",
                     SeasonLabel(static_cast<int>(*season)));
  }
  return Ok();
}

Result<int64_t> FirstFreePlayerId(Connection& connection) {
  const Value floor[] = {kFirstPlayerId};
  FB_ASSIGN_OR_RETURN(Value max_id, connection.QueryScalar("SELECT MAX(player_id) FROM players "
                                                           "WHERE player_id >= ?",
                                                           floor));
  if (const int64_t* id = std::get_if<int64_t>(&max_id)) return *id + 1;
  return kFirstPlayerId;
}

// Simulates and writes the seasons; `players` receives the number of distinct players listed.
// The bulk-load settings are restored (which flushes the file) before it returns.
Result<detail::WriteCounts> SimulateAndWrite(Connection& connection,
                                             const GeneratorOptions& options, int first_season,
                                             int64_t first_player_id, int64_t& players) {
  const int last_season = first_season + options.seasons - 1;
  detail::BulkLoadSettings bulk_load(connection);
  FB_ASSIGN_OR_RETURN(
      std::unique_ptr<detail::LeagueWriter> writer,
      detail::LeagueWriter::Create(connection, first_player_id, options.play_by_play));

  std::vector<std::unique_ptr<GameRecord>> pool;
  detail::BoundedQueue<GameRecord*> empty(kRecordsInFlight);
  detail::BoundedQueue<Message> filled(kRecordsInFlight + 4);
  for (size_t i = 0; i < kRecordsInFlight; ++i) {
    pool.push_back(std::make_unique<GameRecord>());
    empty.Push(pool.back().get());
  }
  detail::LeagueSimulator simulator(options.seed, first_player_id);
  std::thread producer([&] {
    PipelineSink sink(filled, empty);
    for (int season = first_season; season <= last_season; ++season) {
      if (!simulator.SimulateSeason(season, sink)) break;
    }
    filled.Close();
  });

  Status status = Ok();
  int64_t games_done = 0;
  int64_t games_total = kEstimatedGamesPerSeason * options.seasons;
  while (std::optional<Message> message = filled.Pop()) {
    switch (message->kind) {
      case Message::kBeginSeason:
        status = writer->BeginSeason(message->season, message->day);
        break;
      case Message::kGame:
        status = writer->WriteGame(*message->record);
        empty.Push(message->record);
        ++games_done;
        games_total = std::max(games_total, games_done);
        if (options.on_progress && status) options.on_progress(games_done, games_total);
        break;
      case Message::kEndSeason:
        status = writer->EndSeason(message->season, message->day);
        if (message->season == last_season) games_total = games_done;
        break;
    }
    if (!status) {
      writer->Abort();
      empty.Close();
      filled.Close();
      break;
    }
  }
  producer.join();
  writer->Abort();  // no-op after the last commit
  if (!status) return tl::unexpected(std::move(status).error());
  if (options.on_progress) options.on_progress(games_done, games_done);

  const detail::League& league = simulator.league();
  players = 0;
  for (size_t i = 0; i < league.player_count(); ++i) {
    if (league.player(static_cast<int>(i)).last_listed_season != 0) ++players;
  }
  return writer->counts();
}

}  // namespace

Result<GeneratorReport> GenerateLeague(Connection& connection, const GeneratorOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int first_season =
      options.start_season == 0 ? 2026 - options.seasons : options.start_season;
  FB_RETURN_IF_ERROR(Validate(options, first_season));
  const int last_season = first_season + options.seasons - 1;
  // Refuse taken seasons before changing anything (the games table exists from version 1).
  FB_ASSIGN_OR_RETURN(const int schema_version, SchemaVersion(connection));
  if (schema_version >= 1) {
    FB_RETURN_IF_ERROR(CheckSeasonsFree(connection, first_season, last_season));
  }
  FB_RETURN_IF_ERROR(Migrate(connection));
  FB_RETURN_IF_ERROR(SeedTeams(connection));
  FB_ASSIGN_OR_RETURN(const int64_t first_player_id, FirstFreePlayerId(connection));

  GeneratorReport report;
  FB_ASSIGN_OR_RETURN(
      const detail::WriteCounts counts,
      SimulateAndWrite(connection, options, first_season, first_player_id, report.players));
  report.seasons = options.seasons;
  report.games = counts.games;
  report.team_game_rows = counts.team_game_rows;
  report.player_game_rows = counts.player_game_rows;
  report.play_by_play_rows = counts.play_by_play_rows;
  report.rows = counts.Total();
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.rows_per_second =
      report.seconds > 0 ? static_cast<double>(report.rows) / report.seconds : 0;
  return report;
}

}  // namespace fastbreak::db
