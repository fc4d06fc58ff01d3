#pragma once
// SampleBatch <-> JSON (MultiAgentBatch's conversions are in multi_agent_batch.hpp), in RLlib's offline-data line format
// (rllib/offline/json_writer.py): {"type": "SampleBatch", "<column>": nested lists, ...} and
// {"type": "MultiAgentBatch", "count": env steps, "policy_batches": {...}}. rlpp adds "_dtypes"
// and "_shapes" so that a round trip is lossless: dtypes, shapes of empty columns, and every
// float bit for bit (each float as its shortest round-tripping decimal; NaN and infinities,
// which JSON lacks, as the strings "nan", "inf", "-inf"). Lines without "_dtypes" (written by
// RLlib with output_compress_columns: []) are read by inferring each column's dtype.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <variant>
#include <string>
#include <system_error>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

namespace detail {
// The double of the shortest decimal that reads back as `value` (0.3f -> 0.3, not
// 0.30000001192092896), so files stay readable; the exact double of value in the rare case where
// reading that decimal as a double and rounding to float would not give value back.
inline Json float_to_json(float value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value);
  double shortest = 0.0;
  const auto read = std::from_chars(text, written.ptr, shortest);
  if (written.ec == std::errc() && read.ec == std::errc() && static_cast<float>(shortest) == value &&
      std::signbit(shortest) == std::signbit(value))
    return shortest;
  return static_cast<double>(value);
}

template <class T>
Json nested_list(const T* data, const std::vector<std::size_t>& shape, std::size_t dim, std::size_t stride) {
  Json list = Json::array();
  const std::size_t n = shape[dim];
  list.get_ref<Json::array_t&>().reserve(n);
  if (dim + 1 == shape.size()) {
    for (std::size_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, float>) list.push_back(float_to_json(data[i]));
      else list.push_back(data[i]);
    }
  } else {
    const std::size_t child = stride / (n == 0 ? 1 : n);
    for (std::size_t i = 0; i < n; ++i) list.push_back(nested_list(data + i * child, shape, dim + 1, child));
  }
  return list;
}

// Shape of a rectangular nested list (the first element decides; the fill pass checks the rest).
inline std::vector<std::size_t> nested_shape(const Json& value) {
  std::vector<std::size_t> shape;
  const Json* level = &value;
  while (level->is_array()) {
    shape.push_back(level->size());
    if (level->empty()) break;
    level = &(*level)[0];
  }
  return shape;
}

// Which dtype a column written without "_dtypes" has: bool if every leaf is a bool, int64 if every
// leaf is an integer, float32 if every leaf is a number, json otherwise.
inline ColumnType infer_dtype(const Json& value) {
  bool all_bool = true, all_int = true, all_number = true;
  auto visit = [&](auto& self, const Json& v) -> void {
    if (v.is_array()) {
      for (const Json& x : v) self(self, x);
      return;
    }
    all_bool = all_bool && v.is_boolean();
    all_int = all_int && v.is_number_integer();
    all_number = all_number && v.is_number();
  };
  for (const Json& row : value) {
    if (!row.is_array() && !row.is_primitive()) return ColumnType::json;
    visit(visit, row);
  }
  if (value.empty() || all_number) return all_int && !value.empty() ? ColumnType::int64 : ColumnType::float32;
  if (all_bool) return ColumnType::boolean;
  return ColumnType::json;
}

template <class T>
T json_leaf(const Json& v, const std::string& name) {
  if constexpr (std::is_same_v<T, float>) {
    if (v.is_number()) return static_cast<float>(v.get<double>());
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (s == "nan") return std::numeric_limits<float>::quiet_NaN();
      if (s == "inf") return std::numeric_limits<float>::infinity();
      if (s == "-inf") return -std::numeric_limits<float>::infinity();
    }
    if (v.is_null()) return std::numeric_limits<float>::quiet_NaN();  // how nlohmann/json writes NaN
    throw BatchError("column '" + name + "'", "holds " + v.dump() + " where a float32 is expected");
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    throw BatchError("column '" + name + "'", "holds " + v.dump() + " where an int64 is expected");
  } else {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer()) return v.get<std::int64_t>() != 0;  // numpy bool arrays tolist() as 0/1 in some writers
    throw BatchError("column '" + name + "'", "holds " + v.dump() + " where a bool is expected");
  }
}

template <class T>
void fill_from_nested(const Json& v, const std::vector<std::size_t>& shape, std::size_t dim, T*& out,
                      const std::string& name) {
  if (dim == shape.size()) {
    *out++ = json_leaf<T>(v, name);
    return;
  }
  if (!v.is_array() || v.size() != shape[dim])
    throw BatchError("column '" + name + "'", "is not a rectangular array: expected " + std::to_string(shape[dim]) +
                                                  " values at depth " + std::to_string(dim) + ", found " +
                                                  (v.is_array() ? std::to_string(v.size()) : v.dump()));
  for (const Json& x : v) fill_from_nested(x, shape, dim + 1, out, name);
}

template <class T>
Column column_from_nested(const Json& value, std::vector<std::size_t> shape, const std::string& name) {
  xt::xarray<T> a;
  a.resize(typename xt::xarray<T>::shape_type(shape.begin(), shape.end()));
  T* out = a.data();
  fill_from_nested<T>(value, shape, 0, out, name);
  return Column(std::move(a));
}

inline Json column_to_json(const Column& column) {
  return std::visit([&](const auto& values) -> Json {
    using S = std::remove_cvref_t<decltype(values)>;
    if constexpr (std::is_same_v<S, std::vector<Json>>) {
      return Json(values);
    } else {
      const auto shape = column.shape();
      return nested_list(values.data(), shape, 0, values.size());
    }
  }, column.storage());
}

inline Column column_from_json(const Json& value, const std::string& name, const Json* dtype, const Json* shape) {
  if (!value.is_array())
    throw BatchError("column '" + name + "'", "is a JSON " + std::string(value.type_name()) + ", not a list of rows",
                     value.is_string() ? "RLlib compresses obs/new_obs by default; write with output_compress_columns: []"
                                       : "");
  ColumnType type = ColumnType::float32;
  if (dtype != nullptr) {
    const std::string text = dtype->is_string() ? dtype->get<std::string>() : dtype->dump();
    if (text == "float32") type = ColumnType::float32;
    else if (text == "int64") type = ColumnType::int64;
    else if (text == "bool") type = ColumnType::boolean;
    else if (text == "json") type = ColumnType::json;
    else throw BatchError("column '" + name + "'", "has the unknown dtype " + text, "use float32, int64, bool or json");
  } else {
    type = infer_dtype(value);
  }
  if (type == ColumnType::json) return Column(value.get<std::vector<Json>>());
  std::vector<std::size_t> dims;
  if (shape != nullptr) {
    if (!shape->is_array()) throw BatchError("column '" + name + "'", "_shapes entry is not a list");
    for (const Json& d : *shape) {
      if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<std::int64_t>() >= 0))
        throw BatchError("column '" + name + "'", "_shapes entry " + shape->dump() + " is not a list of sizes");
      dims.push_back(d.get<std::size_t>());
    }
    if (dims.empty()) throw BatchError("column '" + name + "'", "_shapes entry is empty");
  } else {
    dims = nested_shape(value);
  }
  switch (type) {
    case ColumnType::float32: return column_from_nested<float>(value, dims, name);
    case ColumnType::int64: return column_from_nested<std::int64_t>(value, dims, name);
    case ColumnType::boolean: return column_from_nested<bool>(value, dims, name);
    case ColumnType::json: break;
  }
  return Column();
}

inline bool is_reserved_key(const std::string& key) {
  return key == "type" || key == "seq_lens" || key == "_dtypes" || key == "_shapes";
}
}  // namespace detail

inline void to_json(Json& j, const SampleBatch& batch) {
  j = Json::object();
  j["type"] = "SampleBatch";
  Json dtypes = Json::object(), shapes = Json::object();
  for (const auto& [name, column] : batch) {
    if (detail::is_reserved_key(name))
      throw BatchError("column '" + name + "'", "has a name the JSON format reserves", "rename the column");
    j[name] = detail::column_to_json(column);
    dtypes[name] = column.dtype();
    shapes[name] = column.shape();
  }
  if (batch.has_seq_lens()) j["seq_lens"] = std::vector<std::int64_t>(batch.seq_lens().begin(), batch.seq_lens().end());
  j["_dtypes"] = std::move(dtypes);
  j["_shapes"] = std::move(shapes);
}

inline void from_json(const Json& j, SampleBatch& batch) {
  if (!j.is_object()) throw BatchError("SampleBatch JSON", "is a " + std::string(j.type_name()) + ", not an object");
  if (auto type = j.find("type"); type != j.end() && *type != "SampleBatch")
    throw BatchError("SampleBatch JSON", "has type " + type->dump(),
                     *type == "MultiAgentBatch" ? "read it as a MultiAgentBatch" : "");
  const Json* dtypes = j.contains("_dtypes") ? &j.at("_dtypes") : nullptr;
  const Json* shapes = j.contains("_shapes") ? &j.at("_shapes") : nullptr;
  SampleBatch out;
  for (const auto& [key, value] : j.items()) {
    if (detail::is_reserved_key(key)) continue;
    const Json* dtype = dtypes && dtypes->contains(key) ? &dtypes->at(key) : nullptr;
    const Json* shape = shapes && shapes->contains(key) ? &shapes->at(key) : nullptr;
    out.set(key, detail::column_from_json(value, key, dtype, shape));
  }
  if (auto lengths = j.find("seq_lens"); lengths != j.end() && !lengths->is_null()) {
    if (!lengths->is_array()) throw BatchError("seq_lens", "is not a list of lengths");
    std::vector<std::int64_t> seq_lens;
    for (const Json& length : *lengths) {
      if (!length.is_number_integer()) throw BatchError("seq_lens", "holds " + length.dump() + ", not an integer");
      seq_lens.push_back(length.get<std::int64_t>());
    }
    out.set_seq_lens(std::move(seq_lens));
  }
  batch = std::move(out);
}

}  // namespace rlpp
