#pragma once
// Callbacks (RLlib's DefaultCallbacks): hooks a user overrides to watch or change what happens
// during sampling and training. Every hook is a no-op by default; `MultiCallbacks` chains several.
// Set them on a worker (and, from the trainer issue on, through the "callbacks" config).
//
//   struct PoleAngles : rlpp::DefaultCallbacks {
//     void on_episode_step(rlpp::RolloutWorker&, rlpp::Episode& e, std::size_t) override {
//       e.user_data["pole_angles"].push_back(std::abs(e.last_observation_for()[2]));
//     }
//   };

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/evaluation/episode.hpp"

namespace rlpp {

class RolloutWorker;
class PolicyInterface;
class TrainerInterface;

class DefaultCallbacks {
 public:
  virtual ~DefaultCallbacks() = default;
  // After the env reset that starts the episode.
  virtual void on_episode_start(RolloutWorker&, Episode&, std::size_t /*env_index*/) {}
  // After each env step of the episode (the episode's last_* fields hold that step).
  virtual void on_episode_step(RolloutWorker&, Episode&, std::size_t /*env_index*/) {}
  // When the episode has ended: write custom_metrics / hist_data here.
  virtual void on_episode_end(RolloutWorker&, Episode&, std::size_t /*env_index*/) {}
  // Right after the policy postprocessed one trajectory fragment; may change the batch
  // (multi-agent: one agent's fragment; the batch's agent_index column tells which agent).
  virtual void on_postprocess_trajectory(RolloutWorker&, Episode&, SampleBatch& /*postprocessed_batch*/) {}
  // At the end of RolloutWorker::sample(), with the batch it returns.
  virtual void on_sample_end(RolloutWorker&, SampleBatch& /*samples*/) {}
  // At the end of RolloutWorker::sample_multi_agent() on a multi-agent worker, with the batch
  // it returns (RLlib's on_sample_end with a MultiAgentBatch).
  virtual void on_multi_agent_sample_end(RolloutWorker&, MultiAgentBatch& /*samples*/) {}
  // At the start of a learn_on_batch call (trainer operators call it).
  virtual void on_learn_on_batch(PolicyInterface&, const SampleBatch& /*train_batch*/, Json& /*result*/) {}
  // At the end of the trainer's constructor (workers built, nothing sampled yet).
  virtual void on_trainer_init(TrainerInterface&) {}
  // At the end of Trainer::train(), with its result (may be changed).
  virtual void on_train_result(TrainerInterface&, Json& /*result*/) {}
};

// Several callbacks, called in order (RLlib's MultiCallbacks).
class MultiCallbacks final : public DefaultCallbacks {
 public:
  MultiCallbacks() = default;
  explicit MultiCallbacks(std::vector<std::shared_ptr<DefaultCallbacks>> callbacks) : callbacks_(std::move(callbacks)) {}
  void add(std::shared_ptr<DefaultCallbacks> callbacks) { callbacks_.push_back(std::move(callbacks)); }

  void on_episode_start(RolloutWorker& w, Episode& e, std::size_t i) override {
    for (auto& c : callbacks_) c->on_episode_start(w, e, i);
  }
  void on_episode_step(RolloutWorker& w, Episode& e, std::size_t i) override {
    for (auto& c : callbacks_) c->on_episode_step(w, e, i);
  }
  void on_episode_end(RolloutWorker& w, Episode& e, std::size_t i) override {
    for (auto& c : callbacks_) c->on_episode_end(w, e, i);
  }
  void on_postprocess_trajectory(RolloutWorker& w, Episode& e, SampleBatch& b) override {
    for (auto& c : callbacks_) c->on_postprocess_trajectory(w, e, b);
  }
  void on_sample_end(RolloutWorker& w, SampleBatch& b) override {
    for (auto& c : callbacks_) c->on_sample_end(w, b);
  }
  void on_multi_agent_sample_end(RolloutWorker& w, MultiAgentBatch& b) override {
    for (auto& c : callbacks_) c->on_multi_agent_sample_end(w, b);
  }
  void on_learn_on_batch(PolicyInterface& p, const SampleBatch& b, Json& r) override {
    for (auto& c : callbacks_) c->on_learn_on_batch(p, b, r);
  }
  void on_trainer_init(TrainerInterface& t) override {
    for (auto& c : callbacks_) c->on_trainer_init(t);
  }
  void on_train_result(TrainerInterface& t, Json& r) override {
    for (auto& c : callbacks_) c->on_train_result(t, r);
  }

 private:
  std::vector<std::shared_ptr<DefaultCallbacks>> callbacks_;
};

}  // namespace rlpp
