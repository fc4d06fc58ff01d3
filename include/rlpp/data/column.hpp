#pragma once
// One SampleBatch column: a row-major float32 / int64 / bool array whose first dimension is the
// batch dimension, or one JSON value per row. The row operations here (slice, gather, concat)
// dispatch on the dtype once per column, then copy whole rows with std::copy_n (memmove for
// these trivially copyable types); no per-element dispatch.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/data/columns.hpp"

namespace rlpp {

class Column {
 public:
  using Storage = std::variant<xt::xarray<float>, xt::xarray<std::int64_t>, xt::xarray<bool>, std::vector<Json>>;
  using Shape = std::vector<std::size_t>;

  // An empty float32 column of shape [0].
  Column() : storage_(empty_array<float>({0})) {}
  Column(xt::xarray<float> values) : storage_(std::move(values)) { check_rank(); }
  Column(xt::xarray<std::int64_t> values) : storage_(std::move(values)) { check_rank(); }
  Column(xt::xarray<bool> values) : storage_(std::move(values)) { check_rank(); }
  Column(std::vector<Json> values) : storage_(std::move(values)) {}

  // A zero-filled (or null-filled, for json) column of dtype `type` and `shape` (shape[0] = rows).
  static Column zeros(ColumnType type, const Shape& shape) {
    if (shape.empty()) throw BatchError("column", "a column needs at least one dimension (the batch dimension)");
    switch (type) {
      case ColumnType::float32: return Column(filled<float>(shape, 0.0f));
      case ColumnType::int64: return Column(filled<std::int64_t>(shape, 0));
      case ColumnType::boolean: return Column(filled<bool>(shape, false));
      case ColumnType::json: return Column(std::vector<Json>(shape[0]));
    }
    return Column();
  }

  ColumnType type() const noexcept { return static_cast<ColumnType>(storage_.index()); }
  std::string_view dtype() const noexcept { return column_type_name(type()); }

  template <column_element T>
  bool holds() const noexcept {
    return std::holds_alternative<column_storage_t<T>>(storage_);
  }

  // Number of rows (the leading dimension).
  std::size_t rows() const noexcept {
    return std::visit([](const auto& v) -> std::size_t {
      if constexpr (is_json<decltype(v)>) return v.size();
      else return v.dimension() == 0 ? 0 : v.shape()[0];
    }, storage_);
  }
  // Full shape, batch dimension first; json columns are [rows].
  Shape shape() const {
    return std::visit([](const auto& v) -> Shape {
      if constexpr (is_json<decltype(v)>) return {v.size()};
      else return Shape(v.shape().begin(), v.shape().end());
    }, storage_);
  }
  // Number of dimensions, the batch dimension included (json columns: 1).
  std::size_t dimension() const noexcept {
    return std::visit([](const auto& v) -> std::size_t {
      if constexpr (is_json<decltype(v)>) return 1;
      else return v.dimension();
    }, storage_);
  }
  // Elements per row: the product of the trailing dimensions (1 for json and 1-D columns).
  std::size_t row_size() const noexcept {
    return std::visit([](const auto& v) -> std::size_t {
      if constexpr (is_json<decltype(v)>) return 1;
      else return detail_row_size(v);
    }, storage_);
  }

  // The typed storage; a BatchError names the column (when `name` is given) and both dtypes.
  template <column_element T>
  column_storage_t<T>& get(std::string_view name = {}) {
    if (auto* p = std::get_if<column_storage_t<T>>(&storage_)) return *p;
    throw dtype_mismatch(name, column_traits<T>::type);
  }
  template <column_element T>
  const column_storage_t<T>& get(std::string_view name = {}) const {
    if (auto* p = std::get_if<column_storage_t<T>>(&storage_)) return *p;
    throw dtype_mismatch(name, column_traits<T>::type);
  }

  Storage& storage() noexcept { return storage_; }
  const Storage& storage() const noexcept { return storage_; }

  // ---- row operations (cost: one pass over the copied rows) -----------------------------------
  // Rows [begin, end) into `out`, reusing out's buffer when it already has the right dtype and
  // shape (then nothing is allocated). Bounds are the caller's responsibility (SampleBatch checks).
  void slice_into(std::size_t begin, std::size_t end, Column& out) const {
    std::visit([&](const auto& src) {
      using S = std::remove_cvref_t<decltype(src)>;
      if (!std::holds_alternative<S>(out.storage_)) out.storage_.template emplace<S>();
      auto& dst = std::get<S>(out.storage_);
      if constexpr (is_json<decltype(src)>) {
        dst.assign(src.begin() + static_cast<std::ptrdiff_t>(begin), src.begin() + static_cast<std::ptrdiff_t>(end));
      } else {
        const std::size_t width = detail_row_size(src);
        auto shape = src.shape();
        shape[0] = end - begin;
        dst.resize(shape);
        std::copy_n(src.data() + begin * width, (end - begin) * width, dst.data());
      }
    }, storage_);
  }
  Column slice(std::size_t begin, std::size_t end) const {
    Column out;
    slice_into(begin, end, out);
    return out;
  }

  // Rows index[0], index[1], ... into `out`, reusing out's buffer when it already has the right
  // dtype and shape (then nothing is allocated; json columns reuse their vector's capacity).
  // Indices are the caller's responsibility (SampleBatch checks).
  void gather_into(std::span<const std::int64_t> index, Column& out) const {
    std::visit([&](const auto& src) {
      using S = std::remove_cvref_t<decltype(src)>;
      if (!std::holds_alternative<S>(out.storage_)) out.storage_.template emplace<S>();
      auto& dst = std::get<S>(out.storage_);
      if constexpr (is_json<decltype(src)>) {
        dst.resize(index.size());
        for (std::size_t r = 0; r < index.size(); ++r) dst[r] = src[static_cast<std::size_t>(index[r])];
      } else {
        const std::size_t width = detail_row_size(src);
        if (dst.dimension() != src.dimension() || dst.shape()[0] != index.size() ||
            !std::equal(src.shape().begin() + 1, src.shape().end(), dst.shape().begin() + 1)) {
          auto shape = src.shape();
          shape[0] = index.size();
          dst.resize(shape);
        }
        auto* o = dst.data();
        const auto* in = src.data();
        if (width == 1) {
          for (std::size_t r = 0; r < index.size(); ++r) o[r] = in[index[r]];
        } else {
          for (std::size_t r = 0; r < index.size(); ++r)
            std::copy_n(in + static_cast<std::size_t>(index[r]) * width, width, o + r * width);
        }
      }
    }, storage_);
  }

  // Rows index[0], index[1], ... (indices already checked to be < rows()).
  Column gather(std::span<const std::int64_t> index) const {
    Column out;
    gather_into(index, out);
    return out;
  }

  // The columns' rows one after another. All parts must have this dtype and trailing shape;
  // the BatchError names `name` and the first part that differs.
  static Column concat(std::span<const Column* const> parts, std::string_view name = {}) {
    if (parts.empty()) return Column();
    const Column& first = *parts[0];
    const Shape first_shape = first.shape();
    std::size_t total = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const Column& part = *parts[i];
      if (part.type() != first.type())
        throw BatchError(where(name), "batch " + std::to_string(i) + " holds " + std::string(part.dtype()) +
                                          ", batch 0 holds " + std::string(first.dtype()),
                         "concatenate batches whose columns have the same dtypes");
      const Shape shape = part.shape();
      if (!std::equal(shape.begin() + 1, shape.end(), first_shape.begin() + 1, first_shape.end()))
        throw BatchError(where(name), "batch " + std::to_string(i) + " has rows of shape " + shape_text(shape, 1) +
                                          ", batch 0 has rows of shape " + shape_text(first_shape, 1),
                         "concatenate batches whose columns have the same trailing shape");
      total += part.rows();
    }
    return std::visit([&](const auto& first_storage) -> Column {
      using S = std::remove_cvref_t<decltype(first_storage)>;
      S dst;
      if constexpr (is_json<decltype(first_storage)>) {
        dst.reserve(total);
        for (const Column* part : parts) {
          const auto& src = std::get<S>(part->storage_);
          dst.insert(dst.end(), src.begin(), src.end());
        }
      } else {
        auto shape = first_storage.shape();
        shape[0] = total;
        dst.resize(shape);
        auto* out = dst.data();
        for (const Column* part : parts) {
          const auto& src = std::get<S>(part->storage_);
          out = std::copy_n(src.data(), src.size(), out);
        }
      }
      return Column(std::move(dst));
    }, first.storage_);
  }

  // Same dtype, shape and elements (NaN compares unequal, as in numpy).
  friend bool operator==(const Column& a, const Column& b) {
    if (a.storage_.index() != b.storage_.index()) return false;
    return std::visit([&](const auto& x) {
      using S = std::remove_cvref_t<decltype(x)>;
      const auto& y = std::get<S>(b.storage_);
      if constexpr (is_json<decltype(x)>) return x == y;
      else return std::equal(x.shape().begin(), x.shape().end(), y.shape().begin(), y.shape().end()) &&
                  std::equal(x.data(), x.data() + x.size(), y.data());
    }, a.storage_);
  }

  // "[4, 2]"; from `first`: "[2]" for the row shape.
  static std::string shape_text(const Shape& shape, std::size_t first = 0) {
    std::string text = "[";
    for (std::size_t i = first; i < shape.size(); ++i) {
      if (i > first) text += ", ";
      text += std::to_string(shape[i]);
    }
    return text + "]";
  }

 private:
  template <class V>
  static constexpr bool is_json = std::is_same_v<std::remove_cvref_t<V>, std::vector<Json>>;

  template <class A>
  static std::size_t detail_row_size(const A& a) noexcept {
    std::size_t width = 1;
    for (std::size_t d = 1; d < a.dimension(); ++d) width *= a.shape()[d];
    return width;
  }
  template <class T>
  static xt::xarray<T> empty_array(const Shape& shape) {
    xt::xarray<T> a;
    a.resize(typename xt::xarray<T>::shape_type(shape.begin(), shape.end()));
    return a;
  }
  template <class T>
  static xt::xarray<T> filled(const Shape& shape, T value) {
    xt::xarray<T> a = empty_array<T>(shape);
    std::fill_n(a.data(), a.size(), value);
    return a;
  }

  static std::string where(std::string_view name) {
    return name.empty() ? std::string("column") : "column '" + std::string(name) + "'";
  }
  BatchError dtype_mismatch(std::string_view name, ColumnType wanted) const {
    return BatchError(where(name), "holds " + std::string(dtype()) + ", read as " + std::string(column_type_name(wanted)),
                      "read it with the column's dtype, or a ColumnKey<void> to get the untyped Column");
  }
  void check_rank() const {
    std::visit([](const auto& v) {
      if constexpr (!is_json<decltype(v)>)
        if (v.dimension() == 0)
          throw BatchError("column", "a 0-dimensional array cannot be a column",
                           "give it a batch dimension: shape [rows, ...]");
    }, storage_);
  }

  Storage storage_;
};

}  // namespace rlpp
