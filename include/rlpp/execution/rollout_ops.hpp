#pragma once
// Rollout operators (RLlib's rllib/execution/rollout_ops.py): where a plan's batches come from
// and how they are grouped before learning.
//   ParallelRollouts(ctx, mode)    source of MultiAgentBatches from the workers
//   ConcatBatches(min_batch_size)  collects batches until they hold at least that many steps
//   SelectExperiences(policy_ids)  keeps only these policies' batches
//   StandardizeFields(fields)      (x - mean) / max(1e-4, std) per policy batch
//   AsyncGradients(ctx)            workers sample and compute gradients themselves (A3C)

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"

namespace rlpp {

// ---- ParallelRollouts -----------------------------------------------------------------------
enum class RolloutMode {
  bulk_sync,  // one batch from every worker per item, concatenated (fragment x envs x workers)
  async,      // each worker's batch is its own item (current_actor says whose), in worker order
  raw,        // every worker's batch, as a vector, uncounted: the plan gathers and counts
};

namespace detail {
inline void count_sampled(MetricsContext& m, const MultiAgentBatch& batch) {
  m.counter(counters::steps_sampled) += static_cast<std::int64_t>(batch.count());
  m.counter(counters::agent_steps_sampled) += static_cast<std::int64_t>(batch.agent_steps());
}
}  // namespace detail

template <RolloutMode Mode>
class ParallelRolloutsNode {
 public:
  using item_type = std::conditional_t<Mode == RolloutMode::raw, std::vector<MultiAgentBatch>, MultiAgentBatch>;
  explicit ParallelRolloutsNode(PlanContext& ctx) : ctx_(&ctx) {}

  std::optional<item_type> next() {
    if (!weights_synced_) {  // RLlib syncs once when the plan is built
      ctx_->workers.sync_weights();
      weights_synced_ = true;
    }
    if constexpr (Mode == RolloutMode::async) {
      if (queue_.empty()) {
        std::vector<MultiAgentBatch> round = sample_all();
        for (std::size_t i = 0; i < round.size(); ++i) queue_.emplace_back(std::move(round[i]), static_cast<int>(i));
      }
      auto [batch, worker] = std::move(queue_.front());
      queue_.pop_front();
      ctx_->metrics.current_actor = ctx_->workers.num_remote_workers() == 0 ? -1 : worker;
      detail::count_sampled(ctx_->metrics, batch);
      return batch;
    } else if constexpr (Mode == RolloutMode::raw) {
      return sample_all();
    } else {
      std::vector<MultiAgentBatch> round = sample_all();
      MultiAgentBatch batch = round.size() == 1 ? std::move(round.front()) : concat_samples(std::span<const MultiAgentBatch>(round));
      ctx_->metrics.current_actor = -1;
      detail::count_sampled(ctx_->metrics, batch);
      return batch;
    }
  }

  // Checkpointed with the plan: whether the workers got their first weights (a restored plan
  // must not push the learner's weights to workers whose own, lagging weights were restored),
  // and in async mode the batches sampled but not yet handed on, with their workers. A null
  // state (checkpoints from before this was saved) leaves the node as constructed.
  Json get_state() const {
    Json queued = Json::array();
    for (const auto& [batch, worker] : queue_) queued.push_back(Json{{"batch", batch}, {"worker", worker}});
    return Json{{"weights_synced", weights_synced_}, {"queue", std::move(queued)}};
  }
  void set_state(const Json& state) {
    if (state.is_null()) return;
    try {
      std::deque<std::pair<MultiAgentBatch, int>> queue;
      for (const Json& q : state.at("queue")) {
        const int worker = q.at("worker").get<int>();
        if (worker < 0 || static_cast<std::size_t>(worker) >= std::max<std::size_t>(1, ctx_->workers.num_remote_workers()))
          throw CheckpointError("ParallelRollouts", "a queued batch names worker " + std::to_string(worker) + " of " +
                                                        std::to_string(ctx_->workers.num_remote_workers()));
        queue.emplace_back(q.at("batch").get<MultiAgentBatch>(), worker);
      }
      weights_synced_ = state.at("weights_synced").get<bool>();
      queue_ = std::move(queue);
    } catch (const Json::exception& e) {
      throw CheckpointError("ParallelRollouts", std::string("state is malformed: ") + e.what());
    }
  }

 private:
  std::vector<MultiAgentBatch> sample_all() {
    Stopwatch watch;
    std::vector<MultiAgentBatch> round = ctx_->workers.sample_multi_agent();
    std::size_t steps = 0;
    for (const auto& b : round) steps += b.count();
    ctx_->metrics.timer("sample").push(watch.seconds(), static_cast<double>(steps));
    return round;
  }

  PlanContext* ctx_;
  bool weights_synced_ = false;
  std::deque<std::pair<MultiAgentBatch, int>> queue_;
};

// The plan's source of experience. Use as the first node: ParallelRollouts(ctx) | ...
template <RolloutMode Mode = RolloutMode::bulk_sync>
ParallelRolloutsNode<Mode> ParallelRollouts(PlanContext& ctx) {
  return ParallelRolloutsNode<Mode>(ctx);
}

// ---- ConcatBatches --------------------------------------------------------------------------
namespace detail {
struct ConcatBatchesFn {
  std::size_t min_batch_size;
  bool count_agent_steps;
  std::vector<MultiAgentBatch> buffer{};
  std::size_t buffered = 0;

  std::optional<MultiAgentBatch> operator()(MultiAgentBatch batch) {
    const std::size_t n = count_agent_steps ? batch.agent_steps() : batch.count();
    if (n == 0) return std::nullopt;  // RLlib ignores empty batches
    buffered += n;
    buffer.push_back(std::move(batch));
    if (buffered < min_batch_size) return std::nullopt;
    MultiAgentBatch out = buffer.size() == 1 ? std::move(buffer.front()) : concat_samples(std::span<const MultiAgentBatch>(buffer));
    buffer.clear();
    buffered = 0;
    return out;
  }
  Json get_state() const {
    if (buffer.empty()) return Json::array();
    return Json(buffer);  // batches still being collected when the checkpoint was taken
  }
  void set_state(const Json& state) {
    buffer = state.get<std::vector<MultiAgentBatch>>();
    buffered = 0;
    for (const auto& b : buffer) buffered += count_agent_steps ? b.agent_steps() : b.count();
  }
};
}  // namespace detail

// Collects batches until they hold at least min_batch_size steps (env steps, or agent steps
// with count_steps_by "agent_steps"), then emits them concatenated; may overshoot, as RLlib's.
inline ForEach<detail::ConcatBatchesFn> ConcatBatches(std::int64_t min_batch_size, std::string_view count_steps_by = "env_steps") {
  if (min_batch_size <= 0) throw ConfigError("ConcatBatches(min_batch_size)", "must be positive, got " + std::to_string(min_batch_size));
  if (count_steps_by != "env_steps" && count_steps_by != "agent_steps")
    throw ConfigError("count_steps_by", "must be \"env_steps\" or \"agent_steps\", got \"" + std::string(count_steps_by) + "\"");
  return {detail::ConcatBatchesFn{static_cast<std::size_t>(min_batch_size), count_steps_by == "agent_steps"}};
}

// ---- SelectExperiences ----------------------------------------------------------------------
namespace detail {
struct SelectExperiencesFn {
  std::vector<std::string> policy_ids;
  MultiAgentBatch operator()(MultiAgentBatch batch) const {
    MultiAgentBatch out;
    out.env_steps = batch.env_steps;
    for (auto& [id, b] : batch.policy_batches)
      if (std::find(policy_ids.begin(), policy_ids.end(), id) != policy_ids.end()) out.policy_batches.emplace(id, std::move(b));
    return out;
  }
};
}  // namespace detail

// Keeps only the batches of `policy_ids` (typically the worker's policies_to_train).
inline ForEach<detail::SelectExperiencesFn> SelectExperiences(std::vector<std::string> policy_ids) {
  return {detail::SelectExperiencesFn{std::move(policy_ids)}};
}

// ---- StandardizeFields ----------------------------------------------------------------------
// x := (x - mean(x)) / max(1e-4, std(x)) in place (RLlib's utils.sgd.standardized; population std).
inline void standardize_column(std::span<float> x) {
  if (x.empty()) return;
  double mean = 0.0;
  for (float v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0.0;
  for (float v : x) var += (v - mean) * (v - mean);
  const double std = std::max(1e-4, std::sqrt(var / static_cast<double>(x.size())));
  for (float& v : x) v = static_cast<float>((v - mean) / std);
}

namespace detail {
struct StandardizeFieldsFn {
  std::vector<std::string> fields;
  MultiAgentBatch operator()(MultiAgentBatch batch) const {
    for (auto& [id, b] : batch.policy_batches)
      for (const std::string& field : fields) {
        if (!b.contains(field))
          throw BatchError("StandardizeFields: policy '" + id + "' column '" + field + "'", "is missing",
                           "the policy's postprocessing must write it (e.g. advantages by GAE)");
        standardize_column(b.values<float>(field));
      }
    return batch;
  }
};
}  // namespace detail

inline ForEach<detail::StandardizeFieldsFn> StandardizeFields(std::vector<std::string> fields) {
  return {detail::StandardizeFieldsFn{std::move(fields)}};
}

// ---- gradients items ------------------------------------------------------------------------
// What ComputeGradients / AsyncGradients produce and ApplyGradients consumes: per policy the
// flat gradient, the env steps it came from, and the learner info.
struct GradientsItem {
  std::map<std::string, std::vector<float>, std::less<>> gradients;
  std::size_t count = 0;
  std::size_t agent_steps = 0;
  Json info = Json::object();  // policy id -> {"learner_stats": ...}
  int worker = -1;             // remote index of the worker that computed them; -1: local
};

namespace detail {
// Every trainable policy of `worker` computes its gradient on its part of `batch`.
inline GradientsItem compute_gradients_on(RolloutWorker& worker, const MultiAgentBatch& batch) {
  GradientsItem item;
  item.count = batch.count();
  item.agent_steps = batch.agent_steps();
  for (const auto& [id, b] : batch.policy_batches) {
    const auto& trainable = worker.policies_to_train();
    if (std::find(trainable.begin(), trainable.end(), id) == trainable.end()) continue;
    auto [grads, info] = worker.policy(id).compute_gradients(b);
    item.gradients.emplace(id, std::move(grads));
    item.info[id] = std::move(info);
  }
  return item;
}
}  // namespace detail

// ---- AsyncGradients -------------------------------------------------------------------------
// RLlib's AsyncGradients (A3C): every rollout worker samples with its own (possibly stale)
// weights and computes gradients on its batch, all in parallel; the items come out one per
// worker, in worker order, with current_actor set so ApplyGradients(update_all=false) sends
// new weights back to that worker only. Deterministic: a round's items are gathered before the
// first is emitted, so the result does not depend on thread timing (RLlib takes whichever
// worker finishes first).
class AsyncGradientsNode {
 public:
  using item_type = GradientsItem;
  explicit AsyncGradientsNode(PlanContext& ctx) : ctx_(&ctx) {}

  std::optional<GradientsItem> next() {
    if (!weights_synced_) {
      ctx_->workers.sync_weights();
      weights_synced_ = true;
    }
    if (queue_.empty()) round();
    GradientsItem item = std::move(queue_.front());
    queue_.pop_front();
    ctx_->metrics.current_actor = item.worker;
    ctx_->metrics.counter(counters::steps_sampled) += static_cast<std::int64_t>(item.count);
    ctx_->metrics.counter(counters::agent_steps_sampled) += static_cast<std::int64_t>(item.agent_steps);
    for (const auto& [id, info] : item.info.items()) ctx_->metrics.info["learner"][id] = info;
    return item;
  }

 private:
  void round() {
    Stopwatch watch;
    WorkerSet& workers = ctx_->workers;
    if (workers.num_remote_workers() == 0) {
      queue_.push_back(detail::compute_gradients_on(workers.local_worker(), workers.local_worker().sample_multi_agent()));
    } else {
      std::vector<GradientsItem> items(workers.num_remote_workers());
      workers.foreach_remote_worker_parallel([&](RolloutWorker& w, std::size_t i) {
        items[i] = detail::compute_gradients_on(w, w.sample_multi_agent());
        items[i].worker = static_cast<int>(i);
      });
      for (auto& item : items) queue_.push_back(std::move(item));
    }
    ctx_->metrics.timer("grad_wait").push(watch.seconds());
  }

  PlanContext* ctx_;
  bool weights_synced_ = false;
  std::deque<GradientsItem> queue_;
};

inline AsyncGradientsNode AsyncGradients(PlanContext& ctx) { return AsyncGradientsNode(ctx); }

}  // namespace rlpp
