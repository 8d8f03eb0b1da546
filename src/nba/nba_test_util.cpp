#include "nba/nba_test_util.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "db/generator/generator.hpp"
#include "db/schema/migrations.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "testing/testing.hpp"

namespace fastbreak::nba::testing {
namespace {

struct League {
  fastbreak::testing::TempDir dir;
  std::string path;
  std::unique_ptr<db::SqliteDatabase> database;

  League() : path((dir.path() / "league.db").string()) {
    db::SqliteOptions options;
    options.path = path;
    auto opened = db::SqliteDatabase::Open(options);
    if (!opened) throw std::runtime_error(opened.error().ToString());
    database = std::move(*opened);
    auto connection = database->Connect(db::AccessMode::kReadWrite);
    if (!connection) throw std::runtime_error(connection.error().ToString());
    if (auto migrated = db::Migrate(**connection); !migrated) {
      throw std::runtime_error(migrated.error().ToString());
    }
    db::GeneratorOptions generator;
    generator.seasons = 1;
    generator.start_season = 2024;
    generator.seed = 7;
    if (auto report = db::GenerateLeague(**connection, generator); !report) {
      throw std::runtime_error(report.error().ToString());
    }
  }
};

League& TheLeague() {
  static League* league = new League();  // lives until exit; TempDir removal is not needed
  return *league;
}

void CheckSchema(const Json& schema, const Json& value, const std::string& path,
                 std::vector<std::string>& errors) {
  if (schema.contains("oneOf")) {
    int matched = 0;
    for (const auto& option : schema["oneOf"]) {
      std::vector<std::string> option_errors;
      CheckSchema(option, value, path, option_errors);
      if (option_errors.empty()) ++matched;
    }
    if (matched != 1) errors.push_back(path + ": matches " + std::to_string(matched) + " oneOf");
    return;
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_string()) {
      types.push_back(schema["type"]);
    } else {
      for (const auto& type : schema["type"]) types.push_back(type);
    }
    bool ok = false;
    for (const auto& type : types) {
      ok = ok || (type == "null" && value.is_null()) || (type == "object" && value.is_object()) ||
           (type == "array" && value.is_array()) || (type == "string" && value.is_string()) ||
           (type == "boolean" && value.is_boolean()) ||
           (type == "integer" && value.is_number_integer()) ||
           (type == "number" && value.is_number());
    }
    if (!ok) {
      errors.push_back(path + ": " + value.dump() + " is not " + schema["type"].dump());
      return;
    }
  }
  if (schema.contains("enum") && !value.is_null()) {
    bool found = false;
    for (const auto& option : schema["enum"]) found = found || option == value;
    if (!found) errors.push_back(path + ": " + value.dump() + " not in enum");
  }
  if (value.is_object()) {
    const Json properties = schema.value("properties", Json::object());
    for (const auto& key : schema.value("required", Json::array())) {
      if (!value.contains(key.get<std::string>())) {
        errors.push_back(path + ": missing required " + key.get<std::string>());
      }
    }
    for (const auto& [key, member] : value.items()) {
      if (properties.contains(key)) {
        CheckSchema(properties[key], member, path + "." + key, errors);
      } else if (schema.value("additionalProperties", true) == false) {
        errors.push_back(path + ": undeclared key " + key);
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      CheckSchema(schema["items"], value[i], path + "[" + std::to_string(i) + "]", errors);
    }
  }
}

}  // namespace

std::vector<std::string> SchemaViolations(const Json& schema, const Json& value,
                                          const std::string& path) {
  std::vector<std::string> errors;
  CheckSchema(schema, value, path, errors);
  return errors;
}

int64_t QueryInt(db::Connection& db, std::string_view sql, std::vector<db::Value> params) {
  auto value = db.QueryScalar(sql, params);
  EXPECT_TRUE(value.has_value()) << sql;
  if (!value) return -1;
  const auto* number = std::get_if<int64_t>(&*value);
  return number != nullptr ? *number : -1;
}

Result<ToolOutput> CallTool(db::Connection& db, std::string_view tool, const Json& arguments) {
  const ToolSpec* spec = NbaCatalog().FindTool(tool);
  EXPECT_NE(spec, nullptr) << tool;
  if (spec == nullptr) return MakeError(ErrorCode::kInternal, "no tool {}", tool);
  CallContext context{db, {}};
  auto output = spec->run(arguments, context);
  if (output) {
    for (const auto& error :
         SchemaViolations(spec->output_schema, output->structured, std::string(tool))) {
      ADD_FAILURE() << error << " (arguments " << arguments.dump() << ")";
    }
    EXPECT_FALSE(output->text.empty()) << tool;
  }
  return output;
}

const std::string& GeneratedLeaguePath() { return TheLeague().path; }

std::unique_ptr<db::Connection> OpenGeneratedLeague() {
  auto connection = TheLeague().database->Connect(db::AccessMode::kReadOnly);
  if (!connection) throw std::runtime_error(connection.error().ToString());
  return std::move(*connection);
}

}  // namespace fastbreak::nba::testing
