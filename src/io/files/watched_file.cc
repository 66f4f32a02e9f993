#include "io/files/watched_file.h"

#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

namespace authgate::io {
namespace {

// errno as text (std::strerror is not thread-safe).
std::string lastError() {
  return std::error_code(errno, std::generic_category()).message();
}

// stat(2) follows symbolic links: a ConfigMap's "..data" swap shows as a new inode.
std::optional<WatchedFile::Fingerprint> fingerprintOf(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return WatchedFile::Fingerprint{
      .inode = static_cast<std::uint64_t>(info.st_ino),
      .device = static_cast<std::uint64_t>(info.st_dev),
      .size = static_cast<std::int64_t>(info.st_size),
      .mtimeSeconds = static_cast<std::int64_t>(info.st_mtim.tv_sec),
      .mtimeNanoseconds = static_cast<std::int64_t>(info.st_mtim.tv_nsec),
  };
}

std::optional<std::string> readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return std::nullopt;
  }
  return std::move(content).str();
}

}  // namespace

WatchedFile::WatchedFile(boost::asio::any_io_executor executor, std::string path, FileApply apply,
                         FileLogSink log, std::chrono::milliseconds interval)
    : executor_(executor),
      timer_(executor),
      path_(std::move(path)),
      apply_(std::move(apply)),
      log_(std::move(log)),
      interval_(interval) {}

core::Result<std::shared_ptr<WatchedFile>, std::string> WatchedFile::create(
    boost::asio::any_io_executor executor, std::string path, FileApply apply, FileLogSink log,
    std::chrono::milliseconds interval) {
  std::shared_ptr<WatchedFile> file(
      new WatchedFile(executor, std::move(path), std::move(apply), std::move(log), interval));
  const auto before = fingerprintOf(file->path_);
  if (!before) {
    return core::fail(file->path_ + ": cannot read (" + lastError() + ")");
  }
  const auto content = readWhole(file->path_);
  if (!content) {
    return core::fail(file->path_ + ": cannot read");
  }
  auto applied = file->apply_(*content);
  if (!applied) {
    return core::fail(file->path_ + ": " + applied.error());
  }
  // Compared with the version after the read: a write during it is picked up by the first poll.
  file->seen_ = before;
  return file;
}

void WatchedFile::start() {
  boost::asio::co_spawn(executor_, run(shared_from_this()), boost::asio::detached);
}

void WatchedFile::stop() {
  stopped_.store(true, std::memory_order_release);
  boost::asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
}

boost::asio::awaitable<void> WatchedFile::run(std::shared_ptr<WatchedFile> self) {
  while (!self->stopped_.load(std::memory_order_acquire)) {
    self->timer_.expires_after(self->interval_);
    boost::system::error_code ignored;
    co_await self->timer_.async_wait(
        boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    if (self->stopped_.load(std::memory_order_acquire)) {
      break;
    }
    self->poll();
  }
}

void WatchedFile::poll() {
  const auto before = fingerprintOf(path_);
  if (before == seen_) {
    return;
  }
  if (!before) {
    // Gone or unreadable: keep the last good content, say so once until it comes back.
    const std::string why = lastError();
    seen_ = std::nullopt;
    failures_.fetch_add(1, std::memory_order_relaxed);
    warn(path_ + ": cannot read (" + why + "); keeping the previous version");
    return;
  }
  const auto content = readWhole(path_);
  const auto after = fingerprintOf(path_);
  if (after != before) {
    return;  // written while read: read again at the next poll, never apply half a file
  }
  seen_ = before;
  if (!content) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    warn(path_ + ": cannot read; keeping the previous version");
    return;
  }
  auto applied = apply_(*content);
  if (!applied) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    warn(path_ + ": " + applied.error() + "; keeping the previous version");
    return;
  }
  reloads_.fetch_add(1, std::memory_order_relaxed);
}

void WatchedFile::warn(const std::string& message) const {
  if (log_) {
    log_(message);
  }
}

core::Result<std::shared_ptr<WatchedFile>, std::string> watchEmailList(
    boost::asio::any_io_executor executor, std::string path,
    std::shared_ptr<core::gate::EmailListHandle> handle, FileLogSink log,
    std::chrono::milliseconds interval) {
  FileApply apply = [handle](std::string_view content) -> core::Result<core::Ok, std::string> {
    auto list = core::gate::EmailList::parse(content);
    if (!list) {
      return core::fail(list.error());
    }
    handle->replace(std::make_shared<const core::gate::EmailList>(std::move(*list)));
    return core::Ok{};
  };
  return WatchedFile::create(std::move(executor), std::move(path), std::move(apply), std::move(log),
                             interval);
}

}  // namespace authgate::io
