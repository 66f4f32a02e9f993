// io::WatchedFile with the allowed-emails list: start-up reads, reloads on write and on rename,
// keeps the last good list through broken or missing versions (one warning per change), and
// stops. Polls every 20 ms; tests wait for the counters, never for a fixed time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "io/files/watched_file.h"

namespace authgate::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr std::chrono::milliseconds kInterval{20};

bool runUntil(boost::asio::io_context& context, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    context.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

class WatchedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("authgate-watched-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "emails.txt").string();
  }
  void TearDown() override {
    if (watched_) {
      watched_->stop();
      context_.run_for(std::chrono::milliseconds(50));
    }
    fs::remove_all(dir_);
  }

  void write(const std::string& content, const std::string& path = {}) {
    std::ofstream out(path.empty() ? path_ : path, std::ios::binary | std::ios::trunc);
    out << content;
  }

  core::Result<std::shared_ptr<WatchedFile>, std::string> watch() {
    return watchEmailList(
        context_.get_executor(), path_, handle_,
        [this](std::string_view line) { log_.emplace_back(line); }, kInterval);
  }

  void startWatching(const std::string& content) {
    write(content);
    auto watched = watch();
    ASSERT_TRUE(watched) << watched.error();
    watched_ = *watched;
    watched_->start();
  }

  bool allows(std::string_view email) const { return handle_->current()->contains(email); }

  fs::path dir_;
  std::string path_;
  boost::asio::io_context context_;
  std::shared_ptr<core::gate::EmailListHandle> handle_ =
      std::make_shared<core::gate::EmailListHandle>(core::gate::EmailList{});
  std::shared_ptr<WatchedFile> watched_;
  std::vector<std::string> log_;  // written on this thread only (the watcher runs here)
};

TEST_F(WatchedFileTest, StartUpFailsOnAMissingOrBrokenFile) {
  auto missing = watch();
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error(), HasSubstr(path_ + ": cannot read ("));
  write("alice@example.com\nnot-an-address\n");
  auto broken = watch();
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error(), HasSubstr(path_ + ": line 2: not an email address"));
  EXPECT_EQ(handle_->current()->size(), 0u);
}

TEST_F(WatchedFileTest, LoadsAtStartAndReloadsWhenWritten) {
  startWatching("alice@example.com\n");
  EXPECT_TRUE(allows("alice@example.com"));
  write("alice@example.com\nbob@example.com\n");
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->reloads() == 1; }));
  EXPECT_TRUE(allows("bob@example.com"));
  EXPECT_TRUE(log_.empty());
}

TEST_F(WatchedFileTest, ReloadsWhenRenamedOver) {
  // How ConfigMap volumes and careful editors replace a file: a new inode, maybe the same size.
  startWatching("alice@example.com\n");
  const std::string staged = (dir_ / "emails.new").string();
  write("carol@example.com\n", staged);
  fs::rename(staged, path_);
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->reloads() == 1; }));
  EXPECT_TRUE(allows("carol@example.com"));
  EXPECT_FALSE(allows("alice@example.com"));
}

TEST_F(WatchedFileTest, BrokenVersionKeepsTheOldListAndWarnsOnce) {
  startWatching("alice@example.com\n");
  write("alice@example.com\n\nbob@@example.com\n");
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->failures() == 1; }));
  EXPECT_TRUE(allows("alice@example.com"));
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], HasSubstr("line 3: not an email address"));
  EXPECT_THAT(log_[0], HasSubstr("keeping the previous version"));
  // Later polls see the same broken version: no new warning (a few polls' time).
  context_.run_for(5 * kInterval);
  EXPECT_EQ(watched_->failures(), 1u);
  EXPECT_EQ(log_.size(), 1u);
  // Fixed: applied.
  write("alice@example.com\nbob@example.com\n# fixed\n");
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->reloads() == 1; }));
  EXPECT_TRUE(allows("bob@example.com"));
  EXPECT_EQ(log_.size(), 1u);
}

TEST_F(WatchedFileTest, MissingFileKeepsTheOldListUntilItReturns) {
  startWatching("alice@example.com\n");
  fs::remove(path_);
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->failures() == 1; }));
  EXPECT_TRUE(allows("alice@example.com"));
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], HasSubstr("cannot read"));
  write("dave@example.com\n");
  ASSERT_TRUE(runUntil(context_, [&] { return watched_->reloads() == 1; }));
  EXPECT_TRUE(allows("dave@example.com"));
  EXPECT_FALSE(allows("alice@example.com"));
  EXPECT_EQ(watched_->failures(), 1u);
}

TEST_F(WatchedFileTest, StopEndsPolling) {
  startWatching("alice@example.com\n");
  watched_->stop();
  watched_->stop();  // idempotent
  // The loop ends and leaves the context without work: run() returns on its own.
  context_.run();
  write("alice@example.com\nerin@example.com\n");
  context_.restart();
  context_.run_for(3 * kInterval);
  EXPECT_EQ(watched_->reloads(), 0u);
  EXPECT_FALSE(allows("erin@example.com"));
  watched_.reset();
}

}  // namespace
}  // namespace authgate::io
