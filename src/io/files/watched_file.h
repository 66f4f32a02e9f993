#pragma once
// A configuration file re-read when it changes on disk, without a restart: the allowed-emails
// file (oauth2-proxy's --authenticated-emails-file, which it watches with fsnotify).
//
// Usage:
//   auto handle = std::make_shared<core::gate::EmailListHandle>(core::gate::EmailList{});
//   auto watched = io::watchEmailList(executor, config.allowedEmailsFile, handle,
//                                     [](std::string_view line) { spdlog::warn("{}", line); });
//   if (!watched) return fail(watched.error());   // unreadable or broken at start-up
//   (*watched)->start();                          // polls every 2 s on the executor
//   ...
//   (*watched)->stop();                           // from any thread
//
// Polling, not inotify: it sees every way a file is replaced (editors writing in place, rename
// over it, the symlink swap of a Kubernetes ConfigMap volume) the same way, by comparing the
// file's (inode, size, mtime) between polls. A change is read and handed to `apply`; when the
// file cannot be read or `apply` refuses the text, the last good content stays in force and
// one warning is logged for that change (not one per poll). A file seen changing while it was
// read is read again at the next poll, not applied half-written.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/gate/access_rules.h"
#include "core/result.h"

namespace authgate::io {

// Receives one human-readable warning per call (never file content). Empty: dropped.
using FileLogSink = std::function<void(std::string_view)>;

// Takes the new content into use, or says why it cannot (the old content then stays).
using FileApply = std::function<core::Result<core::Ok, std::string>(std::string_view content)>;

class WatchedFile : public std::enable_shared_from_this<WatchedFile> {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{2000};

  // Reads the file once and applies it: start-up fails fast on an unreadable or refused file
  // ("<path>: <why>"). Polling begins with start().
  static core::Result<std::shared_ptr<WatchedFile>, std::string> create(
      boost::asio::any_io_executor executor, std::string path, FileApply apply, FileLogSink log,
      std::chrono::milliseconds interval = kDefaultInterval);

  void start();
  // Stops polling; safe from any thread, idempotent.
  void stop();

  // Changes applied since create() (the initial read not counted); for tests and metrics.
  std::uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  // Changes that could not be read or were refused.
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

  // What identifies one version of a file: a rename over it changes the inode, a write the
  // size or the modification time (nanoseconds where the file system keeps them).
  struct Fingerprint {
    std::uint64_t inode = 0;
    std::uint64_t device = 0;
    std::int64_t size = 0;
    std::int64_t mtimeSeconds = 0;
    std::int64_t mtimeNanoseconds = 0;
    bool operator==(const Fingerprint&) const = default;
  };

 private:
  WatchedFile(boost::asio::any_io_executor executor, std::string path, FileApply apply,
              FileLogSink log, std::chrono::milliseconds interval);

  static boost::asio::awaitable<void> run(std::shared_ptr<WatchedFile> self);
  // One poll: reload when the fingerprint differs from the last one handled.
  void poll();
  void warn(const std::string& message) const;

  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer timer_;
  const std::string path_;
  const FileApply apply_;
  const FileLogSink log_;
  const std::chrono::milliseconds interval_;
  // The version last handled (applied or refused); nullopt: the file was missing/unreadable.
  std::optional<Fingerprint> seen_;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> failures_{0};
};

// The allowed-emails file: each version parsed with EmailList::parse and swapped into `handle`.
core::Result<std::shared_ptr<WatchedFile>, std::string> watchEmailList(
    boost::asio::any_io_executor executor, std::string path,
    std::shared_ptr<core::gate::EmailListHandle> handle, FileLogSink log,
    std::chrono::milliseconds interval = WatchedFile::kDefaultInterval);

}  // namespace authgate::io
