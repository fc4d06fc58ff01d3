#pragma once
// Training operators (RLlib's rllib/execution/train_ops.py):
//   TrainOneStep(ctx[, num_sgd_iter, sgd_minibatch_size])  learn on the batch, push weights
//   ComputeGradients(ctx)                                   gradients on the local worker
//   AverageGradients()                                      after batch(n): their element-wise SUM
//   ApplyGradients(ctx, update_all)                         apply, push weights to all or one
//   UpdateTargetNetwork(ctx, freq, by_steps_trained)        every freq steps: update_target()
//   UpdateWorkerWeights(ctx, max_weight_sync_delay)         Ape-X: weights to a worker every N of its steps

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"
#include "rlpp/execution/rollout_ops.hpp"

namespace rlpp {

// A batch after learning, with each trained policy's learner result.
struct TrainedBatch {
  MultiAgentBatch batch;
  Json info = Json::object();  // policy id -> {"learner_stats": {...}, ...}
};

namespace detail {
inline bool is_trainable(RolloutWorker& w, const std::string& id) {
  const auto& t = w.policies_to_train();
  return std::find(t.begin(), t.end(), id) != t.end();
}

// The local worker's weights (and the global timestep) to the rollout workers; timer "update".
inline void broadcast_weights(PlanContext& ctx) {
  const std::int64_t timestep = ctx.global_timestep();
  ctx.workers.local_worker().set_global_vars(timestep);
  if (ctx.workers.num_remote_workers() == 0) return;
  Stopwatch watch;
  ctx.workers.sync_weights(timestep);
  ctx.metrics.timer("update").push(watch.seconds());
}

// Averages each numeric learner stat over several learn_on_batch results.
inline Json average_learner_results(const std::vector<Json>& results) {
  if (results.empty()) return Json::object();
  Json out = results.back();
  if (!out.contains("learner_stats")) return out;
  for (auto& [key, value] : out["learner_stats"].items()) {
    if (!value.is_number()) continue;
    double sum = 0.0;
    for (const Json& r : results) sum += r["learner_stats"].value(key, 0.0);
    value = sum / static_cast<double>(results.size());
  }
  return out;
}

struct TrainOneStepFn {
  PlanContext* ctx;
  std::int64_t num_sgd_iter;
  std::int64_t sgd_minibatch_size;
  RandomStream rng;
  bool sync_workers = true;

  TrainedBatch operator()(MultiAgentBatch batch) {
    Stopwatch watch;
    RolloutWorker& local = ctx->workers.local_worker();
    TrainedBatch out;
    for (const auto& [id, b] : batch.policy_batches) {
      if (!is_trainable(local, id)) continue;
      PolicyInterface& policy = local.policy(id);
      Json result = Json::object();
      ctx->callbacks.on_learn_on_batch(policy, b, result);
      Json learned = external_sgd() ? minibatch_sgd(policy, b) : policy.learn_on_batch(b);
      for (auto& [k, v] : learned.items()) result[k] = std::move(v);
      ctx->metrics.info["learner"][id] = result;
      out.info[id] = std::move(result);
    }
    ctx->metrics.timer("learn").push(watch.seconds(), static_cast<double>(batch.count()));
    ctx->metrics.counter(counters::steps_trained) += static_cast<std::int64_t>(batch.count());
    ctx->metrics.counter(counters::agent_steps_trained) += static_cast<std::int64_t>(batch.agent_steps());
    if (sync_workers) broadcast_weights(*ctx);
    else local.set_global_vars(ctx->global_timestep());
    out.batch = std::move(batch);
    return out;
  }

  bool external_sgd() const { return num_sgd_iter > 1 || sgd_minibatch_size > 0; }

  // RLlib's do_minibatch_sgd: num_sgd_iter passes, each over the batch shuffled and cut into
  // whole minibatches; learner stats averaged over the steps of the last pass.
  Json minibatch_sgd(PolicyInterface& policy, const SampleBatch& batch) {
    if (policy.is_recurrent())
      throw ConfigError("TrainOneStep(num_sgd_iter, sgd_minibatch_size)", "cannot cut a recurrent policy's batch into row minibatches",
                        "use TrainOneStep(ctx) and set num_sgd_iter / sgd_minibatch_size in the config: the policy's "
                        "learn_on_batch then keeps sequences whole");
    const std::size_t n = batch.count();
    const std::size_t size = sgd_minibatch_size <= 0 ? n : std::min<std::size_t>(n, static_cast<std::size_t>(sgd_minibatch_size));
    std::vector<Json> results;
    SampleBatch shuffled = batch;
    for (std::int64_t i = 0; i < std::max<std::int64_t>(1, num_sgd_iter); ++i) {
      results.clear();  // stats of the last pass only, as RLlib's do_minibatch_sgd
      if (size < n) shuffled.shuffle(rng);
      for (std::size_t first = 0; first + size <= n; first += size) results.push_back(policy.learn_on_batch(shuffled.slice(first, first + size)));
    }
    return average_learner_results(results);
  }

  Json get_state() const { return Json{{"rng", rng.state()}}; }
  void set_state(const Json& state) { rng = RandomStream::from_state(state.at("rng").get<std::array<std::uint64_t, 4>>()); }
};
}  // namespace detail

// Learns on each batch with the local worker's trainable policies (their learn_on_batch does
// the minibatch SGD their config asks for: num_sgd_iter, sgd_minibatch_size), then pushes the
// weights and global timestep to the rollout workers. Yields the batch with the learner results.
inline ForEach<detail::TrainOneStepFn> TrainOneStep(PlanContext& ctx) {
  return {detail::TrainOneStepFn{&ctx, 1, 0, RandomStream(0, 0, 0, "train_one_step")}};
}
// Who gets the new weights after a train step: every rollout worker (RLlib's TrainOneStep), or
// nobody (Ape-X's learner: UpdateWorkerWeights on the store branch sends them).
enum class WeightSync { all_workers, none };
inline ForEach<detail::TrainOneStepFn> TrainOneStep(PlanContext& ctx, WeightSync sync) {
  return {detail::TrainOneStepFn{&ctx, 1, 0, RandomStream(0, 0, 0, "train_one_step"), sync == WeightSync::all_workers}};
}
// As RLlib's TrainOneStep(workers, num_sgd_iter, sgd_minibatch_size): the SGD loop runs here,
// one learn_on_batch per minibatch (leave the policy's own num_sgd_iter at 1 and
// sgd_minibatch_size at 0, or the loops nest). Shuffles draw from stream (seed, "train_one_step").
inline ForEach<detail::TrainOneStepFn> TrainOneStep(PlanContext& ctx, std::int64_t num_sgd_iter, std::int64_t sgd_minibatch_size) {
  if (num_sgd_iter < 1) throw ConfigError("TrainOneStep(num_sgd_iter)", "must be at least 1, got " + std::to_string(num_sgd_iter));
  if (sgd_minibatch_size < 0)
    throw ConfigError("TrainOneStep(sgd_minibatch_size)", "must be 0 (whole batch) or positive, got " + std::to_string(sgd_minibatch_size));
  const Json& seed = ctx.config.json().contains("seed") ? ctx.config.json()["seed"] : Json();
  const std::uint64_t s = seed.is_number_integer() ? seed.get<std::uint64_t>() : 0;
  return {detail::TrainOneStepFn{&ctx, num_sgd_iter, sgd_minibatch_size, RandomStream(s, 0, 0, "train_one_step")}};
}

// ---- ComputeGradients / AverageGradients / ApplyGradients ------------------------------------
namespace detail {
struct ComputeGradientsFn {
  PlanContext* ctx;
  GradientsItem operator()(const MultiAgentBatch& batch) const {
    Stopwatch watch;
    GradientsItem item = compute_gradients_on(ctx->workers.local_worker(), batch);
    for (const auto& [id, info] : item.info.items()) ctx->metrics.info["learner"][id] = info;
    ctx->metrics.timer("compute_grads").push(watch.seconds(), static_cast<double>(batch.count()));
    return item;
  }
};

struct AverageGradientsFn {
  GradientsItem operator()(std::vector<GradientsItem> items) const {
    if (items.empty()) return {};
    GradientsItem sum = std::move(items.front());
    for (std::size_t i = 1; i < items.size(); ++i) {
      for (auto& [id, g] : items[i].gradients) {
        auto it = sum.gradients.find(id);
        if (it == sum.gradients.end()) {
          sum.gradients.emplace(id, std::move(g));
          continue;
        }
        if (it->second.size() != g.size())
          throw Error("AverageGradients: policy '" + id + "'", "gradients of different sizes");
        for (std::size_t k = 0; k < g.size(); ++k) it->second[k] += g[k];
      }
      sum.count += items[i].count;
      sum.agent_steps += items[i].agent_steps;
      for (auto& [id, info] : items[i].info.items()) sum.info[id] = std::move(info);
    }
    return sum;
  }
};

struct ApplyGradientsFn {
  PlanContext* ctx;
  bool update_all;
  Json operator()(GradientsItem item) const {
    Stopwatch watch;
    RolloutWorker& local = ctx->workers.local_worker();
    for (const auto& [id, g] : item.gradients) local.policy(id).apply_gradients(g);
    ctx->metrics.timer("apply_grad").push(watch.seconds());
    ctx->metrics.counter(counters::steps_trained) += static_cast<std::int64_t>(item.count);
    ctx->metrics.counter(counters::agent_steps_trained) += static_cast<std::int64_t>(item.agent_steps);
    if (update_all) {
      broadcast_weights(*ctx);
    } else {
      const std::int64_t timestep = ctx->global_timestep();
      local.set_global_vars(timestep);
      if (ctx->metrics.current_actor >= 0) {
        Stopwatch update;
        ctx->workers.sync_weights_to(static_cast<std::size_t>(ctx->metrics.current_actor), timestep);
        ctx->metrics.timer("update").push(update.seconds());
      }
    }
    return std::move(item.info);
  }
};
}  // namespace detail

// The local worker's trainable policies' gradients on each batch (no weights change).
inline ForEach<detail::ComputeGradientsFn> ComputeGradients(PlanContext& ctx) { return {{&ctx}}; }
// After batch(n): one item whose gradients are the element-wise SUM of the n items' (as
// RLlib's AverageGradients, which does not divide) and whose count is their total.
inline ForEach<detail::AverageGradientsFn> AverageGradients() { return {{}}; }
// Applies each item's gradients on the local worker; update_all: weights to every rollout
// worker, else only to the worker the item came from (A3C). Yields the learner info.
inline ForEach<detail::ApplyGradientsFn> ApplyGradients(PlanContext& ctx, bool update_all = true) {
  return {{&ctx, update_all}};
}

// ---- UpdateTargetNetwork --------------------------------------------------------------------
namespace detail {
struct UpdateTargetNetworkFn {
  PlanContext* ctx;
  std::int64_t target_update_freq;
  bool by_steps_trained;
  template <class Item>
  Item operator()(Item item) const {
    MetricsContext& m = ctx->metrics;
    const std::int64_t cur = m.counter_value(by_steps_trained ? counters::steps_trained : counters::steps_sampled);
    const std::int64_t last = m.counter_value(counters::last_target_update_ts);
    if (cur - last >= target_update_freq) {
      RolloutWorker& local = ctx->workers.local_worker();
      for (const std::string& id : local.policies_to_train()) local.policy(id).update_target();
      m.counter(counters::target_updates) += 1;
      m.counter(counters::last_target_update_ts) = cur;
    }
    return item;
  }
};
}  // namespace detail

// ---- UpdateWorkerWeights ----------------------------------------------------------------------
namespace detail {
struct UpdateWorkerWeightsFn {
  PlanContext* ctx;
  std::int64_t max_weight_sync_delay;
  std::vector<std::int64_t> steps_since_update{};
  template <class Item>
  Item operator()(Item item) {
    const int actor = ctx->metrics.current_actor;
    if (actor < 0) return item;  // sampled by the local worker, which is the learner
    const auto index = static_cast<std::size_t>(actor);
    if (steps_since_update.size() <= index) steps_since_update.resize(index + 1, 0);
    steps_since_update[index] += static_cast<std::int64_t>(item.count());
    if (steps_since_update[index] >= max_weight_sync_delay) {
      Stopwatch watch;
      ctx->workers.sync_weights_to(index, ctx->global_timestep());
      ctx->metrics.timer("update").push(watch.seconds());
      ctx->metrics.counter(counters::weight_syncs) += 1;
      steps_since_update[index] = 0;
    }
    return item;
  }
  Json get_state() const { return Json{{"steps_since_update", steps_since_update}}; }
  void set_state(const Json& s) { steps_since_update = s.at("steps_since_update").get<std::vector<std::int64_t>>(); }
};
}  // namespace detail

// After an async ParallelRollouts: once the worker that produced the batch has sampled
// max_weight_sync_delay steps since its last update, send it the learner's weights and the
// global timestep (RLlib's Ape-X UpdateWorkerWeights); counts num_weight_syncs.
inline ForEach<detail::UpdateWorkerWeightsFn> UpdateWorkerWeights(PlanContext& ctx, std::int64_t max_weight_sync_delay) {
  if (max_weight_sync_delay < 1)
    throw ConfigError("optimizer.max_weight_sync_delay", "must be >= 1, got " + std::to_string(max_weight_sync_delay));
  return {{&ctx, max_weight_sync_delay}};
}

// Every target_update_freq sampled (or trained) steps, update_target() on the trainable
// policies; counts num_target_updates and last_target_update_ts. Passes items through.
inline ForEach<detail::UpdateTargetNetworkFn> UpdateTargetNetwork(PlanContext& ctx, std::int64_t target_update_freq,
                                                                  bool by_steps_trained = false) {
  if (target_update_freq < 0)
    throw ConfigError("target_network_update_freq", "must be >= 0, got " + std::to_string(target_update_freq));
  return {{&ctx, target_update_freq, by_steps_trained}};
}

}  // namespace rlpp
