// Every seed of the config fuzz target goes through the loader (STYLE.md §10): it must return a
// Config or problems, never crash or throw, and the seeds copied from tests/data keep their
// verdict.
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_support.h"
#include "core/config/loader.h"

namespace authgate::core::config {
namespace {

TEST(ConfigCorpus, EverySeedLoadsWithoutCrashing) {
  const std::filesystem::path corpus = AUTHGATE_FUZZ_CORPUS "/config";
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string text = testing::readTestFile(entry.path().string());
    auto loaded = load(Inputs{.file = text});
    if (!loaded) {
      EXPECT_FALSE(loaded.error().empty()) << entry.path();
    }
    const std::string name = entry.path().filename().string();
    if (name == "valid_full.yaml") {
      EXPECT_TRUE(loaded) << name;
    } else if (name == "invalid_several.yaml") {
      EXPECT_FALSE(loaded) << name;
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 10u);
}

TEST(ConfigCorpus, EveryTomlSeedLoadsWithoutCrashing) {
  const std::filesystem::path corpus = AUTHGATE_FUZZ_CORPUS "/config_toml";
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string text = testing::readTestFile(entry.path().string());
    auto loaded = load(Inputs{.file = text, .format = FileFormat::Toml});
    if (!loaded) {
      EXPECT_FALSE(loaded.error().empty()) << entry.path();
    }
    const std::string name = entry.path().filename().string();
    if (name == "seed.toml") {
      EXPECT_TRUE(loaded) << name;
    } else if (name == "wrong_types.toml" || name == "unterminated.toml") {
      EXPECT_FALSE(loaded) << name;
    }
    ++seeds;
  }
  EXPECT_GE(seeds, 10u);
}

}  // namespace
}  // namespace authgate::core::config
