#pragma once
// A file that grows by whole records (result.json lines, progress.csv rows): each append is
// either all there or, if it fails, undone, so the file never keeps half a record written by a
// failed append; see docs/training.md, "Why appends, and how they stay safe".

#if !defined(__unix__) && !defined(__APPLE__)
#error "rlpp/trainer/detail/append_file.hpp needs POSIX (open, write, ftruncate)"
#endif

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"

namespace rlpp::detail {

class AppendFile {
 public:
  AppendFile() = default;
  explicit AppendFile(std::filesystem::path path) : path_(std::move(path)) {}
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  AppendFile(AppendFile&& other) noexcept : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}
  AppendFile& operator=(AppendFile&& other) noexcept {
    if (this != &other) {
      close();
      path_ = std::move(other.path_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~AppendFile() { close(); }

  const std::filesystem::path& path() const noexcept { return path_; }

  // (Re)opens for appending, creating the file if needed. After the file was replaced by a
  // rename (write_file_atomically), this must be called again: the old descriptor still points
  // at the replaced file.
  void open() {
    close();
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw CheckpointError(path_.string(), "cannot open for appending: " + errno_text(errno));
  }
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool is_open() const noexcept { return fd_ >= 0; }

  // The file's size now (the offset to truncate back to if a later step fails).
  std::size_t size() const {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) throw CheckpointError(path_.string(), "cannot stat: " + errno_text(errno));
    return static_cast<std::size_t>(info.st_size);
  }

  // Appends all of `bytes`, or throws CheckpointError with the file cut back to its size before
  // the call (a write that fails half-way, e.g. on a full disk, leaves no partial record).
  void append(std::string_view bytes) {
    const std::size_t before = size();
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      const ssize_t written = ::write(fd_, data, left);
      if (written < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        truncate_to(before);
        throw CheckpointError(path_.string(), "cannot append: " + errno_text(error),
                              "the file is as it was before this result");
      }
      data += written;
      left -= static_cast<std::size_t>(written);
    }
  }

  // Best effort: used to undo an append when a later step of the same logical write failed.
  void truncate_to(std::size_t size) noexcept {
    if (fd_ >= 0) (void)::ftruncate(fd_, static_cast<off_t>(size));
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace rlpp::detail
