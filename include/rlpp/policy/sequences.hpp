#pragma once
// Recurrent training batches (RLlib's pad_batch_to_sequences_of_same_size): a batch of steps
// becomes B sequences of at most max_seq_len steps, each within one episode, padded with zeros
// to the longest (T) in the batch-major layout models take (row b*T + t is step t of sequence
// b), with the recurrent state each sequence starts from (the "state_in_<k>" column at its first
// row) and a mask of the valid rows for the loss.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// The recurrent state rows of some sequences: `rows` x cols floats, row-major.
struct StateRows {
  const float* values = nullptr;
  Eigen::Index columns = 0;
  const float* data() const noexcept { return values; }
  Eigen::Index cols() const noexcept { return columns; }
};

// Some consecutive sequences of a PaddedSequences, as a loss sees them.
struct SequenceView {
  std::span<const std::int64_t> seq_lens;  // one per sequence
  std::array<StateRows, max_state_tensors> state_rows{};
  std::size_t state_count = 0;
  const float* mask = nullptr;  // seq_lens.size() * T entries: 1 valid, 0 padding
  std::size_t valid_rows = 0;   // sum of seq_lens
  std::span<const StateRows> state_in() const noexcept { return {state_rows.data(), state_count}; }
};

inline std::string state_in_column(std::size_t k) { return "state_in_" + std::to_string(k); }
inline std::string state_out_column(std::size_t k) { return "state_out_" + std::to_string(k); }

struct PaddedSequences {
  SampleBatch batch;                   // seq_lens.size() * max_len rows
  std::vector<std::int64_t> seq_lens;
  std::vector<nn::Matrix> state_in;    // one [B, size] per state tensor
  std::vector<float> mask;             // B * max_len
  std::size_t max_len = 0;

  SequenceView view() const { return view(0, seq_lens.size()); }
  SequenceView view(std::size_t first, std::size_t count) const {
    SequenceView v;
    v.seq_lens = std::span<const std::int64_t>(seq_lens).subspan(first, count);
    v.state_count = state_in.size();
    for (std::size_t k = 0; k < state_in.size(); ++k)
      v.state_rows[k] = StateRows{state_in[k].data() + first * static_cast<std::size_t>(state_in[k].cols()), state_in[k].cols()};
    v.mask = mask.data() + first * max_len;
    for (std::int64_t len : v.seq_lens) v.valid_rows += static_cast<std::size_t>(len);
    return v;
  }

  // Reorders the sequences (all their rows, lengths, states and mask together).
  void shuffle_sequences(RandomStream& rng) {
    const std::size_t n = seq_lens.size();
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(std::span<std::int64_t>(order));
    std::vector<std::int64_t> rows(n * max_len);
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t t = 0; t < max_len; ++t)
        rows[b * max_len + t] = order[b] * static_cast<std::int64_t>(max_len) + static_cast<std::int64_t>(t);
    batch = batch.rows(rows);
    std::vector<std::int64_t> lens(n);
    std::vector<float> new_mask(mask.size());
    for (std::size_t b = 0; b < n; ++b) {
      const auto from = static_cast<std::size_t>(order[b]);
      lens[b] = seq_lens[from];
      std::copy_n(mask.begin() + static_cast<std::ptrdiff_t>(from * max_len), max_len,
                  new_mask.begin() + static_cast<std::ptrdiff_t>(b * max_len));
    }
    seq_lens = std::move(lens);
    mask = std::move(new_mask);
    for (auto& s : state_in) {
      nn::Matrix shuffled(s.rows(), s.cols());
      for (std::size_t b = 0; b < n; ++b) shuffled.row(static_cast<Eigen::Index>(b)) = s.row(order[b]);
      s = std::move(shuffled);
    }
  }
};

namespace detail {
template <class T>
void pad_column(const xt::xarray<T>& source, const std::vector<std::size_t>& starts, const std::vector<std::int64_t>& lens,
                std::size_t max_len, SampleBatch& out, const std::string& name) {
  auto shape = source.shape();
  std::size_t width = 1;
  for (std::size_t d = 1; d < shape.size(); ++d) width *= shape[d];
  std::vector<std::size_t> padded_shape(shape.begin(), shape.end());
  padded_shape[0] = starts.size() * max_len;
  xt::xarray<T> padded = xt::zeros<T>(padded_shape);
  for (std::size_t b = 0; b < starts.size(); ++b)
    std::copy_n(source.data() + starts[b] * width, static_cast<std::size_t>(lens[b]) * width,
                padded.data() + b * max_len * width);
  out.set(name, std::move(padded));
}
}  // namespace detail

// Chops `batch` into sequences (a new one at each episode start, eps_id change, or every
// max_seq_len steps) and pads them. Needs "state_in_<k>" columns for the k < num_state_tensors
// states (the worker records the state each step was computed from).
inline PaddedSequences pad_batch_to_sequences(const SampleBatch& batch, std::int64_t max_seq_len,
                                              std::size_t num_state_tensors) {
  if (max_seq_len <= 0) throw ConfigError("config.model.max_seq_len", "must be positive");
  const std::size_t n = batch.count();
  std::vector<std::size_t> starts;
  std::vector<std::int64_t> lens;
  const bool has_eps = batch.contains(cols::eps_id.name);
  const bool has_dones = batch.contains(cols::dones.name);
  for (std::size_t i = 0; i < n; ++i) {
    const bool new_episode = i == 0 ||
                             (has_eps && batch[cols::eps_id].data()[i] != batch[cols::eps_id].data()[i - 1]) ||
                             (has_dones && batch[cols::dones].data()[i - 1]);
    if (new_episode || lens.back() == max_seq_len) {
      starts.push_back(i);
      lens.push_back(0);
    }
    ++lens.back();
  }
  PaddedSequences out;
  out.max_len = lens.empty() ? 0 : static_cast<std::size_t>(*std::max_element(lens.begin(), lens.end()));
  out.seq_lens = lens;
  for (std::size_t k = 0; k < num_state_tensors; ++k) {
    const std::string name = state_in_column(k);
    if (!batch.contains(name))
      throw Error("pad_batch_to_sequences", "the batch has no column '" + name + "' for the recurrent model",
                  "record each step's input state in state_in_<k> columns when sampling");
    const auto states = batch.matrix(name);
    nn::Matrix s(static_cast<Eigen::Index>(starts.size()), states.cols());
    for (std::size_t b = 0; b < starts.size(); ++b) s.row(static_cast<Eigen::Index>(b)) = states.row(static_cast<Eigen::Index>(starts[b]));
    out.state_in.push_back(std::move(s));
  }
  for (const std::string& name : batch.column_names()) {
    if (name.rfind("state_in_", 0) == 0 || name.rfind("state_out_", 0) == 0) continue;
    const Column& column = batch.column(name);
    switch (column.type()) {
      case ColumnType::float32: detail::pad_column(column.get<float>(), starts, lens, out.max_len, out.batch, name); break;
      case ColumnType::int64: detail::pad_column(column.get<std::int64_t>(), starts, lens, out.max_len, out.batch, name); break;
      case ColumnType::boolean: detail::pad_column(column.get<bool>(), starts, lens, out.max_len, out.batch, name); break;
      case ColumnType::json: break;  // infos are not trained on
    }
  }
  out.mask.assign(starts.size() * out.max_len, 0.0f);
  for (std::size_t b = 0; b < starts.size(); ++b)
    std::fill_n(out.mask.begin() + static_cast<std::ptrdiff_t>(b * out.max_len), lens[b], 1.0f);
  return out;
}

}  // namespace rlpp
