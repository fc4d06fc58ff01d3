#pragma once
// The storage ReplayBuffer and PrioritizedReplayBuffer share: a ring of `capacity` timesteps
// kept as one preallocated row-major array per column, the column layout learned from the first
// add, and the output batch sample() rewrites in place. Every copy dispatches on the dtype once
// per column and then moves whole rows with memcpy; nothing walks elements through the variant.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/column.hpp"
#include "rlpp/data/columns.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp::detail {

// The columns sample() writes itself; an added batch's own columns of these names are not stored.
inline bool is_replay_output_column(std::string_view name) noexcept {
  return name == cols::batch_indexes.name || name == cols::weights.name;
}

class ReplayStorage {
 public:
  // The slots one add() wrote: first, first + 1, ..., count of them, wrapping at the capacity.
  struct Written {
    std::size_t first = 0;
    std::size_t count = 0;
  };

  // `owner` names the buffer in error messages ("ReplayBuffer").
  ReplayStorage(std::size_t capacity, std::string owner) : capacity_(capacity), owner_(std::move(owner)) {
    if (capacity == 0)
      throw ConfigError(owner_, "the capacity is 0", "give the buffer room for at least one timestep (buffer_size >= 1)");
  }

  std::size_t capacity() const noexcept { return capacity_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t next_index() const noexcept { return next_; }
  std::uint64_t num_added() const noexcept { return num_added_; }
  std::uint64_t num_sampled() const noexcept { return num_sampled_; }
  void count_sampled(std::size_t rows) noexcept { num_sampled_ += rows; }
  bool has_layout() const noexcept { return !columns_.empty(); }
  const std::string& owner() const noexcept { return owner_; }

  // The stored column names, sorted (empty before the first add).
  std::vector<std::string> column_names() const {
    std::vector<std::string> names;
    for (const auto& column : columns_) names.push_back(column.name);
    return names;
  }

  // Copies the batch's rows into the ring after the newest ones, overwriting the oldest. The
  // first add learns the layout and allocates the storage; later adds allocate nothing (json
  // columns aside: copying a JSON value may allocate).
  Written add(const SampleBatch& batch) {
    const std::size_t n = batch.count();
    if (n == 0) return {next_, 0};
    if (batch.has_seq_lens())
      throw BatchError(owner_ + ".add", "the batch has seq_lens; the buffer stores single timesteps",
                       "add batches without seq_lens (replay of RNN sequences is not supported)");
    if (columns_.empty()) columns_ = learn_layout(batch);
    else check_layout(batch);
    // Of n > capacity rows only the last `capacity` survive: write just those.
    const std::size_t kept = std::min(n, capacity_);
    const std::size_t skipped = n - kept;
    const std::size_t first = (next_ + skipped % capacity_) % capacity_;
    const std::size_t head = std::min(kept, capacity_ - first);
    copy_batch(batch, columns_, skipped, first, head);
    if (kept > head) copy_batch(batch, columns_, skipped + head, 0, kept - head);
    next_ = (next_ + n % capacity_) % capacity_;
    size_ = std::min(size_ + kept, capacity_);
    num_added_ += n;
    return {first, kept};
  }

  // The output batch shaped for n rows: every stored column plus batch_indexes (int64) and
  // weights (float32). Rebuilt (allocating) only when n or the layout changed.
  SampleBatch& output(std::size_t n) {
    if (size_ == 0)
      throw Error(owner_ + ".sample", "the buffer is empty",
                  "add timesteps before sampling (the Replay operator waits for learning_starts of them)");
    if (!output_ready_ || output_rows_ != n) shape_output(n);
    return output_;
  }

  // Fills out's stored columns with the rows of the slots in out's batch_indexes (all < size()).
  void gather(SampleBatch& out) const {
    const std::span<const std::int64_t> slots = std::as_const(out).values(cols::batch_indexes);
    for (const StoredColumn& stored : columns_) {
      Column& target = out.column(stored.name);
      std::visit([&](const auto& from) {
        using S = std::remove_cvref_t<decltype(from)>;
        auto& to = std::get<S>(target.storage());
        if constexpr (std::is_same_v<S, std::vector<Json>>) {
          for (std::size_t r = 0; r < slots.size(); ++r) to[r] = from[static_cast<std::size_t>(slots[r])];
        } else {
          using T = typename S::value_type;
          const std::size_t width = stored.width;
          const T* in = from.data();
          T* o = to.data();
          if (width == 1) {
            for (std::size_t r = 0; r < slots.size(); ++r) o[r] = in[slots[r]];
          } else if (width > 0) {
            for (std::size_t r = 0; r < slots.size(); ++r)
              std::memcpy(o + r * width, in + static_cast<std::size_t>(slots[r]) * width, width * sizeof(T));
          }
        }
      }, stored.rows.storage());
    }
  }

  // RLlib's ReplayBuffer.stats() keys. est_size_bytes: the stored rows' bytes (a json value
  // counts as sizeof(Json)).
  Json stats() const {
    std::size_t row_bytes = 0;
    for (const StoredColumn& stored : columns_) row_bytes += stored.width * element_bytes(stored.type);
    return Json{{"added_count", num_added_},
                {"sampled_count", num_sampled_},
                {"est_size_bytes", size_ * row_bytes},
                {"num_entries", size_},
                {"eviction_started", num_added_ >= capacity_}};
  }

  // Contents (slots [0, size()) in slot order, bit-exact) and ring position. "columns" maps each
  // stored column to {"dtype", "shape": [size, row dims...], "data"} (see encode_column). Float
  // data is a binary value, which JSON text lacks: nlohmann's dump() writes it as {"bytes": [...],
  // "subtype": null}, which set_state reads back too, so a state survives dump()/parse() as well
  // as to_cbor()/from_cbor() (what checkpoints use).
  Json get_state(std::string_view type) const {
    Json columns = Json::object();
    for (const StoredColumn& stored : columns_) columns[stored.name] = encode_column(stored);
    return Json{{"type", type},
                {"capacity", capacity_},
                {"size", size_},
                {"next_index", next_},
                {"num_added", num_added_},
                {"num_sampled", num_sampled_},
                {"columns", std::move(columns)}};
  }

  // Restores get_state()'s output (of either buffer type; also the older form with the contents
  // as SampleBatch JSON under "storage"). Checked first, then committed: on an error the buffer
  // is unchanged.
  void set_state(const Json& state) {
    const std::string where = owner_ + ".set_state";
    if (!state.is_object())
      throw CheckpointError(where, "the state is a JSON " + std::string(state.type_name()) + ", not an object");
    const auto type = state.find("type");
    if (type == state.end() || (*type != "ReplayBuffer" && *type != "PrioritizedReplayBuffer"))
      throw CheckpointError(where, "the state's type is " + (type == state.end() ? std::string("missing") : type->dump()),
                            "pass what ReplayBuffer::get_state() or PrioritizedReplayBuffer::get_state() returned");
    const std::size_t capacity = state_count(state, "capacity", where);
    const std::size_t size = state_count(state, "size", where);
    const std::size_t next = state_count(state, "next_index", where);
    const std::size_t added = state_count(state, "num_added", where);
    const std::size_t sampled = state_count(state, "num_sampled", where);
    if (capacity != capacity_)
      throw CheckpointError(where, "the state holds a buffer of capacity " + std::to_string(capacity) +
                                       ", this buffer has capacity " + std::to_string(capacity_),
                            "restore into a buffer built with the same buffer_size");
    if (size > capacity_ || next >= capacity_ || (size < capacity_ && next != size) || added < size)
      throw CheckpointError(where, "size " + std::to_string(size) + ", next_index " + std::to_string(next) +
                                       " and num_added " + std::to_string(added) + " do not describe a ring of capacity " +
                                       std::to_string(capacity_));
    SampleBatch contents;
    if (const auto columns = state.find("columns"); columns != state.end()) {
      if (!columns->is_object())
        throw CheckpointError(where, "its columns are a JSON " + std::string(columns->type_name()) + ", not an object");
      try {
        for (const auto& [name, encoded] : columns->items()) contents.set(name, decode_column(name, encoded, size, where));
      } catch (const CheckpointError&) {
        throw;
      } catch (const std::exception& e) {
        throw CheckpointError(where, std::string("its columns cannot be read: ") + e.what());
      }
    } else {
      try {
        contents = state.at("storage").get<SampleBatch>();
      } catch (const std::exception& e) {
        throw CheckpointError(where, std::string("its storage cannot be read: ") + e.what());
      }
      if (contents.has_seq_lens()) throw CheckpointError(where, "its storage has seq_lens");
    }
    if (contents.empty() ? size != 0 : contents.count() != size)
      throw CheckpointError(where, "its storage holds " + std::to_string(contents.count()) + " rows, its size is " +
                                       std::to_string(size));
    if (!contents.empty() &&
        std::all_of(contents.begin(), contents.end(), [](const auto& c) { return is_replay_output_column(c.first); }))
      throw CheckpointError(where, "its storage has no columns but batch_indexes and weights");
    std::vector<StoredColumn> columns;
    if (!contents.empty()) {
      columns = learn_layout(contents);
      copy_batch(contents, columns, 0, 0, size);
    }
    columns_ = std::move(columns);
    size_ = size;
    next_ = next;
    num_added_ = added;
    num_sampled_ = sampled;
    output_ready_ = false;
  }

 private:
  struct StoredColumn {
    std::string name;
    ColumnType type = ColumnType::float32;
    Column::Shape row_shape;  // the trailing dimensions
    std::size_t width = 1;    // elements per row
    Column rows;              // [capacity, row_shape...]
  };

  static std::size_t element_bytes(ColumnType type) noexcept {
    switch (type) {
      case ColumnType::float32: return sizeof(float);
      case ColumnType::int64: return sizeof(std::int64_t);
      case ColumnType::boolean: return sizeof(bool);
      case ColumnType::json: return sizeof(Json);
    }
    return 0;
  }

  // Storage for `capacity_` rows of each of the batch's columns (uninitialized: only slots below
  // size() are ever read).
  std::vector<StoredColumn> learn_layout(const SampleBatch& batch) const {
    std::vector<StoredColumn> columns;
    for (const auto& [name, column] : batch) {
      if (is_replay_output_column(name)) continue;
      Column::Shape shape = column.shape();
      StoredColumn stored{name, column.type(), Column::Shape(shape.begin() + 1, shape.end()), column.row_size(), Column()};
      shape[0] = capacity_;
      switch (stored.type) {
        case ColumnType::float32: stored.rows = uninitialized<float>(shape); break;
        case ColumnType::int64: stored.rows = uninitialized<std::int64_t>(shape); break;
        case ColumnType::boolean: stored.rows = uninitialized<bool>(shape); break;
        case ColumnType::json: stored.rows = Column(std::vector<Json>(capacity_)); break;
      }
      columns.push_back(std::move(stored));
    }
    if (columns.empty())
      throw BatchError(owner_ + ".add", "the batch has no columns to store (batch_indexes and weights are not stored)",
                       "add batches with the timesteps' columns (obs, actions, rewards, ...)");
    return columns;
  }

  template <class T>
  static Column uninitialized(const Column::Shape& shape) {
    xt::xarray<T> values;
    values.resize(typename xt::xarray<T>::shape_type(shape.begin(), shape.end()));
    return Column(std::move(values));
  }

  static bool same_row_shape(const Column& column, const Column::Shape& row_shape) noexcept {
    return std::visit([&](const auto& values) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(values)>, std::vector<Json>>) {
        return row_shape.empty();
      } else {
        const auto& shape = values.shape();
        return shape.size() == row_shape.size() + 1 && std::equal(shape.begin() + 1, shape.end(), row_shape.begin());
      }
    }, column.storage());
  }

  // Allocation-free check that the batch has the learned layout; the slow path says what differs.
  void check_layout(const SampleBatch& batch) const {
    auto stored = columns_.begin();
    for (const auto& [name, column] : batch) {
      if (is_replay_output_column(name)) continue;
      if (stored == columns_.end() || stored->name != name || column.type() != stored->type ||
          !same_row_shape(column, stored->row_shape))
        throw layout_error(batch);
      ++stored;
    }
    if (stored != columns_.end()) throw layout_error(batch);
  }

  BatchError layout_error(const SampleBatch& batch) const {
    const std::string fix = "every batch added to one buffer needs the columns, dtypes and row shapes of the first";
    std::string layout;
    for (const StoredColumn& stored : columns_) layout += (layout.empty() ? "" : ", ") + stored.name;
    for (const auto& entry : batch) {  // (no structured binding: lambdas below capture the name)
      const std::string& name = entry.first;
      const Column& column = entry.second;
      if (is_replay_output_column(name)) continue;
      auto stored = std::find_if(columns_.begin(), columns_.end(), [&](const StoredColumn& c) { return c.name == name; });
      const std::string where = owner_ + ".add: column '" + name + "'";
      if (stored == columns_.end())
        throw BatchError(where, "is not one of the buffer's columns (" + layout + ", learned from the first add)", fix);
      if (column.type() != stored->type)
        throw BatchError(where, "holds " + std::string(column.dtype()) + ", the buffer stores " +
                                    std::string(column_type_name(stored->type)),
                         fix);
      if (!same_row_shape(column, stored->row_shape))
        throw BatchError(where, "has rows of shape " + Column::shape_text(column.shape(), 1) +
                                    ", the buffer stores rows of shape " + Column::shape_text(stored->row_shape),
                         fix);
    }
    for (const StoredColumn& stored : columns_)
      if (!batch.contains(stored.name))
        throw BatchError(owner_ + ".add: column '" + stored.name + "'", "is missing from the batch", fix);
    return BatchError(owner_ + ".add", "the batch does not have the buffer's layout", fix);  // not reached
  }

  // Rows [from, from + count) of the batch's stored columns into slots [slot, slot + count).
  static void copy_batch(const SampleBatch& batch, std::vector<StoredColumn>& columns, std::size_t from,
                         std::size_t slot, std::size_t count) {
    auto stored = columns.begin();
    for (const auto& [name, column] : batch) {
      if (is_replay_output_column(name)) continue;
      const std::size_t width = stored->width;
      std::visit([&](const auto& source) {
        using S = std::remove_cvref_t<decltype(source)>;
        auto& to = std::get<S>(stored->rows.storage());
        if constexpr (std::is_same_v<S, std::vector<Json>>) {
          std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(from), count,
                      to.begin() + static_cast<std::ptrdiff_t>(slot));
        } else if (count * width > 0) {
          using T = typename S::value_type;
          std::memcpy(to.data() + slot * width, source.data() + from * width, count * width * sizeof(T));
        }
      }, column.storage());
      ++stored;
    }
  }

  void shape_output(std::size_t n) {
    SampleBatch out;
    for (const StoredColumn& stored : columns_) {
      Column::Shape shape{n};
      shape.insert(shape.end(), stored.row_shape.begin(), stored.row_shape.end());
      out.set(stored.name, Column::zeros(stored.type, shape));
    }
    out.set(cols::batch_indexes.name, Column::zeros(ColumnType::int64, {n}));
    out.set(cols::weights.name, Column::zeros(ColumnType::float32, {n}));
    output_ = std::move(out);
    output_rows_ = n;
    output_ready_ = true;
  }

  // A column in get_state(): float32 data as one binary value of little-endian floats (in a
  // CBOR checkpoint 4 bytes per float, where a list of numbers costs 9: a float's shortest
  // decimal is rarely exact in binary32, so it is written as a double); int64 and bool data as a
  // flat list (CBOR writes small integers and bools in 1 to 3 bytes); json data as the list of
  // values.
  Json encode_column(const StoredColumn& stored) const {
    Column::Shape shape{size_};
    shape.insert(shape.end(), stored.row_shape.begin(), stored.row_shape.end());
    Json out{{"dtype", column_type_name(stored.type)}, {"shape", shape}};
    const std::size_t n = size_ * stored.width;
    std::visit([&](const auto& rows) {
      using S = std::remove_cvref_t<decltype(rows)>;
      if constexpr (std::is_same_v<S, std::vector<Json>>) {
        out["data"] = Json(std::vector<Json>(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n)));
      } else if constexpr (std::is_same_v<typename S::value_type, float>) {
        Json::binary_t::container_type bytes(n * sizeof(float));
        std::memcpy(bytes.data(), rows.data(), bytes.size());
        if constexpr (std::endian::native == std::endian::big)
          for (std::size_t i = 0; i < n; ++i) std::reverse(bytes.data() + i * sizeof(float), bytes.data() + (i + 1) * sizeof(float));
        out["data"] = Json::binary(std::move(bytes));
      } else {
        out["data"] = Json(std::vector<typename S::value_type>(rows.data(), rows.data() + n));
      }
    }, stored.rows.storage());
    return out;
  }

  // One column of get_state()'s "columns", checked: dtype, a shape of `size` rows, and data of
  // exactly that many elements of that type.
  static Column decode_column(const std::string& name, const Json& encoded, std::size_t size, const std::string& where) {
    const std::string what = where + ": column '" + name + "'";
    if (!encoded.is_object() || !encoded.contains("dtype") || !encoded.contains("shape") || !encoded.contains("data"))
      throw CheckpointError(what, "is not an object with dtype, shape and data");
    const Json& dtype = encoded["dtype"];
    ColumnType type = ColumnType::float32;
    if (dtype == "float32") type = ColumnType::float32;
    else if (dtype == "int64") type = ColumnType::int64;
    else if (dtype == "bool") type = ColumnType::boolean;
    else if (dtype == "json") type = ColumnType::json;
    else throw CheckpointError(what, "has the unknown dtype " + dtype.dump());
    const Json& dims = encoded["shape"];
    Column::Shape shape;
    std::size_t n = 1;
    if (dims.is_array())
      for (const Json& d : dims) {
        if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
          throw CheckpointError(what, "has the shape " + dims.dump() + ", not a list of sizes");
        shape.push_back(d.get<std::size_t>());
        n *= shape.back();
      }
    if (shape.empty() || shape[0] != size || (type == ColumnType::json && shape.size() != 1))
      throw CheckpointError(what, "has the shape " + dims.dump() + "; the buffer holds " + std::to_string(size) + " timesteps");
    const Json& data = encoded["data"];
    const auto wrong_count = [&](std::size_t found, const char* unit) {
      return CheckpointError(what, "holds " + std::to_string(found) + " " + unit + ", its shape " + dims.dump() + " needs " +
                                       std::to_string(type == ColumnType::float32 ? n * sizeof(float) : n));
    };
    if (type == ColumnType::float32) {
      // The binary value, or the object JSON text makes of it.
      std::vector<std::uint8_t> from_text;
      const std::vector<std::uint8_t>* bytes = &from_text;
      if (data.is_binary()) {
        bytes = &data.get_binary();
      } else if (data.is_object() && data.contains("bytes") && data["bytes"].is_array()) {
        from_text.reserve(data["bytes"].size());
        for (const Json& b : data["bytes"]) {
          if (!b.is_number_integer() || b.get<std::int64_t>() < 0 || b.get<std::int64_t>() > 255)
            throw CheckpointError(what, "has data bytes that are not bytes");
          from_text.push_back(static_cast<std::uint8_t>(b.get<std::uint64_t>()));
        }
      } else {
        throw CheckpointError(what, "has float32 data that is a JSON " + std::string(data.type_name()) + ", not binary");
      }
      if (bytes->size() != n * sizeof(float)) throw wrong_count(bytes->size(), "bytes");
      Column column = Column::zeros(type, shape);
      auto& values = std::get<xt::xarray<float>>(column.storage());
      std::memcpy(values.data(), bytes->data(), bytes->size());
      if constexpr (std::endian::native == std::endian::big) {
        auto* raw = reinterpret_cast<std::uint8_t*>(values.data());
        for (std::size_t i = 0; i < n; ++i) std::reverse(raw + i * sizeof(float), raw + (i + 1) * sizeof(float));
      }
      return column;
    }
    if (!data.is_array()) throw CheckpointError(what, "has data that is a JSON " + std::string(data.type_name()) + ", not a list");
    if (data.size() != n) throw wrong_count(data.size(), "values");
    if (type == ColumnType::json) return Column(data.get<std::vector<Json>>());
    Column column = Column::zeros(type, shape);
    std::visit([&](auto& values) {
      using S = std::remove_cvref_t<decltype(values)>;
      if constexpr (std::is_same_v<S, xt::xarray<std::int64_t>>) {
        for (std::size_t i = 0; i < n; ++i) {
          if (!data[i].is_number_integer()) throw CheckpointError(what, "holds " + data[i].dump() + " where an int64 is expected");
          values.data()[i] = data[i].get<std::int64_t>();
        }
      } else if constexpr (std::is_same_v<S, xt::xarray<bool>>) {
        for (std::size_t i = 0; i < n; ++i) {
          if (!data[i].is_boolean()) throw CheckpointError(what, "holds " + data[i].dump() + " where a bool is expected");
          values.data()[i] = data[i].get<bool>();
        }
      }
    }, column.storage());
    return column;
  }

  static std::size_t state_count(const Json& state, const char* key, const std::string& where) {
    const auto it = state.find(key);
    if (it == state.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0)
      throw CheckpointError(where, std::string("the state's '") + key + "' is " +
                                       (it == state.end() ? std::string("missing") : it->dump()) +
                                       ", not a non-negative integer");
    return it->get<std::size_t>();
  }

  std::size_t capacity_;
  std::string owner_;
  std::vector<StoredColumn> columns_;  // sorted by name, like SampleBatch's columns
  std::size_t size_ = 0;
  std::size_t next_ = 0;  // the slot the next timestep goes to
  std::uint64_t num_added_ = 0;
  std::uint64_t num_sampled_ = 0;
  SampleBatch output_;
  std::size_t output_rows_ = 0;
  bool output_ready_ = false;
};

}  // namespace rlpp::detail
