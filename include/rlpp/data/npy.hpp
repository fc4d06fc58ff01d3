#pragma once
// A SampleBatch as a directory of numpy files: one "<column>.npy" per numeric column (readable
// with numpy.load) and "manifest.json" with each column's dtype and shape, the json columns
// (infos) and seq_lens. Every file is written atomically; the manifest last, so a reader never
// sees a manifest naming files that are not complete. Reading checks each file against the
// manifest (dtype, shape, size) and names the file in any error.
//
// The .npy format (NEP 1, format version 1.0) is written by hand rather than with xt::dump_npy:
// the bytes must go through write_file_atomically, and reading must reject truncated files,
// which xt::load_npy does not check.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <variant>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

inline constexpr std::string_view npy_manifest_name = "manifest.json";

namespace detail {
inline std::string_view npy_descr(ColumnType type) {
  switch (type) {
    case ColumnType::float32: return "<f4";
    case ColumnType::int64: return "<i8";
    case ColumnType::boolean: return "|b1";
    case ColumnType::json: break;
  }
  return "";
}

// The .npy bytes of a row-major array: magic, version 1.0, header length, a Python dict literal
// padded with spaces to a multiple of 64 bytes, then the raw little-endian data.
inline std::vector<std::byte> encode_npy(ColumnType type, const std::vector<std::size_t>& shape, const void* data,
                                         std::size_t bytes) {
  std::string header = "{'descr': '" + std::string(npy_descr(type)) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) header += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  header += shape.size() == 1 ? ",), }" : "), }";  // Python tuples: (5,) and (5, 2)
  const std::size_t preamble = 10;  // magic (6) + version (2) + header length (2)
  const std::size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
  header.append(total - preamble - header.size() - 1, ' ');
  header += '\n';
  std::vector<std::byte> out(total + bytes);
  const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  std::memcpy(out.data(), magic, 8);
  out[8] = static_cast<std::byte>(header.size() & 0xff);
  out[9] = static_cast<std::byte>((header.size() >> 8) & 0xff);
  std::memcpy(out.data() + preamble, header.data(), header.size());
  if (bytes > 0) std::memcpy(out.data() + total, data, bytes);
  return out;
}

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::size_t> shape;
  std::size_t data_offset = 0;
};

// Parses the header dict of a .npy file; a CheckpointError names the file and what is wrong.
inline NpyHeader decode_npy_header(std::span<const std::byte> bytes, const std::string& file) {
  auto fail = [&](const std::string& what) { return CheckpointError(file, "not a valid .npy file: " + what); };
  if (bytes.size() < 10) throw fail("shorter than the 10-byte preamble");
  const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (std::memcmp(bytes.data(), magic, 6) != 0) throw fail("no \\x93NUMPY magic");
  const auto major = static_cast<unsigned>(bytes[6]);
  std::size_t length = 0, start = 0;
  if (major == 1) {
    length = static_cast<std::size_t>(bytes[8]) | static_cast<std::size_t>(bytes[9]) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw fail("shorter than the 12-byte preamble");
    for (int i = 3; i >= 0; --i) length = length << 8 | static_cast<std::size_t>(bytes[8 + static_cast<std::size_t>(i)]);
    start = 12;
  } else {
    throw fail("format version " + std::to_string(major) + " is not 1, 2 or 3");
  }
  if (start + length > bytes.size()) throw fail("the header runs past the end of the file");
  const std::string header(reinterpret_cast<const char*>(bytes.data()) + start, length);
  NpyHeader out;
  out.data_offset = start + length;

  auto value_of = [&](const std::string& key) -> std::string {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) throw fail("the header has no '" + key + "'");
    auto pos = header.find(':', at);
    if (pos == std::string::npos) throw fail("no value for '" + key + "'");
    ++pos;
    while (pos < header.size() && header[pos] == ' ') ++pos;
    if (pos >= header.size()) throw fail("no value for '" + key + "'");
    const char open = header[pos];
    const char close = open == '(' ? ')' : open == '\'' ? '\'' : 0;
    if (close != 0) {
      const auto end = header.find(close, pos + 1);
      if (end == std::string::npos) throw fail("unterminated value for '" + key + "'");
      return header.substr(pos + 1, end - pos - 1);
    }
    const auto end = header.find_first_of(",}", pos);
    return header.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  };
  out.descr = value_of("descr");
  const std::string order = value_of("fortran_order");
  if (order.rfind("True", 0) == 0) out.fortran_order = true;
  else if (order.rfind("False", 0) != 0) throw fail("fortran_order is " + order);
  const std::string dims = value_of("shape");
  std::size_t pos = 0;
  while (pos < dims.size()) {
    while (pos < dims.size() && (dims[pos] == ' ' || dims[pos] == ',')) ++pos;
    if (pos >= dims.size()) break;
    std::size_t end = pos;
    while (end < dims.size() && dims[end] >= '0' && dims[end] <= '9') ++end;
    if (end == pos) throw fail("shape (" + dims + ") is not a tuple of sizes");
    out.shape.push_back(static_cast<std::size_t>(std::stoull(dims.substr(pos, end - pos))));
    pos = end;
    while (pos < dims.size() && dims[pos] == 'L') ++pos;  // Python 2 longs
  }
  return out;
}

inline void check_file_name(const std::string& name) {
  const bool ok = !name.empty() && name[0] != '.' && name.find_first_of("/\\") == std::string::npos &&
                  name + ".npy" != npy_manifest_name;
  if (!ok)
    throw BatchError("column '" + name + "'", "cannot be saved as a file name",
                     "use column names without '/', '\\' or a leading '.'");
}

inline void require_little_endian(const std::filesystem::path& where) {
  if constexpr (std::endian::native != std::endian::little)
    throw CheckpointError(where.string(), ".npy files are read and written on little-endian machines only");
}
}  // namespace detail

// Writes `batch` into `dir` (created if missing): <column>.npy per float32 / int64 / bool column,
// then manifest.json. Files of columns the batch does not have are left alone.
inline void save_npy(const SampleBatch& batch, const std::filesystem::path& dir) {
  detail::require_little_endian(dir);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw CheckpointError(dir.string(), "cannot create the directory: " + error.message());
  Json manifest = Json::object();
  manifest["type"] = "SampleBatch";
  manifest["format"] = "rlpp-npy-1";
  manifest["count"] = batch.count();
  Json columns = Json::object(), json_columns = Json::object();
  for (const auto& [name, column] : batch) {
    Json entry = {{"dtype", column.dtype()}, {"shape", column.shape()}};
    if (column.type() == ColumnType::json) {
      json_columns[name] = column.get<Json>(name);
    } else {
      detail::check_file_name(name);
      const std::string file = name + ".npy";
      entry["file"] = file;
      std::visit([&](const auto& values) {
        using S = std::remove_cvref_t<decltype(values)>;
        if constexpr (!std::is_same_v<S, std::vector<Json>>) {
          const auto bytes = detail::encode_npy(column.type(), column.shape(), values.data(),
                                                values.size() * sizeof(typename S::value_type));
          write_file_atomically(dir / file, bytes);
        }
      }, column.storage());
    }
    columns[name] = std::move(entry);
  }
  manifest["columns"] = std::move(columns);
  manifest["json_columns"] = std::move(json_columns);
  if (batch.has_seq_lens()) manifest["seq_lens"] = std::vector<std::int64_t>(batch.seq_lens().begin(), batch.seq_lens().end());
  const std::string text = manifest.dump(1);
  write_file_atomically(dir / npy_manifest_name, std::as_bytes(std::span(text.data(), text.size())));
}

// Reads a directory written by save_npy. A missing or corrupt manifest or .npy file, or a file
// whose dtype or shape differs from the manifest, is a CheckpointError naming the file.
inline SampleBatch load_npy(const std::filesystem::path& dir) {
  detail::require_little_endian(dir);
  const std::filesystem::path manifest_path = dir / npy_manifest_name;
  const auto manifest_bytes = read_whole_file(manifest_path);
  Json manifest;
  try {
    manifest = Json::parse(reinterpret_cast<const char*>(manifest_bytes.data()),
                           reinterpret_cast<const char*>(manifest_bytes.data()) + manifest_bytes.size());
  } catch (const Json::exception& e) {
    throw CheckpointError(manifest_path.string(), std::string("not valid JSON: ") + e.what());
  }
  auto bad_manifest = [&](const std::string& what) { return CheckpointError(manifest_path.string(), what); };
  if (!manifest.is_object() || manifest.value("type", std::string()) != "SampleBatch" || !manifest.contains("columns") ||
      !manifest.at("columns").is_object())
    throw bad_manifest("not a SampleBatch manifest (needs \"type\": \"SampleBatch\" and \"columns\")");

  SampleBatch batch;
  for (const auto& [name, entry] : manifest.at("columns").items()) {
    const std::string dtype = entry.value("dtype", std::string());
    if (dtype == "json") {
      const Json* rows = manifest.contains("json_columns") && manifest["json_columns"].contains(name)
                             ? &manifest["json_columns"][name]
                             : nullptr;
      if (rows == nullptr || !rows->is_array()) throw bad_manifest("json column '" + name + "' has no rows in json_columns");
      batch.set(name, Column(rows->get<std::vector<Json>>()));
      continue;
    }
    ColumnType type{};
    if (dtype == "float32") type = ColumnType::float32;
    else if (dtype == "int64") type = ColumnType::int64;
    else if (dtype == "bool") type = ColumnType::boolean;
    else throw bad_manifest("column '" + name + "' has the unknown dtype '" + dtype + "'");
    const std::string file_name = entry.value("file", name + ".npy");
    detail::check_file_name(file_name.substr(0, file_name.size() - 4));
    const std::filesystem::path path = dir / file_name;
    const std::string where = path.string();
    const auto bytes = read_whole_file(path);
    const detail::NpyHeader header = detail::decode_npy_header(bytes, where);
    if (header.descr != detail::npy_descr(type))
      throw CheckpointError(where, "holds dtype '" + header.descr + "', the manifest says " + dtype + " ('" +
                                       std::string(detail::npy_descr(type)) + "')");
    if (header.fortran_order) throw CheckpointError(where, "is in Fortran order; rlpp reads C-order arrays");
    if (header.shape.empty()) throw CheckpointError(where, "holds a 0-dimensional array, not a column");
    if (entry.contains("shape") && entry.at("shape") != Json(header.shape))
      throw CheckpointError(where, "has shape " + Column::shape_text(header.shape) + ", the manifest says " +
                                       entry.at("shape").dump());
    Column column = Column::zeros(type, header.shape);
    std::visit([&](auto& values) {
      using S = std::remove_cvref_t<decltype(values)>;
      if constexpr (!std::is_same_v<S, std::vector<Json>>) {
        const std::size_t want = values.size() * sizeof(typename S::value_type);
        const std::size_t have = bytes.size() - header.data_offset;
        if (have != want)
          throw CheckpointError(where, "holds " + std::to_string(have) + " data bytes, shape " +
                                           Column::shape_text(header.shape) + " needs " + std::to_string(want),
                                "the file is truncated or corrupt; save the batch again");
        if constexpr (std::is_same_v<typename S::value_type, bool>) {
          for (std::size_t i = 0; i < want; ++i)  // any other byte would be an invalid bool
            if (static_cast<unsigned char>(bytes[header.data_offset + i]) > 1)
              throw CheckpointError(where, "holds a bool byte other than 0 or 1 at element " + std::to_string(i));
        }
        if (want > 0) std::memcpy(values.data(), bytes.data() + header.data_offset, want);
      }
    }, column.storage());
    try {
      batch.set(name, std::move(column));
    } catch (const BatchError& e) {
      throw CheckpointError(where, e.message());
    }
  }
  if (manifest.contains("count") && manifest["count"].is_number_unsigned() && !batch.empty() &&
      manifest["count"].get<std::size_t>() != batch.count())
    throw bad_manifest("says count " + manifest["count"].dump() + ", the columns have " + std::to_string(batch.count()) + " rows");
  if (manifest.contains("seq_lens")) {
    try {
      batch.set_seq_lens(manifest["seq_lens"].get<std::vector<std::int64_t>>());
    } catch (const std::exception& e) {
      throw bad_manifest(std::string("bad seq_lens: ") + e.what());
    }
  }
  return batch;
}

}  // namespace rlpp
