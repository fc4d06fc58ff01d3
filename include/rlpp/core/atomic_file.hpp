#pragma once
// Whole-file writes that are atomic (DESIGN: a crash while saving leaves the previous checkpoint
// intact) and whole-file reads with clear errors. POSIX: the bytes go to a temporary file in the
// target's directory, which is fsync'ed and then renamed over the target.

#if !defined(__unix__) && !defined(__APPLE__)
#error "rlpp/core/atomic_file.hpp needs POSIX (open, fsync, rename)"
#endif

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp {

namespace detail {
inline std::string errno_text(int error) { return std::generic_category().message(error); }

// Closes on scope exit unless released; keeps every error path below free of fd leaks.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  // Closes now and returns close()'s result: on some filesystems (NFS) a write error surfaces
  // only here.
  int close() noexcept {
    if (fd_ < 0) return 0;
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

inline std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}
}  // namespace detail

// Replaces (or creates) `path` with exactly `bytes`: readers see the old file or the new one,
// never a mix, and after a crash the old file is still there. On failure the temporary file is
// removed, the old file is untouched, and a CheckpointError names the path and the system's
// reason ("No space left on device").
inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const std::string where = path.string();
  if (!path.has_filename()) throw CheckpointError(where, "cannot write a file: the path names no file");
  const std::filesystem::path directory = detail::directory_of(path);

  // A name no other writer uses: hidden, next to the target (rename is atomic only within one
  // filesystem), unique per process and call.
  static std::atomic<unsigned long> counter{0};
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    std::string name = ".";
    name += path.filename().string();
    name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    temp = directory / name;
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0)
    throw CheckpointError(where, "cannot create a temporary file in " + directory.string() + ": " +
                                     detail::errno_text(errno),
                          "check that the directory exists and is writable");
  detail::FileDescriptor file(fd);

  auto fail = [&](const std::string& what, int error) {
    file.close();
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return CheckpointError(where, what + ": " + detail::errno_text(error), "the previous file, if any, is intact");
  };

  const std::byte* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t written = ::write(file.get(), data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw fail("cannot write", errno);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  // Data on disk before the rename makes it visible; otherwise a crash could leave an empty file
  // under the target's name.
  if (::fsync(file.get()) != 0) throw fail("cannot flush to disk", errno);
  if (file.close() != 0) throw fail("cannot close", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) throw fail("cannot rename the temporary file over it", errno);

  // Persist the rename itself. Best effort: some filesystems cannot fsync a directory, and the
  // new file is complete either way.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

// The whole content of `path`; a missing, unreadable or non-regular file is a CheckpointError
// naming the path and the reason.
inline std::vector<std::byte> read_whole_file(const std::filesystem::path& path) {
  const std::string where = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    throw CheckpointError(where, error == ENOENT ? "no such file" : "cannot open: " + detail::errno_text(error));
  }
  detail::FileDescriptor file(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw CheckpointError(where, "cannot stat: " + detail::errno_text(errno));
  if (!S_ISREG(info.st_mode)) throw CheckpointError(where, "not a regular file");

  std::vector<std::byte> bytes(static_cast<std::size_t>(info.st_size));
  std::size_t filled = 0;
  while (true) {
    if (filled == bytes.size()) bytes.resize(bytes.size() + 4096 + bytes.size() / 2);  // the file grew
    const ssize_t got = ::read(fd, bytes.data() + filled, bytes.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw CheckpointError(where, "cannot read: " + detail::errno_text(errno));
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  bytes.resize(filled);
  return bytes;
}

}  // namespace rlpp
