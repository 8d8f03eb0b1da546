#include <filesystem>

#include "app/commands.hpp"

namespace fastbreak::app {

Result<WritableDatabase> OpenForWriting(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return MakeError(ErrorCode::kNotFound, "directory '{}' does not exist", parent.string());
  }
  WritableDatabase opened;
  FB_ASSIGN_OR_RETURN(opened.database, db::SqliteDatabase::Open({.path = path}));
  FB_ASSIGN_OR_RETURN(opened.connection, opened.database->Connect(db::AccessMode::kReadWrite));
  return opened;
}

}  // namespace fastbreak::app
