#pragma once
// Parameter files: a model's Parameters and, optionally, its optimizer's state, saved bit for bit
// in one self-describing binary file, written atomically (core/atomic_file.hpp). Loading checks
// everything before it changes anything: a failed load leaves the model and optimizer as they were.
//
// Layout (integers little-endian):
//   bytes 0-7     magic "RLPPPARM"
//   bytes 8-11    u32 format version (parameter_file_version)
//   bytes 12-19   u64 header length H
//   next H bytes  JSON header: format, version, dtype "float32", byte_order "little", size,
//                 blocks [{name, rows, cols, offset}], tensors [{name, size, offset}],
//                 optimizer {type, step_count, hyperparameters} or null, payload_bytes,
//                 checksum {algorithm "fnv1a64", value: 16 hex digits of the payload's hash}
//   the rest      the payload: each tensor as little-endian float32 at its byte offset. Tensors:
//                 "parameters" (Parameters::values(), padding included), then the optimizer's
//                 state as "<type>.<name>" ("adam.exp_avg", "adam.exp_avg_sq").

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/optimizers/optimizer.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

inline constexpr std::uint32_t parameter_file_version = 1;

// ---- in memory ------------------------------------------------------------------------------

namespace detail {
struct OptimizerSnapshot {
  std::string type;
  Json hyperparameters;
  std::uint64_t step_count = 0;
  std::vector<ConstStateTensor> tensors;
};
struct OptimizerTarget {
  std::string type;
  std::vector<StateTensor> tensors;
  std::uint64_t step_count = 0;  // filled by decode
};
inline std::vector<std::byte> encode(const Parameters& params, const OptimizerSnapshot* optimizer);
inline Json decode(std::span<const std::byte> bytes, Parameters* params, OptimizerTarget* optimizer,
                   const std::string& where);
template <stateful_optimizer O>
OptimizerSnapshot snapshot(const O& optimizer) {
  return {std::string(optimizer.type()), optimizer.hyperparameters(), optimizer.step_count(),
          optimizer.state_tensors()};
}
}  // namespace detail

// The file's bytes for `params` (and `optimizer`'s state).
inline std::vector<std::byte> serialize_parameters(const Parameters& params) {
  return detail::encode(params, nullptr);
}
template <stateful_optimizer O>
std::vector<std::byte> serialize_parameters(const Parameters& params, const O& optimizer) {
  const auto snapshot = detail::snapshot(optimizer);
  return detail::encode(params, &snapshot);
}

// Restores `params` (and `optimizer`) from serialize_parameters' bytes. Errors are
// CheckpointErrors whose where() is `where`. The optimizer's hyper-parameters are not restored:
// an optimizer keeps those it was built with (from the config), its state and step count are
// replaced.
inline void deserialize_parameters(std::span<const std::byte> bytes, Parameters& params,
                                   std::string_view where = "parameter bytes") {
  detail::decode(bytes, &params, nullptr, std::string(where));
}
template <stateful_optimizer O>
void deserialize_parameters(std::span<const std::byte> bytes, Parameters& params, O& optimizer,
                            std::string_view where = "parameter bytes") {
  detail::OptimizerTarget target{std::string(optimizer.type()), optimizer.state_tensors()};
  detail::decode(bytes, &params, &target, std::string(where));
  optimizer.set_step_count(target.step_count);
}

// ---- files ----------------------------------------------------------------------------------

// Writes the file atomically: after a failure (or a crash) the previous file is intact.
inline void save_parameters(const std::filesystem::path& path, const Parameters& params) {
  write_file_atomically(path, serialize_parameters(params));
}
template <stateful_optimizer O>
void save_parameters(const std::filesystem::path& path, const Parameters& params, const O& optimizer) {
  write_file_atomically(path, serialize_parameters(params, optimizer));
}

// Errors are CheckpointErrors whose where() is the path: "not an rlpp parameter file",
// "truncated", "corrupt" (checksum), an unsupported version, a layout that differs from the
// model's (naming the first differing block), an optimizer of another type or configuration.
inline void load_parameters(const std::filesystem::path& path, Parameters& params) {
  deserialize_parameters(read_whole_file(path), params, path.string());
}
template <stateful_optimizer O>
void load_parameters(const std::filesystem::path& path, Parameters& params, O& optimizer) {
  deserialize_parameters(read_whole_file(path), params, optimizer, path.string());
}

// The header of a parameter file, checked (magic, version, checksum) but loaded into nothing:
// for tools that list a checkpoint's blocks and optimizer.
inline Json read_parameter_header(const std::filesystem::path& path) {
  return detail::decode(read_whole_file(path), nullptr, nullptr, path.string());
}

// ---- implementation -------------------------------------------------------------------------

namespace detail {
inline constexpr std::array<char, 8> parameter_magic = {'R', 'L', 'P', 'P', 'P', 'A', 'R', 'M'};
inline constexpr std::size_t preamble_bytes = 8 + 4 + 8;
inline constexpr std::uint64_t fnv1a64_basis = 0xcbf29ce484222325ULL;

inline std::uint64_t fnv1a64(std::span<const std::byte> bytes, std::uint64_t hash = fnv1a64_basis) noexcept {
  for (std::byte b : bytes) {
    hash ^= static_cast<std::uint8_t>(b);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

inline std::array<std::byte, 4> float_le_bytes(float value) noexcept {
  auto bits = std::bit_cast<std::uint32_t>(value);
  std::array<std::byte, 4> out{};
  for (auto& b : out) {
    b = static_cast<std::byte>(bits & 0xffu);
    bits >>= 8;
  }
  return out;
}

// The hash of `values` as little-endian float32 bytes, continuing from `hash`.
inline std::uint64_t fnv1a64_floats(std::span<const float> values, std::uint64_t hash) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    return fnv1a64(std::as_bytes(values), hash);
  } else {
    for (float v : values) hash = fnv1a64(float_le_bytes(v), hash);
    return hash;
  }
}

inline void write_floats_le(std::span<const float> values, std::byte* out) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    if (!values.empty()) std::memcpy(out, values.data(), values.size_bytes());
  } else {
    for (float v : values) {
      const auto bytes = float_le_bytes(v);
      std::memcpy(out, bytes.data(), 4);
      out += 4;
    }
  }
}

inline void read_floats_le(const std::byte* in, std::span<float> values) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    if (!values.empty()) std::memcpy(values.data(), in, values.size_bytes());
  } else {
    for (float& v : values) {
      std::uint32_t bits = 0;
      for (int i = 3; i >= 0; --i) bits = (bits << 8) | static_cast<std::uint8_t>(in[i]);
      v = std::bit_cast<float>(bits);
      in += 4;
    }
  }
}

template <class T>
void append_le(std::vector<std::byte>& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xffu));
}
template <class T>
T read_le(const std::byte* in) noexcept {
  T value = 0;
  for (std::size_t i = sizeof(T); i-- > 0;) value = static_cast<T>((value << 8) | static_cast<std::uint8_t>(in[i]));
  return value;
}

inline std::string hex64(std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (std::size_t i = 16; i-- > 0; value >>= 4) text[i] = digits[value & 0xfu];
  return text;
}

inline std::string shape_text(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

inline std::vector<std::byte> encode(const Parameters& params, const OptimizerSnapshot* optimizer) {
  struct Piece {
    std::string name;
    std::span<const float> values;
  };
  std::vector<Piece> pieces{{"parameters", params.values()}};
  if (optimizer)
    for (const auto& t : optimizer->tensors) pieces.push_back({optimizer->type + "." + std::string(t.name), t.values});

  Json blocks = Json::array();
  for (const auto& b : params.blocks())
    blocks.push_back({{"name", b.name}, {"rows", b.rows}, {"cols", b.cols}, {"offset", b.offset}});
  Json tensors = Json::array();
  std::uint64_t payload_bytes = 0;
  std::uint64_t hash = fnv1a64_basis;
  for (const auto& piece : pieces) {
    tensors.push_back({{"name", piece.name}, {"size", piece.values.size()}, {"offset", payload_bytes}});
    payload_bytes += piece.values.size_bytes();
    hash = fnv1a64_floats(piece.values, hash);
  }
  const Json header = {
      {"format", "rlpp.parameters"},
      {"version", parameter_file_version},
      {"dtype", "float32"},
      {"byte_order", "little"},
      {"size", params.size()},
      {"blocks", std::move(blocks)},
      {"tensors", std::move(tensors)},
      {"optimizer", optimizer ? Json{{"type", optimizer->type},
                                     {"step_count", optimizer->step_count},
                                     {"hyperparameters", optimizer->hyperparameters}}
                              : Json(nullptr)},
      {"payload_bytes", payload_bytes},
      {"checksum", {{"algorithm", "fnv1a64"}, {"value", hex64(hash)}}},
  };
  const std::string text = header.dump();

  std::vector<std::byte> out;
  out.reserve(preamble_bytes + text.size() + payload_bytes);
  for (char c : parameter_magic) out.push_back(static_cast<std::byte>(c));
  append_le<std::uint32_t>(out, parameter_file_version);
  append_le<std::uint64_t>(out, text.size());
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  const std::size_t payload_start = out.size();
  out.resize(payload_start + payload_bytes);
  std::byte* cursor = out.data() + payload_start;
  for (const auto& piece : pieces) {
    write_floats_le(piece.values, cursor);
    cursor += piece.values.size_bytes();
  }
  return out;
}

// A parsed header's tensor entry.
struct TensorEntry {
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
};

// Checks the file against the model and optimizer and, only when everything fits, copies.
// With params == nullptr, checks the file alone and returns its header.
inline Json decode(std::span<const std::byte> bytes, Parameters* params, OptimizerTarget* optimizer,
                   const std::string& where) {
  const std::size_t n = bytes.size();
  if (n < parameter_magic.size() ||
      !std::equal(parameter_magic.begin(), parameter_magic.end(), bytes.begin(),
                  [](char c, std::byte b) { return static_cast<std::byte>(c) == b; })) {
    const bool prefix = n < parameter_magic.size() &&
                        std::equal(bytes.begin(), bytes.end(), parameter_magic.begin(),
                                   [](std::byte b, char c) { return static_cast<std::byte>(c) == b; });
    if (!prefix) throw CheckpointError(where, "not an rlpp parameter file (it does not start with \"RLPPPARM\")");
  }
  if (n < preamble_bytes)
    throw CheckpointError(where, "truncated: " + std::to_string(n) + " bytes, shorter than the " +
                                     std::to_string(preamble_bytes) + "-byte preamble");
  const auto version = read_le<std::uint32_t>(bytes.data() + 8);
  if (version != parameter_file_version)
    throw CheckpointError(where, "unsupported format version " + std::to_string(version) + " (this build reads version " +
                                     std::to_string(parameter_file_version) + ")",
                          "load it with the rlpp version that wrote it");
  const auto header_bytes = read_le<std::uint64_t>(bytes.data() + 12);
  if (header_bytes > n - preamble_bytes)
    throw CheckpointError(where, "truncated: the header needs " + std::to_string(header_bytes) + " bytes, " +
                                     std::to_string(n - preamble_bytes) + " follow the preamble");
  const auto* header_text = reinterpret_cast<const char*>(bytes.data() + preamble_bytes);
  Json header = Json::parse(header_text, header_text + header_bytes, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) throw CheckpointError(where, "corrupt: the header is not valid JSON");

  const std::span<const std::byte> payload = bytes.subspan(preamble_bytes + header_bytes);
  std::vector<ParamBlock> blocks;
  std::vector<TensorEntry> tensors;
  std::uint64_t payload_bytes = 0, size = 0, step_count = 0;
  std::string checksum, optimizer_type;
  try {
    if (header.at("dtype") != "float32" || header.at("byte_order") != "little")
      throw CheckpointError(where, "unsupported data: dtype " + header.at("dtype").dump() + ", byte order " +
                                       header.at("byte_order").dump() + " (this build reads float32, little)");
    size = header.at("size").get<std::uint64_t>();
    payload_bytes = header.at("payload_bytes").get<std::uint64_t>();
    for (const auto& b : header.at("blocks"))
      blocks.push_back({b.at("name").get<std::string>(), b.at("offset").get<std::size_t>(),
                        b.at("rows").get<std::size_t>(), b.at("cols").get<std::size_t>()});
    for (const auto& t : header.at("tensors"))
      tensors.push_back({t.at("name").get<std::string>(), t.at("size").get<std::uint64_t>(),
                         t.at("offset").get<std::uint64_t>()});
    if (header.at("checksum").at("algorithm") != "fnv1a64")
      throw CheckpointError(where, "unsupported checksum " + header.at("checksum").at("algorithm").dump());
    checksum = header.at("checksum").at("value").get<std::string>();
    if (const Json& opt = header.at("optimizer"); !opt.is_null()) {
      optimizer_type = opt.at("type").get<std::string>();
      step_count = opt.at("step_count").get<std::uint64_t>();
    }
  } catch (const Json::exception& e) {
    throw CheckpointError(where, std::string("corrupt: malformed header (") + e.what() + ")");
  }

  if (payload.size() < payload_bytes)
    throw CheckpointError(where, "truncated: the payload has " + std::to_string(payload.size()) +
                                     " bytes, the header says " + std::to_string(payload_bytes));
  if (payload.size() > payload_bytes)
    throw CheckpointError(where, "corrupt: " + std::to_string(payload.size() - payload_bytes) +
                                     " unexpected bytes after the payload");
  const std::string actual = hex64(fnv1a64(payload));
  if (actual != checksum)
    throw CheckpointError(where, "corrupt: the payload's checksum is " + actual + ", the header says " + checksum,
                          "the file was damaged after it was written; use another checkpoint");
  for (const auto& t : tensors)
    if (t.size > payload_bytes / 4 || t.offset > payload_bytes - t.size * 4)
      throw CheckpointError(where, "corrupt: tensor '" + t.name + "' lies outside the payload");
  auto find_tensor = [&](std::string_view name) -> const TensorEntry* {
    for (const auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  };

  if (params == nullptr) return header;

  // The layout, block by block, so the error names the first difference.
  const auto& model = params->blocks();
  const std::string fix = "build the model with the same layers and config as the one that saved the file";
  for (std::size_t i = 0; i < std::min(blocks.size(), model.size()); ++i) {
    const ParamBlock& f = blocks[i];
    const ParamBlock& m = model[i];
    if (f.name != m.name)
      throw CheckpointError(where, "block " + std::to_string(i) + ": file has '" + f.name + "', model has '" +
                                       m.name + "'", fix);
    if (f.rows != m.rows || f.cols != m.cols)
      throw CheckpointError(where, "block '" + f.name + "': file has " + shape_text(f.rows, f.cols) +
                                       ", model has " + shape_text(m.rows, m.cols), fix);
    if (f.offset != m.offset)
      throw CheckpointError(where, "block '" + f.name + "': file has offset " + std::to_string(f.offset) +
                                       ", model has " + std::to_string(m.offset), fix);
  }
  if (blocks.size() != model.size()) {
    const std::string first_extra = blocks.size() > model.size()
                                        ? "the first block only in the file is '" + blocks[model.size()].name + "'"
                                        : "the first block only in the model is '" + model[blocks.size()].name + "'";
    throw CheckpointError(where, "file has " + std::to_string(blocks.size()) + " blocks, model has " +
                                     std::to_string(model.size()) + "; " + first_extra, fix);
  }
  const TensorEntry* values = find_tensor("parameters");
  if (values == nullptr) throw CheckpointError(where, "corrupt: no 'parameters' tensor");
  if (size != params->size() || values->size != params->size())
    throw CheckpointError(where, "parameters: file has " + std::to_string(values->size) + " floats, model has " +
                                     std::to_string(params->size()), fix);

  // The optimizer: same type, and exactly the state tensors it uses, of its sizes.
  std::vector<const TensorEntry*> sources;
  if (optimizer != nullptr) {
    if (optimizer_type.empty())
      throw CheckpointError(where, "the file holds no optimizer state",
                            "load without an optimizer, or save with one");
    if (optimizer_type != optimizer->type)
      throw CheckpointError(where, "optimizer: file has '" + optimizer_type + "' state, the optimizer is '" +
                                       optimizer->type + "'");
    const std::string prefix = optimizer_type + ".";
    for (const auto& target : optimizer->tensors) {
      const std::string name = prefix + std::string(target.name);
      const TensorEntry* source = find_tensor(name);
      if (source == nullptr)
        throw CheckpointError(where, "optimizer: file has no '" + name + "' state",
                              "the optimizer's hyper-parameters differ from those of the one that saved the file");
      if (source->size != target.values.size())
        throw CheckpointError(where, "optimizer: '" + name + "' has " + std::to_string(source->size) +
                                         " floats in the file, " + std::to_string(target.values.size()) +
                                         " in the optimizer");
      sources.push_back(source);
    }
    for (const auto& t : tensors)
      if (t.name.starts_with(prefix) &&
          std::none_of(optimizer->tensors.begin(), optimizer->tensors.end(),
                       [&](const StateTensor& s) { return prefix + std::string(s.name) == t.name; }))
        throw CheckpointError(where, "optimizer: the file has '" + t.name + "' state this optimizer does not use",
                              "the optimizer's hyper-parameters differ from those of the one that saved the file");
  }

  // Everything fits: copy.
  read_floats_le(payload.data() + values->offset, params->values());
  if (optimizer != nullptr) {
    for (std::size_t i = 0; i < sources.size(); ++i)
      read_floats_le(payload.data() + sources[i]->offset, optimizer->tensors[i].values);
    optimizer->step_count = step_count;
  }
  return header;
}
}  // namespace detail

}  // namespace rlpp::nn
