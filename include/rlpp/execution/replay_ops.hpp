#pragma once
// Replay operators (RLlib's rllib/execution/replay_ops.py) and the local multi-agent replay
// buffer they share:
//   StoreToReplayBuffer(buffer)       adds each batch, passes it through
//   Replay(ctx, buffer)               source of replayed batches; not ready until learning_starts
//   MixInReplay(num_slots, proportion)  [batch] + k replayed whole batches, E[k] = proportion
//   UpdatePriorities(ctx, buffer)     after TrainOneStep: priorities |td_error| + eps

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"
#include "rlpp/execution/prioritized_replay_buffer.hpp"
#include "rlpp/execution/replay_buffer.hpp"
#include "rlpp/evaluation/worker_set.hpp"

namespace rlpp {

// One replay buffer per policy (RLlib's LocalReplayBuffer / MultiAgentReplayBuffer, replay_mode
// "independent"), uniform or prioritized as ReplayConfig says. replay() gives nothing until
// learning_starts timesteps were added (summed over policies' env steps), then a batch of
// replay_batch_size rows per policy, with "weights" and "batch_indexes" (for
// update_priorities).
class MultiAgentReplayBuffer {
 public:
  explicit MultiAgentReplayBuffer(ReplayConfig config, std::uint64_t seed = 0)
      : config_(config), beta_(config.beta_schedule()), rng_(seed, 0, 0, "replay") {}

  const ReplayConfig& config() const noexcept { return config_; }

  void add(const MultiAgentBatch& batch) {
    for (const auto& [id, b] : batch.policy_batches) {
      if (b.count() == 0) continue;
      std::visit([&](auto& buffer) { buffer.add(b); }, buffer_for(id));
    }
    added_ += batch.count();
  }

  // A replayed batch per policy, or nullopt before learning_starts. `timestep` anneals beta.
  std::optional<MultiAgentBatch> replay(std::int64_t timestep) {
    if (added_ < config_.learning_starts || buffers_.empty()) return std::nullopt;
    MultiAgentBatch out;
    out.env_steps = config_.replay_batch_size;
    const double beta = beta_.value(static_cast<double>(timestep));
    for (auto& [id, buffer] : buffers_) {
      const SampleBatch& sampled = std::visit(
          [&](auto& b) -> const SampleBatch& {
            if constexpr (std::is_same_v<std::decay_t<decltype(b)>, PrioritizedReplayBuffer>)
              return b.sample(config_.replay_batch_size, beta, rng_);
            else
              return b.sample(config_.replay_batch_size, rng_);
          },
          buffer);
      out.policy_batches.emplace(id, sampled);
    }
    return out;
  }

  // New priorities for rows `batch_indexes` of `policy_id`'s buffer (prioritized only; a no-op
  // for uniform buffers, as RLlib's).
  void update_priorities(const std::string& policy_id, std::span<const std::int64_t> indexes, std::span<const float> priorities) {
    auto it = buffers_.find(policy_id);
    if (it == buffers_.end()) throw Error("update_priorities", "no replay buffer for policy '" + policy_id + "'");
    if (auto* p = std::get_if<PrioritizedReplayBuffer>(&it->second)) p->update_priorities(indexes, priorities);
  }

  // Priorities |td_error| + prioritized_replay_eps for rows `indexes` (a no-op for uniform buffers).
  void update_priorities_from_td_errors(const std::string& policy_id, std::span<const std::int64_t> indexes,
                                        std::span<const float> td_errors) {
    auto it = buffers_.find(policy_id);
    if (it == buffers_.end()) throw Error("update_priorities", "no replay buffer for policy '" + policy_id + "'");
    if (auto* p = std::get_if<PrioritizedReplayBuffer>(&it->second))
      p->update_priorities_from_td_errors(indexes, td_errors, config_.prioritized_replay_eps);
  }

  std::size_t num_added() const noexcept { return added_; }
  Json stats() const {
    Json out = Json::object();
    for (const auto& [id, b] : buffers_) out[id] = std::visit([](const auto& x) { return x.stats(); }, b);
    return out;
  }
  Json get_state() const {
    Json buffers = Json::object();
    for (const auto& [id, b] : buffers_) buffers[id] = std::visit([](const auto& x) { return x.get_state(); }, b);
    return Json{{"added", added_}, {"rng", rng_.state()}, {"buffers", std::move(buffers)}};
  }
  void set_state(const Json& state) {
    added_ = state.at("added").get<std::size_t>();
    rng_ = RandomStream::from_state(state.at("rng").get<std::array<std::uint64_t, 4>>());
    buffers_.clear();
    for (const auto& [id, s] : state.at("buffers").items()) std::visit([&](auto& b) { b.set_state(s); }, buffer_for(id));
  }

 private:
  using Buffer = std::variant<ReplayBuffer, PrioritizedReplayBuffer>;
  Buffer& buffer_for(const std::string& id) {
    auto it = buffers_.find(id);
    if (it != buffers_.end()) return it->second;
    if (config_.prioritized_replay)
      return buffers_.emplace(id, Buffer(std::in_place_type<PrioritizedReplayBuffer>, config_.buffer_size, config_.prioritized_replay_alpha))
          .first->second;
    return buffers_.emplace(id, Buffer(std::in_place_type<ReplayBuffer>, config_.buffer_size)).first->second;
  }

  ReplayConfig config_;
  nn::PiecewiseSchedule beta_;
  RandomStream rng_;
  std::map<std::string, Buffer, std::less<>> buffers_;
  std::size_t added_ = 0;
};

namespace detail {
struct StoreToReplayBufferFn {
  MultiAgentReplayBuffer* buffer;
  MultiAgentBatch operator()(MultiAgentBatch batch) const {
    buffer->add(batch);
    return batch;
  }
};
}  // namespace detail

// Adds each batch to `buffer` (owned by the plan's creator, e.g. captured in a shared_ptr by
// the plan function) and passes it through.
inline ForEach<detail::StoreToReplayBufferFn> StoreToReplayBuffer(MultiAgentReplayBuffer& buffer) { return {{&buffer}}; }

// Endless source of replayed batches from `buffer`; not ready (nullopt) until learning_starts.
class ReplayNode {
 public:
  using item_type = MultiAgentBatch;
  ReplayNode(PlanContext& ctx, MultiAgentReplayBuffer& buffer) : ctx_(&ctx), buffer_(&buffer) {}
  std::optional<MultiAgentBatch> next() { return buffer_->replay(ctx_->global_timestep()); }
  // The buffer is the plan creator's; checkpointing it is the plan's choice (RLlib's
  // store_buffer_in_checkpoints), through get_state() on the buffer itself.

 private:
  PlanContext* ctx_;
  MultiAgentReplayBuffer* buffer_;
};
inline ReplayNode Replay(PlanContext& ctx, MultiAgentReplayBuffer& buffer) { return ReplayNode(ctx, buffer); }

// ---- UpdatePriorities ----------------------------------------------------------------------
namespace detail {
struct UpdatePrioritiesFn {
  PlanContext* ctx;
  std::shared_ptr<MultiAgentReplayBuffer> buffer;
  template <class Item>
  Item operator()(Item item) const {
    if (!buffer->config().prioritized_replay) return item;
    RolloutWorker& local = ctx->workers.local_worker();
    for (const auto& [id, b] : item.batch.policy_batches) {
      if (!b.contains(cols::batch_indexes.name)) continue;
      const auto td = local.policy(id).td_errors();
      if (td.empty()) continue;  // the policy did not learn on it (not trainable)
      const auto indexes = b.column(cols::batch_indexes.name).template get<std::int64_t>();
      if (td.size() != indexes.size())
        throw Error("UpdatePriorities", "policy '" + id + "' gave " + std::to_string(td.size()) + " TD errors for " +
                                            std::to_string(indexes.size()) + " replayed rows",
                    "the loss must call set_td_errors with one value per row");
      buffer->update_priorities_from_td_errors(id, indexes, td);
    }
    return item;
  }
};
}  // namespace detail

// After TrainOneStep on replayed batches: each trained policy's TD errors (LossContext::
// set_td_errors) become the new priorities of the rows it learned on, |td_error| +
// prioritized_replay_eps (RLlib's update_prio). Holds a share of the buffer, so a plan that
// uses it keeps the buffer alive. A no-op for uniform replay.
inline ForEach<detail::UpdatePrioritiesFn> UpdatePriorities(PlanContext& ctx, std::shared_ptr<MultiAgentReplayBuffer> buffer) {
  return {{&ctx, std::move(buffer)}};
}

// ---- MixInReplay ----------------------------------------------------------------------------
namespace detail {
struct MixInReplayFn {
  std::size_t num_slots;
  double replay_proportion;
  RandomStream rng;
  std::vector<MultiAgentBatch> slots{};
  std::size_t next_slot = 0;

  std::vector<MultiAgentBatch> operator()(MultiAgentBatch batch) {
    std::vector<MultiAgentBatch> out;
    // RLlib: while rand < f: f -= 1, replay one; so E[k] = replay_proportion.
    double f = replay_proportion;
    while (!slots.empty() && rng.uniform() < f) {
      f -= 1.0;
      out.push_back(slots[rng.below(slots.size())]);
    }
    if (num_slots > 0) {
      if (slots.size() < num_slots) slots.push_back(batch);
      else slots[next_slot] = batch;
      next_slot = (next_slot + 1) % num_slots;
    }
    out.insert(out.begin(), std::move(batch));
    return out;
  }
  Json get_state() const { return Json{{"rng", rng.state()}, {"slots", slots}, {"next_slot", next_slot}}; }
  void set_state(const Json& s) {
    rng = RandomStream::from_state(s.at("rng").get<std::array<std::uint64_t, 4>>());
    slots = s.at("slots").get<std::vector<MultiAgentBatch>>();
    next_slot = s.at("next_slot").get<std::size_t>();
  }
};
}  // namespace detail

// Each batch becomes [batch, k replayed batches] with E[k] = replay_proportion, replayed
// uniformly from the last num_slots batches (RLlib's MixInReplay; IMPALA). Follow with
// flatten(). seed: the config's "seed".
inline ForEach<detail::MixInReplayFn> MixInReplay(std::size_t num_slots, double replay_proportion, std::uint64_t seed = 0) {
  if (replay_proportion > 0.0 && num_slots == 0)
    throw ConfigError("MixInReplay", "replay_proportion > 0 needs num_slots > 0 (replay_buffer_num_slots)");
  if (!(replay_proportion >= 0.0)) throw ConfigError("MixInReplay", "replay_proportion must be >= 0");
  return {detail::MixInReplayFn{num_slots, replay_proportion, RandomStream(seed, 0, 0, "mix_in_replay")}};
}

}  // namespace rlpp
