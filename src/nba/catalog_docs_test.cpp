// docs/tools.md documents every tool and every argument the catalog has.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "nba/catalog.hpp"

namespace fastbreak::nba {
namespace {

std::string ReadToolsDoc() {
  std::ifstream file(std::string(FASTBREAK_SOURCE_DIR) + "/docs/tools.md");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(CatalogDocsTest, ToolsMdCoversEveryToolAndArgument) {
  const std::string doc = ReadToolsDoc();
  ASSERT_FALSE(doc.empty()) << "docs/tools.md is missing";
  for (const auto& tool : NbaCatalog().tools) {
    const size_t section = doc.find("\n## " + tool.name + "\n");
    ASSERT_NE(section, std::string::npos) << "no section for " << tool.name;
    const size_t next = doc.find("\n## ", section + 4);
    const std::string body = doc.substr(section, next - section);
    for (const auto& [argument, schema] : tool.input_schema["properties"].items()) {
      EXPECT_NE(body.find("| `" + argument + "` |"), std::string::npos)
          << tool.name << "." << argument << " is not documented";
    }
  }
  for (const auto& prompt : NbaCatalog().prompts) {
    EXPECT_NE(doc.find("`" + prompt.name + "`"), std::string::npos) << prompt.name;
  }
  for (const auto& resource : NbaCatalog().resources) {
    EXPECT_NE(doc.find("`" + resource.uri + "`"), std::string::npos) << resource.uri;
  }
}

// The data tools are read-only and cacheable; the cache tools change only the cache; the
// query tools report on the server, so they are read-only but never cached.
TEST(CatalogDocsTest, EveryToolIsReadOnlyWithObjectSchemas) {
  const std::set<std::string> query_tools = {"get_top_queries", "get_slow_queries", "analyze_query",
                                             "recommend_indexes"};
  for (const auto& tool : NbaCatalog().tools) {
    const bool cache_tool = tool.name.find("cache") != std::string::npos;
    const bool query_tool = query_tools.count(tool.name) > 0;
    EXPECT_EQ(tool.cacheable, !cache_tool && !query_tool) << tool.name;
    if (!cache_tool) {
      EXPECT_TRUE(tool.annotations.read_only) << tool.name;
    }
    EXPECT_FALSE(tool.annotations.destructive) << tool.name;
    EXPECT_FALSE(tool.annotations.open_world) << tool.name;
    EXPECT_EQ(tool.input_schema["type"], "object") << tool.name;
    EXPECT_EQ(tool.output_schema["type"], "object") << tool.name;
    EXPECT_EQ(tool.input_schema["additionalProperties"], false) << tool.name;
  }
}

}  // namespace
}  // namespace fastbreak::nba
