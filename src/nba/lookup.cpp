#include "nba/lookup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace fastbreak::nba {
namespace {

// Latin-1 Supplement U+00C0..U+00FF and Latin Extended-A U+0100..U+017F, each mapped to its base
// letter ('*' for the two symbols in the range).
constexpr std::string_view kLatin1 =
    "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo*ouuuuyty";
constexpr std::string_view kLatinExtendedA =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSs"
    "Ss"
    "SsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
static_assert(kLatin1.size() == 64);
static_assert(kLatinExtendedA.size() == 128);

// A name as it is compared: lower case ASCII, accents folded (Dončić -> doncic), periods and
// apostrophes dropped (O'Neal -> oneal, C.J. -> cj), hyphens and commas as spaces, one space
// between words.
std::string FoldName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  auto put = [&](char c) {
    if (c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      return;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c;
  };
  for (size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte < 0x80) {
      const char c = name[i];
      if (c == '.' || c == '\'' || c == '`') continue;
      put(c == '-' || c == ',' || c == '_' || c == '\t' ? ' ' : c);
      continue;
    }
    if ((byte & 0xE0) == 0xC0 && i + 1 < name.size()) {
      const unsigned code =
          ((byte & 0x1Fu) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3Fu);
      if (code >= 0xC0 && code < 0x100) {
        const char base = kLatin1[code - 0xC0];
        if (base != '*') put(base);
        ++i;
        continue;
      }
      if (code >= 0x100 && code < 0x180) {
        put(kLatinExtendedA[code - 0x100]);
        ++i;
        continue;
      }
    }
    // U+2018/U+2019 quotation marks are apostrophes in names (D’Angelo).
    if (byte == 0xE2 && i + 2 < name.size() && static_cast<unsigned char>(name[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(name[i + 2]) == 0x98 ||
         static_cast<unsigned char>(name[i + 2]) == 0x99)) {
      i += 2;
      continue;
    }
    out += name[i];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> SplitWords(const std::string& folded) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    if (end > start) words.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// True when each query word starts a distinct name word, in order: "steph cur" matches
// "stephen curry", "jackson" matches "jaren jackson jr".
bool WordsPrefixMatch(const std::vector<std::string>& words,
                      const std::vector<std::string>& tokens) {
  if (words.empty()) return false;
  size_t next = 0;
  for (const auto& word : words) {
    while (next < tokens.size() && !tokens[next].starts_with(word)) ++next;
    if (next == tokens.size()) return false;
    ++next;
  }
  return true;
}

// The largest edit distance accepted as a misspelling of a query of `length` bytes.
int FuzzyThreshold(size_t length) {
  if (length <= 3) return 0;
  if (length <= 5) return 1;
  if (length <= 9) return 2;
  return 3;
}

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), or
// `limit + 1` as soon as it must exceed `limit`.
int EditDistance(const std::string& a, const std::string& b, int limit) {
  const size_t n = b.size();
  std::vector<int> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<int>(i);
    int row_min = current[0];
    for (size_t j = 1; j <= n; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        value = std::min(value, before[j - 2] + 1);
      }
      current[j] = value;
      row_min = std::min(row_min, value);
    }
    if (row_min > limit) return limit + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[n], limit + 1);
}

// One player as the name index holds him.
struct IndexedPlayer {
  PlayerRef ref;
  std::string full;   // folded full name: "luka doncic"
  std::string first;  // folded first name
  std::string last;   // folded last name
  std::vector<std::string> tokens;
};

// Every player's names, folded, loaded once per database and shared read-only by all callers.
struct NameIndex {
  // What the players table looked like when the index was built (see KeyAndFingerprint).
  std::string fingerprint;
  std::vector<IndexedPlayer> players;
  std::unordered_map<int64_t, size_t> by_id;
};

// The three counts a fingerprint is made of (see KeyAndFingerprint), as SELECT columns.
constexpr std::string_view kFingerprintColumns =
    "(SELECT COUNT(*) FROM players), (SELECT MAX(player_id) FROM players), "
    "(SELECT MAX(import_id) FROM imports)";

// The fingerprint in the kFingerprintColumns that start at column `first`.
std::string ReadFingerprint(const db::Statement& statement, int first) {
  std::string out;
  for (int c = first; c < first + 3; ++c) {
    out += statement.IsNull(c) ? "-" : std::to_string(statement.GetInt(c));
    out += '/';
  }
  return out;
}

struct KeyedFingerprint {
  // The database file (SQLite) or server and database (PostgreSQL), so that one process serving
  // several databases keeps one index for each.
  std::string key;
  // A cheap summary of the players table (and the imports log) that changes whenever players
  // are added, removed or re-imported.
  std::string fingerprint;
};

Result<KeyedFingerprint> KeyAndFingerprint(db::Connection& db) {
  KeyedFingerprint out;
  if (db.dialect() == db::Dialect::kPostgres) {  // one round trip for both
    static const std::string sql = fmt::format(
        "SELECT 'postgres:' || COALESCE(host(inet_server_addr()), 'local') || ':' || "
        "current_setting('port') || '/' || current_database(), {}",
        kFingerprintColumns);
    FB_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (row) {
      out.key = std::string(statement->GetText(0));
      out.fingerprint = ReadFingerprint(*statement, 1);
    }
    return out;
  }
  FB_ASSIGN_OR_RETURN(auto files, db.Prepare("PRAGMA database_list"));
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, files->Step());
    if (!row) break;
    if (files->GetText(1) == "main") out.key = std::string(files->GetText(2));
  }
  files->Reset();
  static const std::string sql = fmt::format("SELECT {}", kFingerprintColumns);
  FB_ASSIGN_OR_RETURN(auto statement, db.Prepare(sql));
  FB_ASSIGN_OR_RETURN(bool row, statement->Step());
  if (row) out.fingerprint = ReadFingerprint(*statement, 0);
  return out;
}

Result<std::shared_ptr<const NameIndex>> BuildIndex(db::Connection& db, std::string fingerprint) {
  auto index = std::make_shared<NameIndex>();
  index->fingerprint = std::move(fingerprint);
  FB_ASSIGN_OR_RETURN(auto statement,
                      db.Prepare("SELECT player_id, first_name, last_name, full_name, from_year, "
                                 "to_year, is_active FROM players"));
  while (true) {
    FB_ASSIGN_OR_RETURN(bool row, statement->Step());
    if (!row) break;
    IndexedPlayer player;
    player.ref.player_id = statement->GetInt(0);
    player.first = FoldName(statement->GetText(1));
    player.last = FoldName(statement->GetText(2));
    player.ref.name = std::string(statement->GetText(3));
    player.full = FoldName(player.ref.name);
    if (!statement->IsNull(4) && statement->GetInt(4) > 0) {
      player.ref.from_year = static_cast<int>(statement->GetInt(4));
    }
    if (!statement->IsNull(5) && statement->GetInt(5) > 0) {
      player.ref.to_year = static_cast<int>(statement->GetInt(5));
    }
    player.ref.is_active = statement->GetInt(6) != 0;
    player.tokens = SplitWords(player.full);
    index->by_id.emplace(player.ref.player_id, index->players.size());
    index->players.push_back(std::move(player));
  }
  return std::shared_ptr<const NameIndex>(std::move(index));
}

// The current index for the database behind `db`, rebuilt when the players table changed.
// Thread-safe: the cache is guarded by a mutex; an index is immutable once published.
Result<std::shared_ptr<const NameIndex>> CurrentIndex(db::Connection& db) {
  static std::mutex mutex;
  static auto* cache = new std::map<std::string, std::shared_ptr<const NameIndex>>();
  FB_ASSIGN_OR_RETURN(KeyedFingerprint keyed, KeyAndFingerprint(db));
  const std::string& key = keyed.key;
  std::string fingerprint = std::move(keyed.fingerprint);
  {
    std::lock_guard lock(mutex);
    auto it = cache->find(key);
    if (it != cache->end() && it->second->fingerprint == fingerprint) return it->second;
  }
  FB_ASSIGN_OR_RETURN(auto index, BuildIndex(db, std::move(fingerprint)));
  std::lock_guard lock(mutex);
  (*cache)[key] = index;
  return index;
}

// How well a folded query matches a player; lower is better, nullopt is no match.
enum Tier : int {
  kExactFull = 0,
  kExactPart = 1,   // the first or last name exactly
  kWordPrefix = 2,  // every query word starts a name word, in order ("steph cur")
  kSubstring = 3,
  kFuzzy = 4,  // kFuzzy + edit distance
};

std::optional<int> MatchTier(const IndexedPlayer& player, const std::string& query,
                             const std::vector<std::string>& words, bool fuzzy) {
  if (query.empty()) return kSubstring;
  if (player.full == query) return kExactFull;
  if (player.last == query || player.first == query) return kExactPart;
  if (WordsPrefixMatch(words, player.tokens)) return kWordPrefix;
  if (player.full.find(query) != std::string::npos) return kSubstring;
  if (!fuzzy) return std::nullopt;
  const int limit = FuzzyThreshold(query.size());
  int best = limit + 1;
  auto consider = [&](const std::string& candidate) {
    const size_t a = candidate.size();
    const size_t b = query.size();
    if ((a > b ? a - b : b - a) > static_cast<size_t>(limit)) return;
    best = std::min(best, EditDistance(query, candidate, limit));
  };
  consider(player.full);
  consider(player.last);
  if (words.size() == 1) {
    for (const auto& token : player.tokens) consider(token);
  }
  if (best <= limit) return kFuzzy + best;
  return std::nullopt;
}

struct Match {
  int tier;
  const IndexedPlayer* player;
};

// All matches ranked: tier, then active players and recent careers first, then name.
// Misspellings are tried only when nothing matches exactly, by prefix or by substring, or when
// `want` matches are asked for and fewer were found.
std::vector<Match> RankedMatches(const NameIndex& index, std::string_view query, bool active_only,
                                 size_t want = 1) {
  const std::string folded = FoldName(query);
  const std::vector<std::string> words = SplitWords(folded);
  std::vector<Match> matches;
  for (const bool fuzzy : {false, true}) {
    if (fuzzy && matches.size() >= want) break;
    matches.clear();
    for (const auto& player : index.players) {
      if (active_only && !player.ref.is_active) continue;
      if (auto tier = MatchTier(player, folded, words, fuzzy)) matches.push_back({*tier, &player});
    }
  }
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.player->ref.is_active != b.player->ref.is_active) return a.player->ref.is_active;
    const int a_to = a.player->ref.to_year.value_or(0);
    const int b_to = b.player->ref.to_year.value_or(0);
    if (a_to != b_to) return a_to > b_to;
    if (a.player->ref.name != b.player->ref.name) return a.player->ref.name < b.player->ref.name;
    return a.player->ref.player_id < b.player->ref.player_id;
  });
  return matches;
}

std::string Years(const PlayerRef& ref) {
  if (!ref.from_year && !ref.to_year) return "no games";
  if (ref.from_year && ref.to_year) return fmt::format("{}-{}", *ref.from_year, *ref.to_year);
  return std::to_string(ref.from_year ? *ref.from_year : *ref.to_year);
}

std::optional<int64_t> ParseId(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() &&
        value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::numeric_limits<int64_t>::max();
    }
    return value.get<int64_t>();
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  size_t begin = text.find_first_not_of(' ');
  size_t end = text.find_last_not_of(' ');
  if (begin == std::string::npos) return std::nullopt;
  int64_t id = 0;
  const char* first = text.data() + begin;
  const char* last = text.data() + end + 1;
  auto [ptr, ec] = std::from_chars(first, last, id);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return id;
}

std::string PlayerCandidate(const PlayerRef& ref) {
  return fmt::format("{} (id {}, {})", ref.name, ref.player_id, Years(ref));
}

}  // namespace

Result<PlayerRef> ResolvePlayer(db::Connection& db, const nlohmann::json& value,
                                std::string_view argument) {
  if (!value.is_string() && !value.is_number_integer()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "{} must be a player id (integer) or a name (string), got {}", argument,
                     value.dump().substr(0, 60));
  }
  FB_ASSIGN_OR_RETURN(auto index, CurrentIndex(db));
  if (auto id = ParseId(value)) {
    auto it = index->by_id.find(*id);
    if (it == index->by_id.end()) {
      return MakeError(ErrorCode::kNotFound,
                       "no player with id {}; use search_players to find a player's id", *id);
    }
    return index->players[it->second].ref;
  }
  const auto& name = value.get_ref<const std::string&>();
  if (name.size() > 200) {
    return MakeError(ErrorCode::kInvalidArgument, "{} is too long ({} bytes; at most 200)",
                     argument, name.size());
  }
  if (FoldName(name).empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "{} must not be empty", argument);
  }
  const std::vector<Match> matches = RankedMatches(*index, name, false);
  if (matches.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "no player matches {} \"{}\"; try search_players with part of the name",
                     argument, name);
  }
  size_t best = 1;
  while (best < matches.size() && matches[best].tier == matches[0].tier) ++best;
  if (best == 1) return matches[0].player->ref;
  std::string candidates;
  for (size_t i = 0; i < best && i < 10; ++i) {
    if (i > 0) candidates += "; ";
    candidates += PlayerCandidate(matches[i].player->ref);
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "{} \"{}\" matches {} players: {}{}; pass the player's id or full name",
                   argument, name, best, candidates, best > 10 ? "; ..." : "");
}

Result<std::vector<PlayerRef>> SearchPlayers(db::Connection& db, std::string_view query,
                                             size_t limit, bool active_only) {
  FB_ASSIGN_OR_RETURN(auto index, CurrentIndex(db));
  std::vector<PlayerRef> out;
  const std::vector<Match> matches = RankedMatches(*index, query, active_only, limit);
  for (size_t i = 0; i < matches.size() && out.size() < limit; ++i) {
    out.push_back(matches[i].player->ref);
  }
  return out;
}

}  // namespace fastbreak::nba
