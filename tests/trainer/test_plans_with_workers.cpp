// Execution-plan operators with real workers: ParallelRollouts' async and raw modes, TrainOneStep's
// own minibatch SGD, Replay from a store, UpdateTargetNetwork's error for policies without target
// networks, timesteps_per_iteration, and build_trainer's validate_config / get_policy_class parts.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <rlpp/algorithms/all.hpp>

namespace {

rlpp::Json plan_test_config(rlpp::Json extra = rlpp::Json::object()) {
  rlpp::Json c{{"env", "CartPole-v1"}, {"num_workers", 2}, {"seed", 5}, {"num_threads", 2},
               {"rollout_fragment_length", 50}, {"train_batch_size", 100}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

// PG with a plan whose TrainOneStep runs 3 epochs of 32-row minibatches itself.
struct PlanProbe {
  auto operator()(rlpp::PlanContext& ctx) const {
    return rlpp::ParallelRollouts(ctx) | rlpp::ConcatBatches(ctx.config.positive_int("train_batch_size")) |
           rlpp::TrainOneStep(ctx, 3, 32) | rlpp::StandardMetricsReporting(ctx);
  }
};
using MinibatchPG = rlpp::pg::Trainer::with<rlpp::execution_plan<PlanProbe>>;

struct RequireBigBatches {
  void operator()(rlpp::Json& config) const {
    if (config["train_batch_size"].get<std::int64_t>() < 100)
      throw rlpp::ConfigError("config.train_batch_size", "this algorithm needs at least 100");
    config["lr"] = 0.123;  // validators may adjust the config
  }
};
struct ChoosePolicyByConfig {
  rlpp::PolicyFactory operator()(const rlpp::Config& c) const {
    if (c.json()["use_critic"].is_boolean() && c.get<bool>("use_critic")) return rlpp::policy_factory<rlpp::a3c::Policy>();
    return rlpp::policy_factory<rlpp::pg::Policy>();
  }
};
struct CriticConfig {
  static rlpp::Json defaults() { return {{"use_critic", false}, {"use_gae", true}, {"lambda", 1.0}, {"vf_loss_coeff", 0.5},
                                         {"entropy_coeff", 0.01}, {"entropy_coeff_schedule", nullptr}}; }
};
using Chooser = rlpp::build_trainer<"Chooser", rlpp::default_config<CriticConfig>, rlpp::get_policy_class<ChoosePolicyByConfig>,
                                    rlpp::validate_config<RequireBigBatches>>;

}  // namespace

TEST_CASE("ParallelRollouts async yields each worker's batch with current_actor; raw yields them all, uncounted") {
  rlpp::pg::Trainer trainer(plan_test_config());
  rlpp::PlanContext& ctx = trainer.plan_context();
  const std::int64_t before = ctx.metrics.counter_value(rlpp::counters::steps_sampled);
  auto async = rlpp::ParallelRollouts<rlpp::RolloutMode::async>(ctx);
  for (int i = 0; i < 4; ++i) {
    const auto batch = async.next();
    REQUIRE(batch.has_value());
    CHECK(batch->count() == 50);
    CHECK(ctx.metrics.current_actor == i % 2);
  }
  CHECK(ctx.metrics.counter_value(rlpp::counters::steps_sampled) == before + 200);
  auto raw = rlpp::ParallelRollouts<rlpp::RolloutMode::raw>(ctx);
  const auto all = raw.next();
  REQUIRE(all.has_value());
  CHECK(all->size() == 2);
  CHECK(ctx.metrics.counter_value(rlpp::counters::steps_sampled) == before + 200);
}

TEST_CASE("TrainOneStep(ctx, num_sgd_iter, sgd_minibatch_size) runs the minibatch SGD itself") {
  MinibatchPG trainer(plan_test_config());
  const auto w0 = trainer.workers().local_worker().get_weights();
  const rlpp::Json r = trainer.train();
  CHECK(r["info"]["num_steps_trained"] == 100);
  CHECK(r["info"]["learner"]["default_policy"]["learner_stats"].contains("policy_loss"));
  CHECK(trainer.workers().local_worker().get_weights() != w0);
  // and the weights went to the rollout workers
  CHECK(trainer.workers().remote_worker(0).get_weights() == trainer.workers().local_worker().get_weights());
  rlpp::PlanContext& ctx = trainer.plan_context();
  CHECK_THROWS_AS(rlpp::TrainOneStep(ctx, 0, 32), rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::TrainOneStep(ctx, 1, -1), rlpp::ConfigError);
}

TEST_CASE("Replay gives nothing before learning_starts, then replayed batches; UpdateTargetNetwork needs target networks") {
  rlpp::pg::Trainer trainer(plan_test_config());
  rlpp::PlanContext& ctx = trainer.plan_context();
  rlpp::ReplayConfig rc;
  rc.learning_starts = 150;
  rc.replay_batch_size = 16;
  rc.prioritized_replay = false;
  rlpp::MultiAgentReplayBuffer buffer(rc, 1);
  auto store = rlpp::ParallelRollouts(ctx) | rlpp::StoreToReplayBuffer(buffer);
  auto replay = rlpp::Replay(ctx, buffer);
  store.next();  // 100 steps
  CHECK_FALSE(replay.next().has_value());
  store.next();  // 200 steps
  const auto replayed = replay.next();
  REQUIRE(replayed.has_value());
  CHECK(replayed->policy("default_policy").count() == 16);

  auto update = rlpp::UpdateTargetNetwork(ctx, 0);
  CHECK_THROWS_WITH_AS(update.f(1), doctest::Contains("has no target network"), rlpp::Error);
  auto never = rlpp::UpdateTargetNetwork(ctx, 1000000);
  CHECK(never.f(7) == 7);  // below the frequency: passes through without updating
  CHECK_THROWS_AS(rlpp::UpdateTargetNetwork(ctx, -1), rlpp::ConfigError);
}

TEST_CASE("StandardMetricsReporting reports once per timesteps_per_iteration sampled steps") {
  rlpp::pg::Trainer trainer(plan_test_config({{"timesteps_per_iteration", 350}}));
  const rlpp::Json r1 = trainer.train();
  const rlpp::Json r2 = trainer.train();
  CHECK(r1["timesteps_total"] == 400);  // 4 train steps of 100 until >= 350 new steps
  CHECK(r2["timesteps_this_iter"] == 400);
}

TEST_CASE("build_trainer: validate_config and get_policy_class") {
  Chooser pg_like(plan_test_config());
  CHECK(pg_like.config()["lr"] == 0.123);
  CHECK(pg_like.workers().local_worker().policy().policy_name() == "PGTorchPolicy");
  Chooser critic(plan_test_config({{"use_critic", true}}));
  CHECK(critic.workers().local_worker().policy().policy_name() == "A3CTorchPolicy");
  CHECK(critic.train()["info"]["learner"]["default_policy"]["learner_stats"].contains("vf_loss"));
  CHECK_THROWS_WITH_AS(Chooser(plan_test_config({{"train_batch_size", 50}})), doctest::Contains("at least 100"), rlpp::ConfigError);
}
