#pragma once
// Trainer checkpoints: a directory checkpoint_<000010>/ holding
//   rlpp_checkpoint.json  self-describing metadata: {"format": "rlpp-checkpoint", "version": 1,
//                         "trainer", "env", "iteration", "timesteps_total", "episodes_total",
//                         "time_total_s", "config"} (readable with any JSON tool)
//   checkpoint-<N>        the state (weights, optimizer and exploration state, filters, counters,
//                         RNG streams, sampler state) as CBOR: binary, compact and lossless for
//                         floats, self-describing like JSON.
// Both files are written atomically, state first, so a crash leaves either the old checkpoint
// or a complete new one; a directory without metadata is not a checkpoint.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp {

inline constexpr std::string_view checkpoint_format = "rlpp-checkpoint";
inline constexpr int checkpoint_version = 1;
inline constexpr std::string_view checkpoint_metadata_file = "rlpp_checkpoint.json";

inline std::string checkpoint_state_file(std::int64_t iteration) { return "checkpoint-" + std::to_string(iteration); }

// The checkpoint directory of `path`: the path itself if it is a directory, else its parent.
inline std::filesystem::path checkpoint_directory(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return path;
  return path.parent_path();
}

// Writes `state` and `metadata` (which must hold "iteration"; format and version are added).
inline void write_checkpoint(const std::filesystem::path& dir, Json metadata, const Json& state) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw CheckpointError(dir.string(), "cannot create the checkpoint directory: " + ec.message());
  metadata["format"] = checkpoint_format;
  metadata["version"] = checkpoint_version;
  const std::vector<std::uint8_t> cbor = Json::to_cbor(state);
  write_file_atomically(dir / checkpoint_state_file(metadata.at("iteration").get<std::int64_t>()),
                        std::as_bytes(std::span<const std::uint8_t>(cbor)));
  const std::string text = metadata.dump(2) + "\n";
  write_file_atomically(dir / checkpoint_metadata_file, std::as_bytes(std::span<const char>(text)));
}

// The metadata of the checkpoint at `path` (its directory or a file in it), checked.
inline Json read_checkpoint_metadata(const std::filesystem::path& path) {
  const std::filesystem::path dir = checkpoint_directory(path);
  const std::filesystem::path file = dir / checkpoint_metadata_file;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw CheckpointError(path.string(), "is not an rlpp checkpoint (no " + std::string(checkpoint_metadata_file) + ")",
                          "pass a checkpoint_<N> directory written by Trainer::save or `rlpp train --checkpoint-freq`");
  const std::vector<std::byte> bytes = read_whole_file(file);
  Json metadata = Json::parse(reinterpret_cast<const char*>(bytes.data()), reinterpret_cast<const char*>(bytes.data()) + bytes.size(),
                              nullptr, false);
  if (metadata.is_discarded() || !metadata.is_object())
    throw CheckpointError(file.string(), "is not valid JSON (the checkpoint is corrupt)");
  if (metadata.value("format", std::string()) != checkpoint_format)
    throw CheckpointError(file.string(), "has no \"format\": \"rlpp-checkpoint\"");
  if (!metadata.contains("version") || !metadata["version"].is_number_integer() ||
      metadata["version"].get<int>() > checkpoint_version)
    throw CheckpointError(file.string(), "has checkpoint version " + metadata.value("version", Json()).dump() +
                                             "; this rlpp reads versions up to " + std::to_string(checkpoint_version));
  for (const char* key : {"trainer", "iteration", "config"})
    if (!metadata.contains(key)) throw CheckpointError(file.string(), std::string("lacks \"") + key + "\" (the checkpoint is corrupt)");
  return metadata;
}

// The state saved with the checkpoint at `path` (CBOR decoded; truncation or corruption is a
// CheckpointError naming the file).
inline Json read_checkpoint_state(const std::filesystem::path& path) {
  const Json metadata = read_checkpoint_metadata(path);
  const std::filesystem::path file =
      checkpoint_directory(path) / checkpoint_state_file(metadata.at("iteration").get<std::int64_t>());
  const std::vector<std::byte> bytes = read_whole_file(file);
  const auto* begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
  Json state = Json::from_cbor(begin, begin + bytes.size(), true, false);
  if (state.is_discarded()) throw CheckpointError(file.string(), "is not a valid checkpoint state (truncated or corrupt CBOR)");
  return state;
}

}  // namespace rlpp
