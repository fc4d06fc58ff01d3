#pragma once
// SampleBatch: named columns of equal length (RLlib's rllib/policy/sample_batch.py). Rows are
// timesteps; every column's first dimension is count(). Columns are row-major and contiguous,
// so a float column is viewed as an Eigen matrix [count, row elements] without a copy, and a
// slice copies one contiguous block per column.
//
// Costs (n rows in the result, c columns): count/contains/operator[]: O(log c) lookup;
// slice/minibatches: c contiguous copies of n rows; rows (gather): n row copies per column;
// shuffle: one permutation + one gather; concat_samples: one copy of every row. Nothing walks
// elements through the variant; each operation dispatches on the dtype once per column.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/column.hpp"
#include "rlpp/data/columns.hpp"

namespace rlpp {

class SampleBatch;

// The minibatches of a batch: consecutive slices of `size` rows, the last one shorter when
// size does not divide count() (it is included, not dropped).
// `for (const SampleBatch& mb : batch.minibatches(128))`. Each dereference copies one slice into
// a buffer the range owns (SampleBatch::slice_into), so after the first minibatch, full-size
// minibatches of numeric columns allocate nothing. The reference is valid until the iterator
// moves on; copy the SampleBatch to keep it.
class Minibatches {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = SampleBatch;
    using difference_type = std::ptrdiff_t;
    using reference = const SampleBatch&;
    iterator() = default;
    iterator(const Minibatches* owner, std::size_t begin) : owner_(owner), begin_(begin) {}
    const SampleBatch& operator*() const;
    const SampleBatch* operator->() const { return &**this; }
    iterator& operator++() {
      begin_ += owner_->size_;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.begin_ == b.begin_; }
    // The first row of the current minibatch in the whole batch.
    std::size_t row() const noexcept { return begin_; }

   private:
    const Minibatches* owner_ = nullptr;
    std::size_t begin_ = 0;
  };

  Minibatches(const SampleBatch& batch, std::size_t size);
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, end_); }
  // Number of minibatches: ceil(count / size).
  std::size_t size() const noexcept { return end_ / size_; }

 private:
  const SampleBatch* batch_;
  std::size_t size_;
  std::size_t end_;  // count rounded up to a multiple of size_, so that ++ lands on it exactly
  mutable std::unique_ptr<SampleBatch> buffer_;  // SampleBatch is incomplete here
  mutable std::size_t filled_ = static_cast<std::size_t>(-1);  // which minibatch buffer_ holds
};

class MultiAgentBatch;

class SampleBatch {
 public:
  using ColumnMap = std::map<std::string, Column, std::less<>>;

  SampleBatch() = default;
  // From (name, column) pairs: SampleBatch{{"obs", obs}, {"rewards", rewards}}.
  SampleBatch(std::initializer_list<std::pair<std::string, Column>> columns) {
    for (const auto& [name, column] : columns) set(name, column);
  }

  // ---- size and names ---------------------------------------------------------------------
  std::size_t count() const noexcept { return count_; }
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return columns_.empty(); }
  bool contains(std::string_view name) const { return columns_.find(name) != columns_.end(); }
  template <class T>
  bool contains(ColumnKey<T> key) const {
    return contains(key.name);
  }
  // Sorted, so every listing and file is deterministic.
  std::vector<std::string> column_names() const {
    std::vector<std::string> names;
    names.reserve(columns_.size());
    for (const auto& entry : columns_) names.push_back(entry.first);
    return names;
  }
  // Iterate (name, Column) pairs in name order.
  const ColumnMap& columns() const noexcept { return columns_; }
  auto begin() const noexcept { return columns_.begin(); }
  auto end() const noexcept { return columns_.end(); }

  // ---- typed access -----------------------------------------------------------------------
  // A BatchError names the column when it is missing or holds another dtype.
  template <column_element T>
  column_storage_t<T>& operator[](ColumnKey<T> key) {
    return column(key.name).template get<T>(key.name);
  }
  template <column_element T>
  const column_storage_t<T>& operator[](ColumnKey<T> key) const {
    return column(key.name).template get<T>(key.name);
  }
  Column& operator[](ColumnKey<void> key) { return column(key.name); }
  const Column& operator[](ColumnKey<void> key) const { return column(key.name); }

  Column& column(std::string_view name) {
    auto it = columns_.find(name);
    if (it == columns_.end()) throw missing(name);
    return it->second;
  }
  const Column& column(std::string_view name) const {
    auto it = columns_.find(name);
    if (it == columns_.end()) throw missing(name);
    return it->second;
  }
  template <column_element T>
  column_storage_t<T>& get(std::string_view name) {
    return column(name).template get<T>(name);
  }
  template <column_element T>
  const column_storage_t<T>& get(std::string_view name) const {
    return column(name).template get<T>(name);
  }

  // All elements of a numeric column, row-major, as one span (count() * elements per row).
  template <column_element T>
    requires(!std::is_same_v<T, Json>)
  std::span<T> values(std::string_view name) {
    auto& a = get<T>(name);
    return {a.data(), a.size()};
  }
  template <column_element T>
    requires(!std::is_same_v<T, Json>)
  std::span<const T> values(std::string_view name) const {
    const auto& a = get<T>(name);
    return {a.data(), a.size()};
  }
  template <column_element T>
    requires(!std::is_same_v<T, Json>)
  std::span<T> values(ColumnKey<T> key) {
    return values<T>(key.name);
  }
  template <column_element T>
    requires(!std::is_same_v<T, Json>)
  std::span<const T> values(ColumnKey<T> key) const {
    return values<T>(key.name);
  }

  // ---- adding and removing columns ----------------------------------------------------------
  // Adds or replaces a column. Its row count must equal count() unless it is the batch's first
  // (or only) column; "seq_lens" is not a column (use set_seq_lens).
  void set(std::string_view name, Column column) {
    if (name.empty()) throw BatchError("column ''", "a column needs a name");
    if (name == seq_lens_name)
      throw BatchError("column 'seq_lens'", "seq_lens is not a per-row column", "use set_seq_lens()");
    const std::size_t rows = column.rows();
    const bool only_this = columns_.empty() || (columns_.size() == 1 && columns_.begin()->first == name);
    if (!only_this && rows != count_)
      throw BatchError("column '" + std::string(name) + "'",
                       "has " + std::to_string(rows) + " rows, the batch has " + std::to_string(count_),
                       "every column needs one row per timestep (shape [count, ...])");
    count_ = rows;
    auto it = columns_.find(name);
    if (it == columns_.end()) columns_.emplace(std::string(name), std::move(column));
    else it->second = std::move(column);
  }
  template <column_element T>
  void set(std::string_view name, column_storage_t<T> values) {
    set(name, Column(std::move(values)));
  }
  template <column_element T>
  void set(ColumnKey<T> key, column_storage_t<T> values) {
    set(key.name, Column(std::move(values)));
  }
  void set(ColumnKey<void> key, Column column) { set(key.name, std::move(column)); }

  // Removes the column if present; the batch's count becomes 0 when no column is left.
  void erase(std::string_view name) {
    auto it = columns_.find(name);
    if (it != columns_.end()) columns_.erase(it);
    if (columns_.empty()) count_ = 0;
  }

  // ---- Eigen views ------------------------------------------------------------------------
  // A float column as a row-major [count, elements per row] matrix (a 1-D column is [count, 1]),
  // viewing the column's memory: no copy. Valid until the column is replaced or resized.
  Eigen::Map<const ad::Matrix> matrix(std::string_view name) const {
    const auto& values = get<float>(name);
    return {values.data(), static_cast<Eigen::Index>(count_), static_cast<Eigen::Index>(width_of(name))};
  }
  Eigen::Map<ad::Matrix> matrix(std::string_view name) {
    auto& values = get<float>(name);
    return {values.data(), static_cast<Eigen::Index>(count_), static_cast<Eigen::Index>(width_of(name))};
  }
  Eigen::Map<const ad::Matrix> matrix(ColumnKey<float> key) const { return matrix(key.name); }
  Eigen::Map<ad::Matrix> matrix(ColumnKey<float> key) { return matrix(key.name); }

  // ---- RNN sequence lengths ----------------------------------------------------------------
  // Lengths of the consecutive sequences the rows form (empty: no sequences). Each is >= 0 and
  // their sum is at most count() (less when the batch is zero-padded).
  std::span<const std::int64_t> seq_lens() const noexcept { return seq_lens_; }
  bool has_seq_lens() const noexcept { return !seq_lens_.empty(); }
  void set_seq_lens(std::vector<std::int64_t> lengths) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      if (lengths[i] < 0)
        throw BatchError("seq_lens", "seq_lens[" + std::to_string(i) + "] = " + std::to_string(lengths[i]) + " is negative");
      sum += lengths[i];
    }
    if (static_cast<std::size_t>(sum) > count_)
      throw BatchError("seq_lens", "the sequences cover " + std::to_string(sum) + " rows, the batch has " +
                                       std::to_string(count_),
                       "set the columns first, then seq_lens summing to at most count()");
    seq_lens_ = std::move(lengths);
  }

  // ---- row selections -----------------------------------------------------------------------
  // Rows [begin, end) of every column (copied: one contiguous block per column). seq_lens are
  // cut to the sequences overlapping the range, the first and last clipped.
  SampleBatch slice(std::size_t begin, std::size_t end) const {
    SampleBatch out;
    slice_into(begin, end, out);
    return out;
  }
  // As slice(), into `out`, reusing its column buffers: when `out` already holds columns of the
  // same names, dtypes and shapes (every full minibatch after the first), nothing is allocated.
  void slice_into(std::size_t begin, std::size_t end, SampleBatch& out) const {
    if (begin > end || end > count_)
      throw BatchError("slice", "rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                                    ") are not within the batch's " + std::to_string(count_) + " rows");
    into_matching_columns(out, [&](const Column& column, Column& target) { column.slice_into(begin, end, target); });
    out.count_ = end - begin;
    out.seq_lens_.clear();
    if (!seq_lens_.empty()) clip_seq_lens(begin, end, out.seq_lens_);
  }

  // Rows index[0], index[1], ... of every column (a gather; indices may repeat). A batch with
  // seq_lens cannot be gathered: the rows would no longer form the sequences.
  SampleBatch rows(std::span<const std::int64_t> index) const {
    SampleBatch out;
    rows_into(index, out);
    return out;
  }

  // As rows(), into `out`, reusing its column buffers: when `out` already holds columns of the
  // same names, dtypes and shapes (every minibatch after the first), nothing is allocated.
  void rows_into(std::span<const std::int64_t> index, SampleBatch& out) const {
    check_gather_index(index);
    into_matching_columns(out, [&](const Column& column, Column& target) { column.gather_into(index, target); });
    out.count_ = index.size();
    out.seq_lens_.clear();
  }

  // Reorders the rows by one random permutation (the same for every column), drawn from `rng`
  // with its platform-independent Fisher-Yates shuffle: the same seed gives the same order.
  void shuffle(RandomStream& rng) {
    if (!seq_lens_.empty())
      throw BatchError("shuffle", "the batch has seq_lens; shuffling rows would tear the sequences apart",
                       "shuffle before building sequences");
    std::vector<std::int64_t> permutation(count_);
    std::iota(permutation.begin(), permutation.end(), std::int64_t{0});
    rng.shuffle(std::span<std::int64_t>(permutation));
    *this = rows(permutation);
  }

  // Consecutive slices of `size` rows; the last one has the remaining count % size rows when
  // size does not divide count() (RLlib's minibatch iteration keeps it too).
  Minibatches minibatches(std::size_t size) const {
    if (size == 0) throw BatchError("minibatches", "the minibatch size is 0", "use a size of at least 1");
    return Minibatches(*this, size);
  }

  // One batch per episode piece, in order. RLlib's rule: a new piece starts where eps_id
  // changes; in addition (rlpp) a piece ends after a row whose dones, terminateds or truncateds
  // is true, so that two episodes sharing an id (vector envs reusing ids) are still separated.
  // A batch with none of eps_id / dones / terminateds / truncateds is a BatchError.
  std::vector<SampleBatch> split_by_episode() const {
    if (!contains("eps_id") && !contains("dones") && !contains("terminateds") && !contains("truncateds"))
      throw BatchError("split_by_episode", "the batch has none of the columns eps_id, dones, terminateds, truncateds",
                       "add eps_id (or the done flags) to tell the episodes apart");
    std::vector<SampleBatch> pieces;
    for_each_episode([&](std::size_t begin, std::size_t end) { pieces.push_back(slice(begin, end)); });
    return pieces;
  }

  // Calls f(begin, end) for each episode piece [begin, end) (see split_by_episode; with no
  // episode columns, the whole batch is one piece). Allocates nothing.
  template <class F>
  void for_each_episode(F&& f) const {
    if (count_ == 0) return;
    const std::int64_t* ids = find_data<std::int64_t>("eps_id");
    const bool* flags[3] = {find_data<bool>("dones"), find_data<bool>("terminateds"), find_data<bool>("truncateds")};
    std::size_t begin = 0;
    for (std::size_t i = 0; i + 1 < count_; ++i) {
      bool ends = ids != nullptr && ids[i + 1] != ids[i];
      for (const bool* flag : flags) ends = ends || (flag != nullptr && flag[i]);
      if (ends) {
        f(begin, i + 1);
        begin = i + 1;
      }
    }
    f(begin, count_);
  }

  // Slices of k rows from the start of each episode piece (see split_by_episode): no slice
  // spans two episodes, so a slice is one RNN training sequence. The last slice of each piece
  // may be shorter. RLlib's timeslices(k) cuts every k rows regardless of episodes; that is
  // what this returns for a batch without eps_id / done columns.
  std::vector<SampleBatch> timeslices(std::size_t k) const {
    if (k == 0) throw BatchError("timeslices", "the slice length k is 0", "use k >= 1");
    std::vector<SampleBatch> out;
    for_each_episode([&](std::size_t begin, std::size_t end) {
      for (std::size_t start = begin; start < end; start += k) out.push_back(slice(start, std::min(start + k, end)));
    });
    return out;
  }

  // This batch as the only policy batch (default_policy) of a MultiAgentBatch.
  MultiAgentBatch as_multi_agent() const&;
  MultiAgentBatch as_multi_agent() &&;

  friend bool operator==(const SampleBatch& a, const SampleBatch& b) {
    return a.count_ == b.count_ && a.seq_lens_ == b.seq_lens_ && a.columns_ == b.columns_;
  }

 private:
  // Gives `out` exactly this batch's column names (keeping the buffers of those it already has)
  // and calls fill(column, out's column) for each; walks both sorted maps together.
  template <class Fill>
  void into_matching_columns(SampleBatch& out, Fill&& fill) const {
    for (auto it = out.columns_.begin(); it != out.columns_.end();)
      it = columns_.count(it->first) ? std::next(it) : out.columns_.erase(it);
    auto hint = out.columns_.begin();
    for (const auto& [name, column] : columns_) {
      while (hint != out.columns_.end() && hint->first < name) ++hint;
      if (hint == out.columns_.end() || hint->first != name) hint = out.columns_.emplace_hint(hint, name, Column());
      fill(column, hint->second);
      ++hint;
    }
  }
  void check_gather_index(std::span<const std::int64_t> index) const {
    if (!seq_lens_.empty())
      throw BatchError("rows", "the batch has seq_lens; gathered rows would not form those sequences",
                       "gather before setting seq_lens, or slice whole sequences");
    for (std::size_t i = 0; i < index.size(); ++i)
      if (index[i] < 0 || static_cast<std::size_t>(index[i]) >= count_)
        throw BatchError("rows", "index[" + std::to_string(i) + "] = " + std::to_string(index[i]) +
                                     " is not a row of the batch's " + std::to_string(count_) + " rows");
  }
  friend SampleBatch concat_samples(std::span<const SampleBatch* const> batches);
  // For concat_samples: builds the batch without per-column checks (they were made).
  static SampleBatch from_parts(ColumnMap columns, std::size_t count, std::vector<std::int64_t> seq_lens) {
    SampleBatch out;
    out.columns_ = std::move(columns);
    out.count_ = count;
    out.seq_lens_ = std::move(seq_lens);
    return out;
  }

  static BatchError missing(std::string_view name) {
    return BatchError("column '" + std::string(name) + "'", "is not in the batch",
                      "check the column name (RLlib's names: obs, new_obs, actions, rewards, dones, ...)");
  }
  std::size_t width_of(std::string_view name) const { return column(name).row_size(); }

  template <class T>
  const T* find_data(std::string_view name) const {
    auto it = columns_.find(name);
    if (it == columns_.end()) return nullptr;
    return it->second.template get<T>(name).data();
  }

  void clip_seq_lens(std::size_t begin, std::size_t end, std::vector<std::int64_t>& out) const {
    std::size_t start = 0;
    for (std::int64_t length : seq_lens_) {
      const std::size_t stop = start + static_cast<std::size_t>(length);
      const std::size_t lo = std::max(start, begin), hi = std::min(stop, end);
      if (lo < hi) out.push_back(static_cast<std::int64_t>(hi - lo));
      start = stop;
      if (start >= end) break;
    }
  }

  ColumnMap columns_;
  std::size_t count_ = 0;
  std::vector<std::int64_t> seq_lens_;
};

inline Minibatches::Minibatches(const SampleBatch& batch, std::size_t size)
    : batch_(&batch), size_(size), end_((batch.count() + size - 1) / size * size), buffer_(std::make_unique<SampleBatch>()) {}

inline const SampleBatch& Minibatches::iterator::operator*() const {
  if (owner_->filled_ != begin_) {
    const SampleBatch& batch = *owner_->batch_;
    batch.slice_into(begin_, std::min(begin_ + owner_->size_, batch.count()), *owner_->buffer_);
    owner_->filled_ = begin_;
  }
  return *owner_->buffer_;
}

// The batches' rows one after another (RLlib's concat_samples). Every batch must have the same
// column names and, per column, the same dtype and trailing shape; the BatchError names the
// column and the batch. Empty batches (no columns) are skipped. seq_lens are concatenated; a
// mix of batches with and without seq_lens is an error.
inline SampleBatch concat_samples(std::span<const SampleBatch* const> batches) {
  std::vector<const SampleBatch*> parts;
  for (const SampleBatch* batch : batches)
    if (!batch->empty()) parts.push_back(batch);
  if (parts.empty()) return {};
  const SampleBatch& first = *parts[0];
  std::size_t total = 0;
  std::vector<std::int64_t> seq_lens;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const SampleBatch& batch = *parts[i];
    if (batch.columns().size() != first.columns().size() ||
        !std::equal(batch.begin(), batch.end(), first.begin(), [](const auto& a, const auto& b) { return a.first == b.first; })) {
      for (const auto& entry : first)
        if (!batch.contains(entry.first))
          throw BatchError("concat_samples", "column '" + entry.first + "' is in batch 0 but not in batch " + std::to_string(i),
                           "concatenate batches with the same columns");
      for (const auto& entry : batch)
        if (!first.contains(entry.first))
          throw BatchError("concat_samples", "column '" + entry.first + "' is in batch " + std::to_string(i) + " but not in batch 0",
                           "concatenate batches with the same columns");
    }
    if (batch.has_seq_lens() != first.has_seq_lens() && batch.count() > 0)
      throw BatchError("concat_samples", "batch " + std::to_string(i) + (batch.has_seq_lens() ? " has" : " has no") +
                                             " seq_lens, batch 0" + (first.has_seq_lens() ? " has" : " has none"),
                       "give all batches seq_lens, or none");
    seq_lens.insert(seq_lens.end(), batch.seq_lens().begin(), batch.seq_lens().end());
    total += batch.count();
  }
  SampleBatch::ColumnMap columns;
  std::vector<const Column*> column_parts(parts.size());
  for (const auto& [name, column] : first) {
    for (std::size_t i = 0; i < parts.size(); ++i) column_parts[i] = &parts[i]->column(name);
    columns.emplace_hint(columns.end(), name, Column::concat(column_parts, name));
  }
  return SampleBatch::from_parts(std::move(columns), total, std::move(seq_lens));
}
inline SampleBatch concat_samples(std::span<const SampleBatch> batches) {
  std::vector<const SampleBatch*> parts;
  parts.reserve(batches.size());
  for (const SampleBatch& batch : batches) parts.push_back(&batch);
  return concat_samples(std::span<const SampleBatch* const>(parts));
}
inline SampleBatch concat_samples(std::initializer_list<SampleBatch> batches) {
  return concat_samples(std::span<const SampleBatch>(batches.begin(), batches.size()));
}

// JSON conversions (defined in batch_json.hpp), found by ADL: `Json j = batch;`.
inline void to_json(Json& j, const SampleBatch& batch);
inline void from_json(const Json& j, SampleBatch& batch);

}  // namespace rlpp

// MultiAgentBatch completes as_multi_agent(); the JSON conversions are found by ADL wherever a
// batch is. Both include this header first.
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/data/batch_json.hpp"
