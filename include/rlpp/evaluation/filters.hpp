#pragma once
// Observation filters (RLlib's rllib/utils/filter.py): NoFilter and MeanStdFilter, the running
// mean/std normalizer a rollout worker applies to each preprocessed observation row, and
// synchronize_filters, which merges the workers' new statistics into the local filter and sends
// the merged filter back. ObservationFilter is the one a worker holds: the filter named by
// config.observation_filter ("NoFilter" | "MeanStdFilter").

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp {

// A writable [B, width] view of float observations, one per row: an nn::Matrix, a Map over a
// row-major buffer, or a block of rows of either (no copy; the inner stride must be 1).
using ObservationBatch = Eigen::Ref<nn::Matrix>;

// Running count, mean and sum of squared deviations (M2) of a stream of rows, in double, per
// column. push() is Welford's update; update() merges another stat with the parallel formula of
// Chan, Golub & LeVeque (1979), so merging the stats of two halves gives the stats of the whole.
// var() is M2 / (n - 1) for n > 1 and, as in RLlib, mean^2 for n <= 1.
class RunningStat {
 public:
  RunningStat() = default;
  explicit RunningStat(std::size_t width) : mean_(width, 0.0), m2_(width, 0.0) {}

  std::size_t width() const noexcept { return mean_.size(); }
  std::int64_t n() const noexcept { return n_; }
  std::span<const double> mean() const noexcept { return mean_; }
  std::span<const double> m2() const noexcept { return m2_; }
  double mean(std::size_t i) const { return mean_[i]; }
  double var(std::size_t i) const {
    return n_ > 1 ? m2_[i] / static_cast<double>(n_ - 1) : mean_[i] * mean_[i];
  }
  double std(std::size_t i) const { return std::sqrt(var(i)); }

  // Adds one row. SpaceError if its width is not width().
  void push(std::span<const float> x) { push_row(x); }
  void push(std::span<const double> x) { push_row(x); }

  // Merges `other` into this stat (RLlib's RunningStat.update). SpaceError on a width mismatch.
  void update(const RunningStat& other) {
    check_width(other.width(), "RunningStat.update", "the other stat has");
    if (other.n_ == 0) return;
    if (n_ == 0) {  // exact copy: (0 * a + n * b) / n can round away from b
      n_ = other.n_;
      std::copy(other.mean_.begin(), other.mean_.end(), mean_.begin());
      std::copy(other.m2_.begin(), other.m2_.end(), m2_.begin());
      return;
    }
    const auto n1 = static_cast<double>(n_);
    const auto n2 = static_cast<double>(other.n_);
    const double n = n1 + n2;
    for (std::size_t i = 0; i < mean_.size(); ++i) {
      const double delta = mean_[i] - other.mean_[i];
      mean_[i] = (n1 * mean_[i] + n2 * other.mean_[i]) / n;
      m2_[i] = m2_[i] + other.m2_[i] + delta * delta * n1 * n2 / n;
    }
    n_ += other.n_;
  }

  // Back to n = 0 (keeps the width and the storage).
  void clear() noexcept {
    n_ = 0;
    std::fill(mean_.begin(), mean_.end(), 0.0);
    std::fill(m2_.begin(), m2_.end(), 0.0);
  }

  // {"n": int, "mean": [...], "m2": [...]}; the doubles round-trip exactly through dump/parse.
  Json get_state() const { return Json{{"n", n_}, {"mean", mean_}, {"m2", m2_}}; }
  // CheckpointError naming `where` if `state` is malformed or of another width; this stat is
  // unchanged then.
  void set_state(const Json& state, std::string_view where = "RunningStat state") {
    const std::string at(where);
    if (!state.is_object() || !state.contains("n") || !state.contains("mean") || !state.contains("m2"))
      throw CheckpointError(at, "expected an object with keys n, mean, m2, got " + describe_json(state));
    const Json& n = state["n"];
    if (!n.is_number_integer() || n.get<std::int64_t>() < 0)
      throw CheckpointError(at + ".n", "expected a non-negative integer, got " + describe_json(n));
    std::vector<double> mean = read_doubles(state["mean"], at + ".mean");
    std::vector<double> m2 = read_doubles(state["m2"], at + ".m2");
    n_ = n.get<std::int64_t>();
    mean_ = std::move(mean);
    m2_ = std::move(m2);
  }

  friend bool operator==(const RunningStat&, const RunningStat&) = default;

 private:
  template <class T>
  void push_row(std::span<const T> x) {
    check_width(x.size(), "RunningStat.push", "got a row of");
    const auto n1 = static_cast<double>(n_);
    ++n_;
    const auto n = static_cast<double>(n_);
    if (n_ == 1) {
      for (std::size_t i = 0; i < x.size(); ++i) mean_[i] = static_cast<double>(x[i]);
      return;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double delta = static_cast<double>(x[i]) - mean_[i];
      mean_[i] += delta / n;
      m2_[i] += delta * delta * n1 / n;
    }
  }

  void check_width(std::size_t got, const char* where, const char* what) const {
    if (got != width())
      throw SpaceError(where, "expected width " + std::to_string(width()) + ", " + what + " width " +
                                  std::to_string(got));
  }

  std::vector<double> read_doubles(const Json& values, const std::string& where) const {
    if (!values.is_array() || values.size() != width())
      throw CheckpointError(where, "expected an array of " + std::to_string(width()) + " numbers, got " +
                                       describe_json(values));
    std::vector<double> out;
    out.reserve(values.size());
    for (const Json& v : values) {
      if (!v.is_number()) throw CheckpointError(where, "expected numbers, got " + describe_json(v));
      out.push_back(v.get<double>());
    }
    return out;
  }

  std::int64_t n_ = 0;
  std::vector<double> mean_;
  std::vector<double> m2_;
};

// What every observation filter offers (RLlib's Filter interface), so a worker, synchronize_filters
// and ObservationFilter treat them alike. Applying a filter is in place and never allocates.
template <class F>
concept observation_filter =
    std::copyable<F> &&
    requires(F& f, const F& cf, std::span<float> row, ObservationBatch batch, const Json& state, bool flag) {
      { cf.width() } -> std::same_as<std::size_t>;
      f(row, flag);
      f(batch, flag);
      f.apply_changes(cf, flag);
      f.sync(cf);
      f.clear_buffer();
      { cf.copy() } -> std::same_as<F>;
      { cf.get_state() } -> std::same_as<Json>;
      { cf.as_serializable() } -> std::same_as<Json>;
      f.set_state(state);
    };

namespace detail {
inline void check_filter_row(std::string_view filter, std::size_t width, std::size_t got) {
  if (got != width)
    throw SpaceError(std::string(filter), "expected an observation of width " + std::to_string(width) + ", got " +
                                              std::to_string(got) + " floats",
                     "the filter is built for the preprocessed observation size of the policy's observation space");
}
inline void check_filter_batch(std::string_view filter, std::size_t width, Eigen::Index cols) {
  if (static_cast<std::size_t>(cols) != width)
    throw SpaceError(std::string(filter), "expected a batch of width " + std::to_string(width) + ", got " +
                                              std::to_string(cols) + " columns",
                     "the filter is built for the preprocessed observation size of the policy's observation space");
}
inline void check_filter_widths(std::string_view where, std::size_t width, std::size_t other) {
  if (other != width)
    throw SpaceError(std::string(where), "expected a filter of width " + std::to_string(width) + ", got width " +
                                             std::to_string(other));
}
inline std::size_t read_filter_state_width(const Json& state, std::string_view type, std::size_t width) {
  const std::string where = std::string(type) + " state";
  if (!state.is_object() || !state.contains("type") || state["type"] != type)
    throw CheckpointError(where, "expected an object with \"type\": \"" + std::string(type) + "\", got " +
                                     describe_json(state));
  const Json& shape = state.value("shape", Json());
  if (!shape.is_array() || shape.size() != 1 || !shape[0].is_number_unsigned())
    throw CheckpointError(where + ".shape", "expected [width], got " + describe_json(shape));
  const auto got = shape[0].get<std::size_t>();
  if (got != width)
    throw CheckpointError(where + ".shape", "the state is for width " + std::to_string(got) +
                                                ", this filter has width " + std::to_string(width),
                          "restore into a worker built for the same observation space");
  return got;
}
}  // namespace detail

// The identity (RLlib's NoFilter): it only checks the width of what it is given.
class NoFilter {
 public:
  static constexpr std::string_view type_name = "NoFilter";

  explicit NoFilter(std::size_t width) : width_(width) {}

  std::size_t width() const noexcept { return width_; }

  void operator()(std::span<float> observation, bool /*update*/ = true) const {
    detail::check_filter_row(type_name, width_, observation.size());
  }
  void operator()(ObservationBatch batch, bool /*update*/ = true) const {
    detail::check_filter_batch(type_name, width_, batch.cols());
  }

  void apply_changes(const NoFilter& other, bool /*with_buffer*/ = false) {
    detail::check_filter_widths("NoFilter.apply_changes", width_, other.width_);
  }
  void sync(const NoFilter& other) { detail::check_filter_widths("NoFilter.sync", width_, other.width_); }
  void clear_buffer() noexcept {}
  NoFilter copy() const { return *this; }

  Json get_state() const { return Json{{"type", type_name}, {"shape", {width_}}}; }
  Json as_serializable() const { return get_state(); }
  void set_state(const Json& state) { detail::read_filter_state_width(state, type_name, width_); }

 private:
  std::size_t width_;
};

// RLlib's MeanStdFilter: y = clip((x - mean) / (std + 1e-8), -clip, clip), with the running
// mean and std of every observation seen so far, updated before normalizing. `rs` holds the
// stats of everything seen, `buffer` those seen since the last clear_buffer() (what
// synchronize_filters ships to the local filter). demean/destd switch the two steps off;
// clip = 0 switches clipping off (RLlib's falsy clip). Statistics are kept in double.
class MeanStdFilter {
 public:
  static constexpr std::string_view type_name = "MeanStdFilter";

  explicit MeanStdFilter(std::size_t width, bool demean = true, bool destd = true, double clip = 10.0)
      : demean_(demean), destd_(destd), clip_(clip), rs_(width), buffer_(width) {
    if (!(clip >= 0.0))
      throw Error("MeanStdFilter", "clip must be >= 0 (0: no clipping), got " + std::to_string(clip));
  }

  std::size_t width() const noexcept { return rs_.width(); }
  bool demean() const noexcept { return demean_; }
  bool destd() const noexcept { return destd_; }
  double clip() const noexcept { return clip_; }
  const RunningStat& rs() const noexcept { return rs_; }
  const RunningStat& buffer() const noexcept { return buffer_; }

  // Filters one observation in place; with `update`, the row first joins the statistics.
  void operator()(std::span<float> observation, bool update = true) {
    detail::check_filter_row(type_name, width(), observation.size());
    if (update) {
      rs_.push(std::span<const float>(observation));
      buffer_.push(std::span<const float>(observation));
    }
    normalize(observation.data());
  }

  // Filters a [B, width] batch in place. As RLlib's vectorized case: with `update`, every row
  // joins the statistics first, then all rows are normalized with the resulting mean and std.
  void operator()(ObservationBatch batch, bool update = true) {
    detail::check_filter_batch(type_name, width(), batch.cols());
    const auto w = static_cast<std::size_t>(batch.cols());
    if (update) {
      for (Eigen::Index r = 0; r < batch.rows(); ++r) {
        const std::span<const float> row(batch.row(r).data(), w);
        rs_.push(row);
        buffer_.push(row);
      }
    }
    for (Eigen::Index r = 0; r < batch.rows(); ++r) normalize(batch.row(r).data());
  }

  // Merges other's buffer into rs (and, with `with_buffer`, takes a copy of other's buffer as
  // this buffer). RLlib's apply_changes; SpaceError on a width mismatch.
  void apply_changes(const MeanStdFilter& other, bool with_buffer = false) {
    detail::check_filter_widths("MeanStdFilter.apply_changes", width(), other.width());
    rs_.update(other.buffer_);
    if (with_buffer) buffer_ = other.buffer_;
  }

  // Becomes a copy of `other`: demean, destd, clip, rs and buffer (no allocation: the widths
  // match). SpaceError on a width mismatch.
  void sync(const MeanStdFilter& other) {
    detail::check_filter_widths("MeanStdFilter.sync", width(), other.width());
    demean_ = other.demean_;
    destd_ = other.destd_;
    clip_ = other.clip_;
    rs_ = other.rs_;
    buffer_ = other.buffer_;
  }

  void clear_buffer() noexcept { buffer_.clear(); }
  MeanStdFilter copy() const { return *this; }

  // {"type": "MeanStdFilter", "shape": [width], "demean", "destd", "clip", "rs": {n, mean, m2},
  // "buffer": {n, mean, m2}}. RLlib's as_serializable returns a copy; here it is this state.
  Json get_state() const {
    return Json{{"type", type_name}, {"shape", {width()}}, {"demean", demean_},        {"destd", destd_},
                {"clip", clip_},     {"rs", rs_.get_state()}, {"buffer", buffer_.get_state()}};
  }
  Json as_serializable() const { return get_state(); }
  // CheckpointError if `state` is not a MeanStdFilter state of this width; unchanged then.
  void set_state(const Json& state) {
    detail::read_filter_state_width(state, type_name, width());
    const auto flag = [&](const char* key) {
      const Json& v = state.value(key, Json());
      if (!v.is_boolean())
        throw CheckpointError(std::string("MeanStdFilter state.") + key, "expected a boolean, got " + describe_json(v));
      return v.get<bool>();
    };
    const bool demean = flag("demean");
    const bool destd = flag("destd");
    const Json& clip = state.value("clip", Json());
    if (!clip.is_number() || !(clip.get<double>() >= 0.0))
      throw CheckpointError("MeanStdFilter state.clip", "expected a number >= 0, got " + describe_json(clip));
    RunningStat rs(width());
    RunningStat buffer(width());
    rs.set_state(state.value("rs", Json()), "MeanStdFilter state.rs");
    buffer.set_state(state.value("buffer", Json()), "MeanStdFilter state.buffer");
    demean_ = demean;
    destd_ = destd;
    clip_ = clip.get<double>();
    rs_ = std::move(rs);
    buffer_ = std::move(buffer);
  }

 private:
  void normalize(float* x) const {
    for (std::size_t i = 0; i < width(); ++i) {
      double v = static_cast<double>(x[i]);
      if (demean_) v -= rs_.mean(i);
      if (destd_) v /= rs_.std(i) + 1e-8;
      if (clip_ > 0.0) v = std::clamp(v, -clip_, clip_);
      x[i] = static_cast<float>(v);
    }
  }

  bool demean_;
  bool destd_;
  double clip_;
  RunningStat rs_;
  RunningStat buffer_;
};

// The filter named by config.observation_filter, chosen at run time. Same interface as the
// filters it holds; combining two of different types (apply_changes, sync) is an Error.
class ObservationFilter {
 public:
  using variant_type = std::variant<NoFilter, MeanStdFilter>;

  static std::vector<std::string> type_names() {
    return {std::string(NoFilter::type_name), std::string(MeanStdFilter::type_name)};
  }

  ObservationFilter(NoFilter filter) : filter_(std::move(filter)) {}
  ObservationFilter(MeanStdFilter filter) : filter_(std::move(filter)) {}

  // The filter named `type` ("NoFilter" or "MeanStdFilter", RLlib's defaults for the latter) for
  // rows of `width` floats. An unknown name is a ConfigError naming `path`, with a suggestion.
  ObservationFilter(std::string_view type, std::size_t width, std::string_view path = "config.observation_filter")
      : filter_(make(type, width, path)) {}

  // The filter named by config["observation_filter"] ("NoFilter" when absent or null, RLlib's
  // default). A value that is not a string is a ConfigError.
  static ObservationFilter from_config(const Config& config, std::size_t width) {
    const std::string path = config.path_of("observation_filter");
    if (!config.contains("observation_filter") || config.json()["observation_filter"].is_null())
      return ObservationFilter(NoFilter(width));
    return ObservationFilter(config.get<std::string>("observation_filter"), width, path);
  }

  std::string_view type() const {
    return std::visit([](const auto& f) { return std::decay_t<decltype(f)>::type_name; }, filter_);
  }
  template <class F>
  bool holds() const noexcept { return std::holds_alternative<F>(filter_); }
  template <class F>
  F* get_if() noexcept { return std::get_if<F>(&filter_); }
  template <class F>
  const F* get_if() const noexcept { return std::get_if<F>(&filter_); }
  const variant_type& variant() const noexcept { return filter_; }

  std::size_t width() const noexcept {
    return std::visit([](const auto& f) { return f.width(); }, filter_);
  }

  void operator()(std::span<float> observation, bool update = true) {
    std::visit([&](auto& f) { f(observation, update); }, filter_);
  }
  void operator()(ObservationBatch batch, bool update = true) {
    std::visit([&](auto& f) { f(batch, update); }, filter_);
  }

  void apply_changes(const ObservationFilter& other, bool with_buffer = false) {
    std::visit([&](auto& f) { f.apply_changes(same_type(f, other, "apply_changes"), with_buffer); }, filter_);
  }
  void sync(const ObservationFilter& other) {
    std::visit([&](auto& f) { f.sync(same_type(f, other, "sync")); }, filter_);
  }
  void clear_buffer() noexcept {
    std::visit([](auto& f) { f.clear_buffer(); }, filter_);
  }
  ObservationFilter copy() const { return *this; }

  Json get_state() const {
    return std::visit([](const auto& f) { return f.get_state(); }, filter_);
  }
  Json as_serializable() const { return get_state(); }
  // CheckpointError if `state` is for another filter type (the config chooses the type) or width.
  void set_state(const Json& state) {
    if (!state.is_object() || !state.contains("type") || !state["type"].is_string())
      throw CheckpointError("observation filter state",
                            "expected an object with a \"type\" string, got " + describe_json(state));
    const auto saved = state["type"].get<std::string>();
    if (saved != type())
      throw CheckpointError("observation filter state",
                            "the state is of a " + saved + ", this worker's filter is a " + std::string(type()),
                            "set config.observation_filter to \"" + saved + "\" to restore it");
    std::visit([&](auto& f) { f.set_state(state); }, filter_);
  }

 private:
  static variant_type make(std::string_view type, std::size_t width, std::string_view path) {
    if (type == NoFilter::type_name) return NoFilter(width);
    if (type == MeanStdFilter::type_name) return MeanStdFilter(width);
    std::string fix = did_you_mean(type, type_names());
    if (type == "ConcurrentMeanStdFilter")
      fix = "use 'MeanStdFilter': each rlpp worker owns its filter, so no thread-safe variant is needed";
    if (fix.empty()) fix = "use 'NoFilter' or 'MeanStdFilter'";
    throw ConfigError(std::string(path),
                      "unknown observation filter '" + std::string(type) + "'; expected one of 'NoFilter', 'MeanStdFilter'",
                      fix);
  }

  template <class F>
  static const F& same_type(const F&, const ObservationFilter& other, const char* operation) {
    if (const F* f = other.get_if<F>()) return *f;
    throw Error(std::string("ObservationFilter.") + operation,
                "cannot combine a " + std::string(F::type_name) + " with a " + std::string(other.type()),
                "all workers must use the same config.observation_filter");
  }

  variant_type filter_;
};

// RLlib's FilterManager.synchronize: `local` absorbs each remote's buffer in worker order
// (apply_changes with_buffer = false), then each remote becomes a copy of `local` with an empty
// buffer. `local`'s own buffer is left as it is. Deterministic: the merge order is the span's.
// Error for a null remote; SpaceError (or Error for ObservationFilters of different types) on a
// mismatch, before any filter is changed.
template <observation_filter F>
void synchronize_filters(F& local, std::type_identity_t<std::span<F* const>> remotes) {
  for (std::size_t i = 0; i < remotes.size(); ++i) {
    if (remotes[i] == nullptr)
      throw Error("synchronize_filters", "remote filter " + std::to_string(i) + " is null");
    if (remotes[i]->width() != local.width())
      throw SpaceError("synchronize_filters", "remote filter " + std::to_string(i) + " has width " +
                                                  std::to_string(remotes[i]->width()) + ", the local filter " +
                                                  std::to_string(local.width()));
    if constexpr (std::is_same_v<F, ObservationFilter>) {
      if (remotes[i]->type() != local.type())
        throw Error("synchronize_filters", "remote filter " + std::to_string(i) + " is a " +
                                               std::string(remotes[i]->type()) + ", the local filter a " +
                                               std::string(local.type()),
                    "all workers must use the same config.observation_filter");
    }
  }
  for (F* remote : remotes) local.apply_changes(*remote, false);
  for (F* remote : remotes) {
    remote->sync(local);
    remote->clear_buffer();
  }
}

}  // namespace rlpp
