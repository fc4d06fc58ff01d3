#pragma once
// Replay operators (RLlib's rllib/execution/replay_ops.py) and the local multi-agent replay
// buffer they share:
//   StoreToReplayBuffer(buffer)       adds each batch, passes it through
//   Replay(ctx, buffer)               source of replayed batches; not ready until learning_starts;
//                                     saves the buffer with the plan if store_buffer_in_checkpoints
//   MixInReplay(num_slots, proportion)  [batch] + k replayed whole batches, E[k] = proportion
//   UpdatePriorities(ctx, buffer)     after TrainOneStep: priorities |td_error| + eps

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
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
// "independent"), uniform or prioritized as ReplayConfig says, optionally split into
// num_shards shards (Ape-X's replay actors: each add() goes to the next shard, each replay()
// draws from the next shard; a shard holds buffer_size / num_shards steps). replay() gives
// nothing until learning_starts timesteps were added (summed over policies' env steps), then a
// batch of replay_batch_size rows per policy, with "weights" and "batch_indexes" (for
// update_priorities; an index names its shard too: shard * shard capacity + slot).
class MultiAgentReplayBuffer {
 public:
  explicit MultiAgentReplayBuffer(ReplayConfig config, std::uint64_t seed = 0)
      : config_(config), beta_(config.beta_schedule()), rng_(seed, 0, 0, "replay"), shards_(std::max<std::size_t>(1, config.num_shards)) {}

  const ReplayConfig& config() const noexcept { return config_; }
  std::size_t num_shards() const noexcept { return shards_.size(); }
  std::size_t shard_capacity() const noexcept { return std::max<std::size_t>(1, config_.buffer_size / shards_.size()); }

  void add(const MultiAgentBatch& batch) {
    Shard& shard = shards_[next_add_];
    next_add_ = (next_add_ + 1) % shards_.size();
    for (const auto& [id, b] : batch.policy_batches) {
      if (b.count() == 0) continue;
      std::visit([&](auto& buffer) { buffer.add(b); }, buffer_for(shard, id));
    }
    added_ += batch.count();
  }

  // A replayed batch per policy, or nullopt before learning_starts. `timestep` anneals beta.
  std::optional<MultiAgentBatch> replay(std::int64_t timestep) {
    if (added_ < config_.learning_starts) return std::nullopt;
    // The next shard that holds data (all do once each got a fragment).
    const std::size_t shard_index = next_replay_;
    if (shards_[shard_index].empty()) return std::nullopt;
    next_replay_ = (next_replay_ + 1) % shards_.size();
    MultiAgentBatch out;
    out.env_steps = config_.replay_batch_size;
    const double beta = beta_.value(static_cast<double>(timestep));
    for (auto& [id, buffer] : shards_[shard_index]) {
      const SampleBatch& sampled = std::visit(
          [&](auto& b) -> const SampleBatch& {
            if constexpr (std::is_same_v<std::decay_t<decltype(b)>, PrioritizedReplayBuffer>)
              return b.sample(config_.replay_batch_size, beta, rng_);
            else
              return b.sample(config_.replay_batch_size, rng_);
          },
          buffer);
      SampleBatch& copy = out.policy_batches.emplace(id, sampled).first->second;
      if (shard_index > 0 && copy.contains(cols::batch_indexes.name)) {
        const auto offset = static_cast<std::int64_t>(shard_index * shard_capacity());
        for (auto& index : copy.column(cols::batch_indexes.name).template get<std::int64_t>()) index += offset;
      }
    }
    return out;
  }

  // New priorities for rows `batch_indexes` of `policy_id`'s buffer (prioritized only; a no-op
  // for uniform buffers, as RLlib's). All indexes of one call must be of one shard (one replayed
  // batch).
  void update_priorities(const std::string& policy_id, std::span<const std::int64_t> indexes, std::span<const float> priorities) {
    auto [buffer, local] = locate(policy_id, indexes);
    if (auto* p = std::get_if<PrioritizedReplayBuffer>(buffer)) p->update_priorities(local, priorities);
  }
  // Priorities |td_error| + prioritized_replay_eps for rows `indexes` (a no-op for uniform buffers).
  void update_priorities_from_td_errors(const std::string& policy_id, std::span<const std::int64_t> indexes,
                                        std::span<const float> td_errors) {
    auto [buffer, local] = locate(policy_id, indexes);
    if (auto* p = std::get_if<PrioritizedReplayBuffer>(buffer))
      p->update_priorities_from_td_errors(local, td_errors, config_.prioritized_replay_eps);
  }

  std::size_t num_added() const noexcept { return added_; }
  // Per policy (per shard: "<policy>/shard_<k>" when sharded).
  Json stats() const {
    Json out = Json::object();
    for (std::size_t k = 0; k < shards_.size(); ++k)
      for (const auto& [id, b] : shards_[k])
        out[shards_.size() == 1 ? id : id + "/shard_" + std::to_string(k)] = std::visit([](const auto& x) { return x.stats(); }, b);
    return out;
  }
  // Everything replay() and update_priorities() depend on, to continue bit-identically: each
  // shard's buffer per policy (contents, ring position, counters, priorities: their own
  // get_state), the replay stream, the add/replay round robin and the env steps added
  // (learning_starts). beta needs nothing: it is a function of the timestep replay() is given.
  Json get_state() const {
    Json shards = Json::array();
    for (const Shard& shard : shards_) {
      Json buffers = Json::object();
      for (const auto& [id, b] : shard) buffers[id] = std::visit([](const auto& x) { return x.get_state(); }, b);
      shards.push_back(std::move(buffers));
    }
    // (The replay stream draws no normal(), so it has no pending spare to save.)
    return Json{{"type", "MultiAgentReplayBuffer"}, {"added", added_},       {"rng", rng_.state()},
                {"shards", std::move(shards)},      {"next_add", next_add_}, {"next_replay", next_replay_}};
  }
  // Restores get_state()'s output into a buffer with as many shards of the same capacity
  // (buffer_size / num_shards). A policy buffer's state of the other kind (uniform into
  // prioritized or the reverse) is accepted as the buffers accept it. Everything is checked
  // before anything changes: a CheckpointError, naming the policy and shard, leaves the buffer
  // as it was.
  void set_state(const Json& state) {
    const std::string where = "MultiAgentReplayBuffer.set_state";
    const std::string fix = "pass what MultiAgentReplayBuffer::get_state() returned";
    if (!state.is_object() || !state.contains("shards") || !state["shards"].is_array())
      throw CheckpointError(where, "expected an object with a list of \"shards\", got a JSON " + std::string(state.type_name()), fix);
    if (const auto type = state.find("type"); type != state.end() && *type != "MultiAgentReplayBuffer")
      throw CheckpointError(where, "the state's type is " + type->dump(), fix);
    const Json& shards = state["shards"];
    if (shards.size() != shards_.size())
      throw CheckpointError(where, "the state has " + std::to_string(shards.size()) + " shards, this buffer " +
                                       std::to_string(shards_.size()),
                            "restore into a buffer with as many replay shards (optimizer.num_replay_buffer_shards)");
    const std::size_t added = state_count(state, "added", std::numeric_limits<std::size_t>::max(), where);
    const std::size_t next_add = state_count(state, "next_add", shards_.size(), where);
    const std::size_t next_replay = state_count(state, "next_replay", shards_.size(), where);
    const Json& words = state.contains("rng") ? state["rng"] : Json();
    const auto is_word = [](const Json& w) { return w.is_number_unsigned() || (w.is_number_integer() && w.get<std::int64_t>() >= 0); };
    if (!words.is_array() || words.size() != 4 || !std::all_of(words.begin(), words.end(), is_word))
      throw CheckpointError(where, "the replay stream's state is " + words.dump() + ", not 4 unsigned integers", fix);
    const RandomStream rng = RandomStream::from_state(words.get<std::array<std::uint64_t, 4>>());
    // Built aside, so that nothing changes until every policy buffer took its state.
    std::vector<Shard> restored(shards_.size());
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const std::string in_shard = shards_.size() == 1 ? "" : ", shard " + std::to_string(k);
      if (!shards[k].is_object())
        throw CheckpointError(where + in_shard,
                              "is a JSON " + std::string(shards[k].type_name()) + ", not an object of policy buffers", fix);
      for (const auto& [id, s] : shards[k].items()) {
        try {
          std::visit([&](auto& b) { b.set_state(s); }, buffer_for(restored[k], id));
        } catch (const Error& e) {
          throw CheckpointError(where + ": policy '" + id + "'" + in_shard, e.what());
        } catch (const Json::exception& e) {
          throw CheckpointError(where + ": policy '" + id + "'" + in_shard, e.what());
        }
      }
    }
    shards_ = std::move(restored);
    added_ = added;
    rng_ = rng;
    next_add_ = next_add;
    next_replay_ = next_replay;
  }

 private:
  using Buffer = std::variant<ReplayBuffer, PrioritizedReplayBuffer>;
  using Shard = std::map<std::string, Buffer, std::less<>>;

  Buffer& buffer_for(Shard& shard, const std::string& id) {
    auto it = shard.find(id);
    if (it != shard.end()) return it->second;
    if (config_.prioritized_replay)
      return shard.emplace(id, Buffer(std::in_place_type<PrioritizedReplayBuffer>, shard_capacity(), config_.prioritized_replay_alpha))
          .first->second;
    return shard.emplace(id, Buffer(std::in_place_type<ReplayBuffer>, shard_capacity())).first->second;
  }

  // The buffer the indexes belong to and the indexes within it (shard offsets removed; the
  // returned span reuses a member buffer when they had to be shifted).
  std::pair<Buffer*, std::span<const std::int64_t>> locate(const std::string& policy_id, std::span<const std::int64_t> indexes) {
    const std::size_t shard_index =
        indexes.empty() || shards_.size() == 1 ? 0 : static_cast<std::size_t>(indexes.front()) / shard_capacity();
    if (shard_index >= shards_.size())
      throw Error("update_priorities", "index " + std::to_string(indexes.front()) + " is outside the replay shards");
    Shard& shard = shards_[shard_index];
    auto it = shard.find(policy_id);
    if (it == shard.end()) throw Error("update_priorities", "no replay buffer for policy '" + policy_id + "'");
    if (shard_index == 0) return {&it->second, indexes};
    local_indexes_.resize(indexes.size());
    const auto offset = static_cast<std::int64_t>(shard_index * shard_capacity());
    for (std::size_t i = 0; i < indexes.size(); ++i) {
      local_indexes_[i] = indexes[i] - offset;
      if (local_indexes_[i] < 0 || local_indexes_[i] >= static_cast<std::int64_t>(shard_capacity()))
        throw Error("update_priorities", "the indexes of one update span several replay shards",
                    "update the priorities of one replayed batch at a time");
    }
    return {&it->second, local_indexes_};
  }

  // state[key]: an integer in [0, bound).
  static std::size_t state_count(const Json& state, const char* key, std::size_t bound, const std::string& where) {
    const auto it = state.find(key);
    if (it == state.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::uint64_t>() >= bound)
      throw CheckpointError(where, std::string("the state's '") + key + "' is " +
                                       (it == state.end() ? std::string("missing") : it->dump()) +
                                       (bound == std::numeric_limits<std::size_t>::max()
                                            ? ", not a non-negative integer"
                                            : ", not an integer in [0, " + std::to_string(bound) + ")"));
    return it->get<std::size_t>();
  }

  ReplayConfig config_;
  nn::PiecewiseSchedule beta_;
  RandomStream rng_;
  std::vector<Shard> shards_;
  std::size_t next_add_ = 0;
  std::size_t next_replay_ = 0;
  std::size_t added_ = 0;
  std::vector<std::int64_t> local_indexes_;
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
// With the config's store_buffer_in_checkpoints (RLlib's key; default false) the buffer is part
// of the plan's state, so a restored trainer replays exactly what the saved one would have:
// get_state() is {"buffer": buffer.get_state()}, else null. set_state restores a saved buffer
// only when the flag is on (with it off a saved buffer is ignored, as RLlib does). A state
// without one (saved with the flag off) leaves the buffer as it is: empty in a freshly built
// trainer, which then samples learning_starts timesteps again before it learns.
class ReplayNode {
 public:
  using item_type = MultiAgentBatch;
  ReplayNode(PlanContext& ctx, MultiAgentReplayBuffer& buffer)
      : ctx_(&ctx), buffer_(&buffer), checkpointed_(ctx.config.get_or<bool>("store_buffer_in_checkpoints", false)) {}
  std::optional<MultiAgentBatch> next() { return buffer_->replay(ctx_->global_timestep()); }

  Json get_state() const { return checkpointed_ ? Json{{"buffer", buffer_->get_state()}} : Json(); }
  void set_state(const Json& state) {
    if (state.is_null()) return;
    if (!state.is_object() || !state.contains("buffer"))
      throw CheckpointError("Replay state", "expected null or {\"buffer\": ...}, got a JSON " + std::string(state.type_name()),
                            "the checkpoint was written by a different execution plan");
    if (!checkpointed_) return;
    const Json& saved = state["buffer"];
    // A buffer of a policy this trainer does not have could never be replayed into a learner.
    if (saved.is_object() && saved.contains("shards") && saved["shards"].is_array()) {
      const std::vector<std::string>& known = ctx_->workers.local_worker().policy_ids();
      for (const Json& shard : saved["shards"])
        if (shard.is_object())
          for (const auto& entry : shard.items())
            if (std::find(known.begin(), known.end(), entry.key()) == known.end())
              throw CheckpointError("Replay state", "the saved replay buffer holds timesteps of policy '" + entry.key() +
                                                        "', which this trainer does not have",
                                    "restore into a trainer with the same multiagent.policies");
    }
    buffer_->set_state(saved);
  }

 private:
  PlanContext* ctx_;
  MultiAgentReplayBuffer* buffer_;
  bool checkpointed_;
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
      const auto& index_column = b.column(cols::batch_indexes.name).template get<std::int64_t>();
      const std::span<const std::int64_t> indexes(index_column.data(), index_column.size());
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
