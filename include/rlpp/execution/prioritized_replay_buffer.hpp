#pragma once
// PrioritizedReplayBuffer: proportional prioritized experience replay (Schaul et al. 2016,
// "Prioritized Experience Replay", ICLR), with RLlib's semantics (PrioritizedReplayBuffer in
// rllib/execution/replay_buffer.py); the beta annealing schedule and ReplayConfig, the replay
// keys of RLlib's DQN config. See docs/replay-buffers.md for the formulas.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/execution/detail/replay_storage.hpp"
#include "rlpp/execution/segment_tree.hpp"
#include "rlpp/nn/schedules.hpp"

namespace rlpp {

// Each stored timestep i has a priority p_i > 0 and is sampled with probability
// P(i) = p_i^alpha / sum_k p_k^alpha. New timesteps get the largest priority given so far
// (max_priority, initially 1), so each is likely to be replayed at least once.
//
// Costs (n rows, N = capacity): add: as ReplayBuffer plus two O(log N) tree updates per row;
// sample: n O(log N) prefix-sum searches + n row copies per column; update_priorities: two
// O(log N) tree updates per index. Warm add, sample(n) and update_priorities allocate nothing
// (json columns aside). Not thread-safe.
class PrioritizedReplayBuffer {
 public:
  // capacity: buffer_size in timesteps (>= 1); alpha: prioritized_replay_alpha (>= 0; 0 is
  // uniform sampling).
  explicit PrioritizedReplayBuffer(std::size_t capacity, double alpha = 0.6)
      : storage_(capacity, "PrioritizedReplayBuffer"), alpha_(alpha), sum_tree_(capacity), min_tree_(capacity) {
    if (!(alpha >= 0.0) || !std::isfinite(alpha))
      throw ConfigError("PrioritizedReplayBuffer", "alpha (prioritized_replay_alpha) is " + std::to_string(alpha),
                        "use an alpha >= 0 (RLlib's default: 0.6)");
    max_leaf_ = leaf(max_priority_);
  }

  // As ReplayBuffer::add; the new timesteps get priority max_priority().
  void add(const SampleBatch& batch) {
    const auto written = storage_.add(batch);
    for (std::size_t k = 0; k < written.count; ++k) set_leaf((written.first + k) % storage_.capacity(), max_leaf_);
  }

  // As add(batch), with one initial priority per row (RLlib's add(item, weight), used with
  // worker_side_prioritization). Each must be positive and finite; max_priority() is not raised
  // (as in RLlib).
  void add(const SampleBatch& batch, std::span<const float> priorities) {
    const char* where = "PrioritizedReplayBuffer.add";
    if (priorities.size() != batch.count())
      throw Error(where, std::to_string(priorities.size()) + " priorities for a batch of " + std::to_string(batch.count()) +
                             " rows",
                  "give one priority per row");
    for (std::size_t k = 0; k < priorities.size(); ++k) check_priority(priorities[k], where, "priorities", k, -1);
    const auto written = storage_.add(batch);
    const std::size_t skipped = batch.count() - written.count;
    for (std::size_t k = 0; k < written.count; ++k)
      set_leaf((written.first + k) % storage_.capacity(), leaf(priorities[skipped + k]));
  }

  // num_items timesteps drawn with replacement with probability P(i) (RLlib's
  // _sample_proportional: mass = uniform * total, then a prefix-sum search), with their slots
  // in batch_indexes and importance weights in weights:
  //   w_i = (N * P(i))^-beta / max_j (N * P(j))^-beta = (min_j p_j^alpha / p_i^alpha)^beta,
  // N = size(). beta >= 0 (0: all weights 1). The batch is owned by the buffer and rewritten by
  // the next sample(). An empty buffer is an Error.
  const SampleBatch& sample(std::size_t num_items, double beta, RandomStream& rng) {
    if (!(beta >= 0.0) || !std::isfinite(beta))
      throw Error("PrioritizedReplayBuffer.sample", "beta is " + std::to_string(beta),
                  "use a beta >= 0 (prioritized_replay_beta; RLlib's default: 0.4)");
    SampleBatch& out = storage_.output(num_items);
    const auto slots = out.values(cols::batch_indexes);
    const auto weights = out.values(cols::weights);
    const double total = sum_tree_.sum();
    const double min_leaf = min_tree_.min();
    for (std::size_t r = 0; r < num_items; ++r) {
      const std::size_t slot = sum_tree_.find_prefixsum_idx(rng.uniform() * total);
      slots[r] = static_cast<std::int64_t>(slot);
      weights[r] = static_cast<float>(std::pow(min_leaf / sum_tree_[slot], beta));
    }
    storage_.gather(out);
    storage_.count_sampled(num_items);
    return out;
  }

  // Sets the priorities of the timesteps in the given slots (the batch_indexes of a sample; an
  // index may repeat, the last one wins) and raises max_priority(). Each index must be a stored
  // slot, each priority positive and finite: an Error names the first that is not, and then no
  // priority has changed.
  void update_priorities(std::span<const std::int64_t> indexes, std::span<const float> priorities) {
    update("PrioritizedReplayBuffer.update_priorities", indexes, priorities.size(), "priorities",
           [&](std::size_t k) { return static_cast<double>(priorities[k]); });
  }

  // update_priorities with p = |td_error| + eps (what RLlib's DQN does after each learn step;
  // eps is prioritized_replay_eps).
  void update_priorities_from_td_errors(std::span<const std::int64_t> indexes, std::span<const float> td_errors,
                                        double eps) {
    update("PrioritizedReplayBuffer.update_priorities_from_td_errors", indexes, td_errors.size(), "td_errors",
           [&](std::size_t k) { return std::abs(static_cast<double>(td_errors[k])) + eps; });
  }

  std::size_t size() const noexcept { return storage_.size(); }
  std::size_t capacity() const noexcept { return storage_.capacity(); }
  std::uint64_t num_added() const noexcept { return storage_.num_added(); }
  std::vector<std::string> column_names() const { return storage_.column_names(); }
  double alpha() const noexcept { return alpha_; }
  // The largest priority given so far (1 before any update).
  double max_priority() const noexcept { return max_priority_; }
  // The trees over p_i^alpha: slot i holds p_i^alpha for i < size(), the identity elsewhere.
  const SumSegmentTree& sum_tree() const noexcept { return sum_tree_; }
  const MinSegmentTree& min_tree() const noexcept { return min_tree_; }

  // ReplayBuffer's stats plus max_priority.
  Json stats() const {
    Json stats = storage_.stats();
    stats["max_priority"] = max_priority_;
    return stats;
  }

  // ReplayBuffer's state plus alpha, max_priority and priorities_pow_alpha (p_i^alpha per
  // slot). set_state also accepts a ReplayBuffer's state (every timestep then gets
  // max_priority) and a state saved with another alpha (p^alpha is converted to this alpha).
  // The state is checked before anything changes.
  Json get_state() const {
    Json state = storage_.get_state("PrioritizedReplayBuffer");
    std::vector<double> leaves(storage_.size());
    for (std::size_t slot = 0; slot < leaves.size(); ++slot) leaves[slot] = sum_tree_[slot];
    state["alpha"] = alpha_;
    state["max_priority"] = max_priority_;
    state["priorities_pow_alpha"] = std::move(leaves);
    return state;
  }
  void set_state(const Json& state) {
    const std::string where = "PrioritizedReplayBuffer.set_state";
    // The priorities are read first; storage_.set_state then checks the rest (size included)
    // before it commits, so on any error the buffer is unchanged.
    std::size_t size = 0;
    if (const auto it = state.find("size"); it != state.end() && it->is_number_integer() && it->get<std::int64_t>() >= 0) size = it->get<std::size_t>();
    if (size > storage_.capacity())
      throw CheckpointError(where, "the state holds " + std::to_string(size) + " timesteps, more than the capacity " +
                                       std::to_string(storage_.capacity()));
    const double saved_alpha = state_number(state, "alpha", alpha_, where);
    const double max_priority = state_number(state, "max_priority", 1.0, where);
    if (!(saved_alpha >= 0.0) || !(max_priority > 0.0))
      throw CheckpointError(where, "alpha " + std::to_string(saved_alpha) + " or max_priority " +
                                       std::to_string(max_priority) + " is out of range");
    std::vector<double> leaves(size, leaf(max_priority));
    if (const auto saved = state.find("priorities_pow_alpha"); saved != state.end()) {
      if (!saved->is_array() || saved->size() != size)
        throw CheckpointError(where, "priorities_pow_alpha is not a list of " + std::to_string(size) + " numbers");
      for (std::size_t slot = 0; slot < size; ++slot) {
        const Json& value = (*saved)[slot];
        const double saved_leaf = value.is_number() ? value.get<double>() : 0.0;
        if (!(saved_leaf > 0.0) || !std::isfinite(saved_leaf))
          throw CheckpointError(where, "priorities_pow_alpha[" + std::to_string(slot) + "] is " + value.dump() +
                                           ", not a positive finite number");
        leaves[slot] = saved_alpha == alpha_ ? saved_leaf : clamp_leaf(std::pow(saved_leaf, alpha_ / saved_alpha));
      }
    }
    storage_.set_state(state);
    sum_tree_.assign(leaves);
    min_tree_.assign(leaves);
    max_priority_ = max_priority;
    max_leaf_ = leaf(max_priority_);
  }

 private:
  // p^alpha, kept at least the smallest normal double so that every stored timestep stays
  // reachable and the min tree never holds 0.
  static double clamp_leaf(double value) noexcept { return std::max(value, std::numeric_limits<double>::min()); }
  double leaf(double priority) const noexcept { return clamp_leaf(std::pow(priority, alpha_)); }

  void set_leaf(std::size_t slot, double value) {
    sum_tree_.set(slot, value);
    min_tree_.set(slot, value);
  }

  // Throws unless `priority` is positive, finite and has a finite p^alpha. `index` is the slot
  // (-1: none yet, as in add).
  void check_priority(double priority, const char* where, const char* what, std::size_t position,
                      std::int64_t index) const {
    if (priority > 0.0 && std::isfinite(priority) && std::isfinite(std::pow(priority, alpha_))) return;
    std::string message = std::string(what) + "[" + std::to_string(position) + "]";
    if (index >= 0) message += " (for index " + std::to_string(index) + ")";
    message += " gives the priority " + std::to_string(priority);
    message += priority > 0.0 && std::isfinite(priority) ? ", whose power alpha overflows" : "; priorities must be positive and finite";
    throw Error(where, message, "priorities are |td_error| + prioritized_replay_eps: check the loss for NaN or infinity");
  }

  template <class PriorityOf>
  void update(const char* where, std::span<const std::int64_t> indexes, std::size_t count, const char* what,
              PriorityOf priority_of) {
    if (count != indexes.size())
      throw Error(where, std::to_string(indexes.size()) + " indexes and " + std::to_string(count) + " " + what,
                  "give one priority per index");
    const auto size = static_cast<std::int64_t>(storage_.size());
    for (std::size_t k = 0; k < count; ++k) {
      if (indexes[k] < 0 || indexes[k] >= size)
        throw Error(where, "indexes[" + std::to_string(k) + "] = " + std::to_string(indexes[k]) +
                               " is not a slot of the buffer's " + std::to_string(size) + " timesteps",
                    "pass the batch_indexes column of a sample from this buffer");
      check_priority(priority_of(k), where, what, k, indexes[k]);
    }
    for (std::size_t k = 0; k < count; ++k) {
      const double priority = priority_of(k);
      set_leaf(static_cast<std::size_t>(indexes[k]), leaf(priority));
      if (priority > max_priority_) {
        max_priority_ = priority;
        max_leaf_ = leaf(priority);
      }
    }
  }

  static double state_number(const Json& state, const char* key, double fallback, const std::string& where) {
    const auto it = state.find(key);
    if (it == state.end()) return fallback;
    if (!it->is_number()) throw CheckpointError(where, std::string("the state's '") + key + "' is " + it->dump() + ", not a number");
    return it->get<double>();
  }

  detail::ReplayStorage storage_;
  double alpha_;
  double max_priority_ = 1.0;
  double max_leaf_ = 1.0;  // max_priority_^alpha_
  SumSegmentTree sum_tree_;
  MinSegmentTree min_tree_;
};

// RLlib's beta annealing for prioritized replay: from prioritized_replay_beta at t = 0 linearly
// to final_prioritized_replay_beta at t = prioritized_replay_beta_annealing_timesteps, then
// constant (a PiecewiseSchedule with outside value final_beta, as RLlib's replay optimizer
// built it). t is the trainer's timestep counter.
inline nn::PiecewiseSchedule prioritized_replay_beta_schedule(double beta, double final_beta,
                                                              double annealing_timesteps) {
  if (!(annealing_timesteps >= 0.0))
    throw ConfigError("prioritized_replay_beta_annealing_timesteps", "is " + std::to_string(annealing_timesteps),
                      "use a number of timesteps >= 0");
  return nn::PiecewiseSchedule({{0.0, beta}, {annealing_timesteps, final_beta}}, final_beta);
}

// The replay keys of RLlib's DQN config (1.x flat layout, defaults of rllib/agents/dqn/dqn.py),
// read from a trainer config; absent or null keys keep these defaults. A 1.12-style
// replay_buffer_config {type, capacity, replay_batch_size, prioritized_replay_alpha,
// prioritized_replay_beta, prioritized_replay_eps, learning_starts} overrides the flat keys.
struct ReplayConfig {
  std::size_t buffer_size = 50000;
  bool prioritized_replay = true;
  double prioritized_replay_alpha = 0.6;
  double prioritized_replay_beta = 0.4;
  double final_prioritized_replay_beta = 0.4;
  double prioritized_replay_beta_annealing_timesteps = 20000;
  double prioritized_replay_eps = 1e-6;
  std::size_t learning_starts = 1000;
  std::size_t replay_batch_size = 32;  // train_batch_size in the flat layout
  // Ape-X's replay shards (optimizer.num_replay_buffer_shards): buffer_size is split evenly
  // between them; fragments are stored and replay batches drawn round robin.
  std::size_t num_shards = 1;

  static ReplayConfig from_config(const Json& config) { return from_config(Config(config)); }
  static ReplayConfig from_config(const Config& config) {
    ReplayConfig out;
    out.read(config, "buffer_size", "train_batch_size");
    if (const auto nested = config.json().find("replay_buffer_config");
        nested != config.json().end() && !nested->is_null()) {
      const Config sub = config.sub("replay_buffer_config");
      out.read(sub, "capacity", "replay_batch_size");
      if (sub.contains("type") && !sub.json().at("type").is_null())
        out.prioritized_replay = sub.get<std::string>("type").find("Prioritized") != std::string::npos;
    }
    if (const auto opt = config.json().find("optimizer");
        opt != config.json().end() && opt->is_object() && opt->contains("num_replay_buffer_shards"))
      out.num_shards = count(config.sub("optimizer"), "num_replay_buffer_shards", 1, 1);
    if (out.num_shards > out.buffer_size)
      throw ConfigError(config.path_of("buffer_size"), "buffer_size (" + std::to_string(out.buffer_size) +
                                                           ") is smaller than the number of replay shards (" +
                                                           std::to_string(out.num_shards) + ")");
    return out;
  }

  nn::PiecewiseSchedule beta_schedule() const {
    return prioritized_replay_beta_schedule(prioritized_replay_beta, final_prioritized_replay_beta,
                                            prioritized_replay_beta_annealing_timesteps);
  }

 private:
  void read(const Config& config, const char* capacity_key, const char* batch_size_key) {
    buffer_size = count(config, capacity_key, buffer_size, 1);
    replay_batch_size = count(config, batch_size_key, replay_batch_size, 1);
    learning_starts = count(config, "learning_starts", learning_starts, 0);
    prioritized_replay = config.get_or<bool>("prioritized_replay", prioritized_replay);
    prioritized_replay_alpha = non_negative(config, "prioritized_replay_alpha", prioritized_replay_alpha);
    prioritized_replay_beta = non_negative(config, "prioritized_replay_beta", prioritized_replay_beta);
    final_prioritized_replay_beta = non_negative(config, "final_prioritized_replay_beta", final_prioritized_replay_beta);
    prioritized_replay_beta_annealing_timesteps = non_negative(
        config, "prioritized_replay_beta_annealing_timesteps", prioritized_replay_beta_annealing_timesteps);
    prioritized_replay_eps = non_negative(config, "prioritized_replay_eps", prioritized_replay_eps);
  }
  static std::size_t count(const Config& config, const char* key, std::size_t fallback, std::int64_t minimum) {
    const auto value = config.get_or<std::int64_t>(key, static_cast<std::int64_t>(fallback));
    if (value < minimum)
      throw ConfigError(config.path_of(key), "expected an integer >= " + std::to_string(minimum) + ", got " +
                                                 std::to_string(value));
    return static_cast<std::size_t>(value);
  }
  static double non_negative(const Config& config, const char* key, double fallback) {
    const double value = config.get_or<double>(key, fallback);
    if (!(value >= 0.0) || !std::isfinite(value))
      throw ConfigError(config.path_of(key), "expected a finite number >= 0, got " + std::to_string(value));
    return value;
  }
};

}  // namespace rlpp
