// Ape-X DQN: the reporting workers (RLlib's last third), the round-robin weights from
// training_intensity, per-worker epsilons, weight syncs every max_weight_sync_delay steps of a
// worker (and none in between), target updates by steps trained, replay shards in the plan,
// bit-identical runs for a seed whatever the thread count, and its config errors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <rlpp/algorithms/dqn/apex.hpp>

namespace {

using rlpp::Json;

Json small_apex(Json extra = Json::object()) {
  Json c{{"env", "CartPole-v1"},
         {"num_workers", 3},
         {"seed", 5},
         {"model", {{"fcnet_hiddens", {16}}}},
         {"hiddens", {16}},
         {"optimizer", {{"num_replay_buffer_shards", 2}, {"max_weight_sync_delay", 40}}},
         {"rollout_fragment_length", 20},
         {"train_batch_size", 16},
         {"buffer_size", 2000},
         {"learning_starts", 100},
         {"target_network_update_freq", 64},
         {"timesteps_per_iteration", 200},
         {"min_iter_time_s", 0}};
  for (const auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

double epsilon_of(rlpp::RolloutWorker& w) { return w.policy().get_state()["exploration"]["cur_epsilon"].get<double>(); }

}  // namespace

TEST_CASE("Ape-X reports the last third of its workers, rounded up (RLlib's selected_workers)") {
  CHECK(rlpp::apex::reporting_workers(3) == std::vector<std::size_t>{2});
  CHECK(rlpp::apex::reporting_workers(1) == std::vector<std::size_t>{0});
  const auto many = rlpp::apex::reporting_workers(32);
  REQUIRE(many.size() == 11);
  CHECK(many.front() == 21);
  CHECK(many.back() == 31);
}

TEST_CASE("Ape-X round-robin weights follow training_intensity (calculate_rr_weights)") {
  // cartpole-apex: train_batch_size 512, fragments of 50 from 3 workers: native ratio 512/150,
  // so training_intensity 16 asks for 16 / 3.41 = 4.69 -> 5 replay steps per stored fragment.
  const Json config = rlpp::apex::Trainer::default_config();
  Json c = config;
  const Json tuned = rlpp::apex::tuned::cartpole_apex();
  for (const auto& [k, v] : tuned.items()) c[k] = v;
  CHECK(rlpp::off_policy::calculate_rr_weights(rlpp::Config(c)) == std::vector<int>{1, 5});
  c["training_intensity"] = nullptr;
  CHECK(rlpp::off_policy::calculate_rr_weights(rlpp::Config(c)) == std::vector<int>{1, 1});
  c["training_intensity"] = 0.5;  // below the native ratio: two stored fragments per train step... and more
  const auto slow = rlpp::off_policy::calculate_rr_weights(rlpp::Config(c));
  CHECK(slow[1] == 1);
  CHECK(slow[0] == static_cast<int>(std::lround(1.0 / (0.5 / (512.0 / 150.0)))));
}

TEST_CASE("Ape-X trains with per-worker epsilons, syncs a worker's weights every max_weight_sync_delay of its steps") {
  rlpp::apex::Trainer trainer(small_apex());
  Json result;
  for (int i = 0; i < 4; ++i) result = trainer.train();
  const Json& info = result["info"];
  CHECK(info["num_steps_trained"].get<std::int64_t>() > 0);
  CHECK(info["num_target_updates"].get<std::int64_t>() > 0);
  // 800+ sampled steps over 3 workers in fragments of 20, a sync each 40 steps of a worker.
  const auto syncs = info["num_weight_syncs"].get<std::int64_t>();
  const auto sampled = result["timesteps_total"].get<std::int64_t>();
  CHECK(syncs == doctest::Approx(static_cast<double>(sampled) / 40.0).epsilon(0.15));
  // PerWorkerEpsilonGreedy: worker i of N explores with 0.4^(1 + 7 i / (N - 1)).
  auto& workers = trainer.workers();
  REQUIRE(workers.num_remote_workers() == 3);
  CHECK(epsilon_of(workers.remote_worker(0)) == doctest::Approx(0.4));
  CHECK(epsilon_of(workers.remote_worker(1)) == doctest::Approx(std::pow(0.4, 4.5)));
  CHECK(epsilon_of(workers.remote_worker(2)) == doctest::Approx(std::pow(0.4, 8.0)));
  CHECK(result["episode_reward_mean"].is_number());
}

TEST_CASE("Ape-X without weight syncs leaves the workers on their first weights while the learner moves") {
  rlpp::apex::Trainer trainer(small_apex({{"optimizer", {{"num_replay_buffer_shards", 2}, {"max_weight_sync_delay", 1000000}}}}));
  auto& workers = trainer.workers();
  const auto first = workers.remote_worker(1).policy().get_weights();
  for (int i = 0; i < 3; ++i) (void)trainer.train();
  CHECK(workers.remote_worker(1).policy().get_weights() == first);
  CHECK(workers.local_worker().policy().get_weights() != first);
}

TEST_CASE("Ape-X runs are bit-identical for a seed, with 1 or 2 threads") {
  const auto run = [](int threads) {
    Json c = small_apex({{"num_threads", threads}});
    rlpp::apex::Trainer trainer(c);
    std::vector<double> rewards;
    for (int i = 0; i < 3; ++i) rewards.push_back(trainer.train()["episode_reward_mean"].get<double>());
    return std::pair{rewards, trainer.workers().local_worker().policy().get_weights()};
  };
  const auto a = run(1);
  const auto b = run(2);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
}

TEST_CASE("Ape-X config errors name the key") {
  CHECK_THROWS_AS(rlpp::apex::Trainer(small_apex({{"optimizer", {{"max_weight_sync_delay", 0}}}})), rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::apex::Trainer(small_apex({{"optimizer", {{"num_replay_buffer_shards", 0}}}})), rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::apex::Trainer(small_apex({{"buffer_size", 1}})), rlpp::ConfigError);  // fewer slots than shards
  CHECK_THROWS_AS(rlpp::apex::Trainer(small_apex({{"worker_side_prioritization", true}})), rlpp::ConfigError);
}
