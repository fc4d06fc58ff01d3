// DQN's parts checked against hand-computed numbers on Q models whose weights are set by hand
// (Q(s) = W s with W chosen so every Q value is an observation entry): the TD target with and
// without double Q, done masking, the n-step discount, Huber, importance weights, the C51
// projection and cross entropy; then through the off-policy plan: per-row TD errors becoming
// replay priorities, the target network's update frequency; RLlib's defaults (DQN and SimpleQ)
// and validation; checkpoint round trip (noisy nets' noise stream, and the replay buffer with
// store_buffer_in_checkpoints, also for Ape-X's shards) and determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <rlpp/algorithms/dqn/apex.hpp>
#include <rlpp/algorithms/dqn/dqn.hpp>
#include <rlpp/algorithms/dqn/simple_q.hpp>
#include <rlpp/algorithms/dqn/tuned_configs.hpp>
#include <rlpp/execution/replay_ops.hpp>
#include <rlpp/execution/train_ops.hpp>
#include <rlpp/policy/any_policy.hpp>

namespace {

using rlpp::Json;

constexpr double kGamma = 0.9;

// A linear Q model on 2-d observations with 2 actions: no trunk, no hidden layers, no dueling,
// so Q(s) = s W + b with W [2 x 2] (row-major [in, out]) then b.
Json linear_q_config(Json extra = Json::object()) {
  Json c{{"model", {{"fcnet_hiddens", Json::array()}}},
         {"hiddens", Json::array()},
         {"dueling", false},
         {"gamma", kGamma},
         {"lr", 1e-9},
         {"seed", 1}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

Json merged(Json base, const Json& extra) {
  base.update(extra);
  return base;
}

rlpp::dqn::Policy make_policy(Json extra = Json::object()) {
  return rlpp::dqn::Policy(rlpp::Space(rlpp::Box(-10.0, 10.0, {2})), rlpp::Space(rlpp::Discrete(2)),
                           linear_q_config(std::move(extra)));
}

// The flat weight vector of a model that has one weight block then one bias block (blocks are
// padded to aligned offsets).
template <class P>
std::vector<float> layout(const P& policy, const std::vector<float>& weight, const std::vector<float>& bias) {
  const auto& blocks = policy.parameters().blocks();
  REQUIRE(blocks.size() == 2);
  std::vector<float> out(policy.parameters().size(), 0.0f);
  std::copy(weight.begin(), weight.end(), out.begin() + static_cast<std::ptrdiff_t>(blocks[0].offset));
  std::copy(bias.begin(), bias.end(), out.begin() + static_cast<std::ptrdiff_t>(blocks[1].offset));
  return out;
}

// Online Q(s) = (s0, s1) (W = I); target Q(s) = (s1, s0) (W = swap): so the online argmax at s'
// and the target's own argmax differ whenever s'0 > s'1.
template <class P>
void set_weights(P& policy) {
  policy.set_weights(layout(policy, {0, 1, 1, 0}, {0, 0}));
  policy.update_target(1.0);
  policy.set_weights(layout(policy, {1, 0, 0, 1}, {0, 0}));
}

struct Rows {
  std::vector<std::vector<float>> obs, new_obs;
  std::vector<std::int64_t> actions;
  std::vector<float> rewards;
  std::vector<bool> terminated;
};

// row 0: s = (1, 2),     a = 1, r = 0.5, s' = (3, -1), not terminated: Q(s, a) = 2
// row 1: s = (0.5, -0.5), a = 0, r = 1.0, s' = (2, 4),  terminated:     Q(s, a) = 0.5
Rows two_rows() {
  return Rows{{{1, 2}, {0.5f, -0.5f}}, {{3, -1}, {2, 4}}, {1, 0}, {0.5f, 1.0f}, {false, true}};
}

rlpp::SampleBatch make_batch(const Rows& r) {
  const std::size_t n = r.actions.size();
  xt::xarray<float> obs = xt::zeros<float>({n, std::size_t{2}}), new_obs = obs;
  xt::xarray<std::int64_t> actions = xt::zeros<std::int64_t>({n});
  xt::xarray<float> rewards = xt::zeros<float>({n});
  xt::xarray<bool> terminated = xt::zeros<bool>({n});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t d = 0; d < 2; ++d) {
      obs(i, d) = r.obs[i][d];
      new_obs(i, d) = r.new_obs[i][d];
    }
    actions(i) = r.actions[i];
    rewards(i) = r.rewards[i];
    terminated(i) = r.terminated[i];
  }
  rlpp::SampleBatch batch;
  batch.set("obs", obs);
  batch.set("new_obs", new_obs);
  batch.set("actions", actions);
  batch.set("rewards", rewards);
  batch.set("terminateds", terminated);
  return batch;
}

// The typed policy behind a worker's policy map entry.
template <class P = rlpp::dqn::Policy, class Trainer>
P& typed_policy(Trainer& trainer) {
  return dynamic_cast<rlpp::PolicyAdapter<P>&>(trainer.workers().local_worker().policy("default_policy")).policy();
}

const Json& stats(const Json& learn_result) { return learn_result["learner_stats"]; }

double huber(double x) { return std::abs(x) <= 1.0 ? 0.5 * x * x : std::abs(x) - 0.5; }

}  // namespace

TEST_CASE("DQN's TD target: max of the target network, or its value at the online argmax with double_q") {
  SUBCASE("double_q false: target = r + gamma * max_a Q_target(s', a); terminated rows bootstrap nothing") {
    auto policy = make_policy({{"double_q", false}});
    set_weights(policy);
    const Json r = policy.learn_on_batch(make_batch(two_rows()));
    // row 0: Q_target(s') = (-1, 3) -> max 3: target 0.5 + 0.9 * 3 = 3.2, td = 2 - 3.2 = -1.2
    // row 1: terminated: target 1.0, td = 0.5 - 1.0 = -0.5
    const auto td = policy.td_errors();
    REQUIRE(td.size() == 2);
    CHECK(td[0] == doctest::Approx(-1.2));
    CHECK(td[1] == doctest::Approx(-0.5));
    CHECK(stats(r)["total_loss"].get<double>() == doctest::Approx((huber(-1.2) + huber(-0.5)) / 2));  // (0.7 + 0.125) / 2
    CHECK(stats(r)["mean_td_error"].get<double>() == doctest::Approx((-1.2 - 0.5) / 2));
    CHECK(stats(r)["mean_q"].get<double>() == doctest::Approx((2.0 + 0.5) / 2));
    CHECK(stats(r)["min_q"].get<double>() == doctest::Approx(0.5));
    CHECK(stats(r)["max_q"].get<double>() == doctest::Approx(2.0));
    CHECK(stats(r)["cur_lr"].get<double>() == doctest::Approx(1e-9));
  }
  SUBCASE("double_q true: a* = argmax online Q(s') = 0, evaluated by the target: Q_target(s', 0) = -1") {
    auto policy = make_policy({{"double_q", true}});
    set_weights(policy);
    const Json r = policy.learn_on_batch(make_batch(two_rows()));
    // row 0: target 0.5 + 0.9 * (-1) = -0.4, td = 2 - (-0.4) = 2.4 (Huber's linear part: 1.9)
    const auto td = policy.td_errors();
    CHECK(td[0] == doctest::Approx(2.4));
    CHECK(td[1] == doctest::Approx(-0.5));
    CHECK(stats(r)["total_loss"].get<double>() == doctest::Approx((1.9 + 0.125) / 2));
  }
  SUBCASE("a terminated flag on row 0 removes its bootstrap") {
    auto policy = make_policy({{"double_q", false}});
    set_weights(policy);
    Rows rows = two_rows();
    rows.terminated[0] = true;
    policy.learn_on_batch(make_batch(rows));
    CHECK(policy.td_errors()[0] == doctest::Approx(2.0 - 0.5));
  }
}

TEST_CASE("DQN bootstraps with the row's n_step_discounts, else gamma^n_step") {
  SUBCASE("n_step_discounts column (a row that summed k = 2 rewards): 0.5 + 0.81 * 3") {
    auto policy = make_policy({{"double_q", false}, {"n_step", 3}});
    set_weights(policy);
    rlpp::SampleBatch batch = make_batch(two_rows());
    batch.set("n_step_discounts", xt::xarray<float>{0.81f, 0.729f});
    policy.learn_on_batch(batch);
    CHECK(policy.td_errors()[0] == doctest::Approx(2.0 - (0.5 + 0.81 * 3.0)));
    CHECK(policy.td_errors()[1] == doctest::Approx(0.5 - 1.0));  // terminated: no bootstrap whatever the discount
  }
  SUBCASE("no column: gamma^n_step = 0.9^3 = 0.729") {
    auto policy = make_policy({{"double_q", false}, {"n_step", 3}});
    set_weights(policy);
    policy.learn_on_batch(make_batch(two_rows()));
    CHECK(policy.td_errors()[0] == doctest::Approx(2.0 - (0.5 + 0.729 * 3.0)));
  }
  SUBCASE("postprocessing sums n rewards within the episode and writes gamma^k") {
    auto policy = make_policy({{"n_step", 2}});
    rlpp::SampleBatch batch = make_batch(Rows{{{0, 0}, {1, 1}, {2, 2}}, {{1, 1}, {2, 2}, {3, 3}}, {0, 1, 0},
                                              {1.0f, 2.0f, 4.0f}, {false, false, true}});
    policy.postprocess_trajectory(batch);
    const auto rewards = batch.values<float>("rewards");
    const auto discounts = batch.values<float>("n_step_discounts");
    const auto terminated = batch.values<bool>("terminateds");
    CHECK(rewards[0] == doctest::Approx(1.0 + 0.9 * 2.0));
    CHECK(rewards[1] == doctest::Approx(2.0 + 0.9 * 4.0));
    CHECK(rewards[2] == doctest::Approx(4.0));
    CHECK(discounts[0] == doctest::Approx(0.81));
    CHECK(discounts[2] == doctest::Approx(0.9));
    CHECK(terminated[1]);  // row 1's window ends at the terminal step
    CHECK(batch.matrix("new_obs")(0, 0) == 2.0f);
  }
}

TEST_CASE("DQN's loss weights each row's Huber loss by its importance weight") {
  auto policy = make_policy({{"double_q", false}});
  set_weights(policy);
  rlpp::SampleBatch batch = make_batch(two_rows());
  batch.set("weights", xt::xarray<float>{0.5f, 2.0f});
  const Json r = policy.learn_on_batch(batch);
  CHECK(stats(r)["total_loss"].get<double>() == doctest::Approx((0.5 * 0.7 + 2.0 * 0.125) / 2));
  // The gradient is the weighted Huber gradient: with plain SGD at lr 1, W -= dL/dW where
  // dL/dQ(s0, a=1) = 0.5 * clip(-1.2, -1, 1) / 2 = -0.25 and dL/dQ(s1, a=0) = 2 * (-0.5) / 2 = -0.5,
  // and dQ(s, a)/dW[d][a] = s_d, dQ(s, a)/db[a] = 1.
  using SgdPolicy = rlpp::dqn::Policy::with<rlpp::optimizer<rlpp::nn::SGD>>;
  SgdPolicy sgd(rlpp::Space(rlpp::Box(-10.0, 10.0, {2})), rlpp::Space(rlpp::Discrete(2)),
                linear_q_config({{"double_q", false}, {"lr", 1.0}, {"grad_clip", nullptr}}));
  set_weights(sgd);
  sgd.learn_on_batch(batch);
  const std::vector<float> all = sgd.get_weights();
  const std::size_t bias = sgd.parameters().blocks()[1].offset;
  const std::vector<float> w{all[0], all[1], all[2], all[3], all[bias], all[bias + 1]};
  CHECK(w[0] == doctest::Approx(1.0 + 0.5 * 0.5));   // W[0][0] += 0.5 * s1_0 (0.5)
  CHECK(w[1] == doctest::Approx(0.0 + 0.25 * 1.0));  // W[0][1] += 0.25 * s0_0 (1)
  CHECK(w[2] == doctest::Approx(0.0 - 0.5 * 0.5));   // W[1][0] += 0.5 * s1_1 (-0.5)
  CHECK(w[3] == doctest::Approx(1.0 + 0.25 * 2.0));  // W[1][1] += 0.25 * s0_1 (2)
  CHECK(w[4] == doctest::Approx(0.5));               // b[0] += 0.5
  CHECK(w[5] == doctest::Approx(0.25));              // b[1] += 0.25
}

TEST_CASE("C51 projection matches a hand computation, including clipping at v_max") {
  const std::vector<double> support{-1.0, 0.0, 1.0};
  const std::vector<float> p{0.2f, 0.5f, 0.3f};
  std::vector<float> m(3);
  // Tz = 0.5 + 0.5 z = (0, 0.5, 1) -> b = (1, 1.5, 2): atom 0 all to z1; atom 1 half to z1, half
  // to z2; atom 2 all to z2: m = (0, 0.2 + 0.25, 0.25 + 0.3).
  rlpp::dqn::project_distribution(support, 0.5f, 0.5f, p, m);
  CHECK(m[0] == doctest::Approx(0.0));
  CHECK(m[1] == doctest::Approx(0.45));
  CHECK(m[2] == doctest::Approx(0.55));
  // Tz = 2 + z = (1, 2, 3) clipped to 1: everything on z2.
  rlpp::dqn::project_distribution(support, 2.0f, 1.0f, p, m);
  CHECK(m[2] == doctest::Approx(1.0));
  // Terminated (discount 0), r = -0.25: Tz = -0.25 for every atom: 0.25 to z0, 0.75 to z1.
  rlpp::dqn::project_distribution(support, -0.25f, 0.0f, p, m);
  CHECK(m[0] == doctest::Approx(0.25));
  CHECK(m[1] == doctest::Approx(0.75));
  CHECK(m[2] == doctest::Approx(0.0));
}

TEST_CASE("distributional DQN's loss is the cross entropy against the projected target, per row as TD error") {
  // num_atoms 3 on (-1, 0, 1); W = 0 so the atom logits are the biases: online b, target b'.
  auto policy = make_policy({{"num_atoms", 3}, {"v_min", -1.0}, {"v_max", 1.0}, {"double_q", false}});
  std::vector<float> target(6), online(6);
  // target: action 0 atoms (log 0.2, log 0.5, log 0.3) -> Q = 0.1; action 1 all on z0 -> Q ~ -1
  const float target_bias[6] = {std::log(0.2f), std::log(0.5f), std::log(0.3f), 0.0f, -30.0f, -30.0f};
  const float online_bias[6] = {0.0f, 0.0f, 0.0f, 1.0f, 2.0f, 3.0f};
  for (int i = 0; i < 6; ++i) {
    target[static_cast<std::size_t>(i)] = target_bias[i];
    online[static_cast<std::size_t>(i)] = online_bias[i];
  }
  policy.set_weights(layout(policy, std::vector<float>(12, 0.0f), target));
  policy.update_target(1.0);
  policy.set_weights(layout(policy, std::vector<float>(12, 0.0f), online));
  Rows rows = two_rows();
  rows.rewards = {0.5f, -0.25f};
  const Json r = policy.learn_on_batch(make_batch(rows));
  // row 0: a* = 0 (Q_target 0.1 > -1), discount 0.9: Tz = 0.5 + 0.9 z = (-0.4, 0.5, 1.4 -> 1)
  //   b = (0.6, 1.5, 2): m0 = 0.2 * 0.4 = 0.08, m1 = 0.2 * 0.6 + 0.5 * 0.5 = 0.37, m2 = 0.25 + 0.3 = 0.55
  //   taken action 1, online logits (1, 2, 3): log softmax = (1, 2, 3) - log(e + e^2 + e^3)
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  const double ce0 = -(0.08 * (1 - lse) + 0.37 * (2 - lse) + 0.55 * (3 - lse));
  // row 1: terminated, r = -0.25: m = (0.25, 0.75, 0); action 0, logits (0, 0, 0): log(1/3) each
  const double ce1 = -(0.25 + 0.75) * std::log(1.0 / 3.0);
  const auto td = policy.td_errors();
  CHECK(td[0] == doctest::Approx(ce0).epsilon(1e-5));
  CHECK(td[1] == doctest::Approx(ce1).epsilon(1e-5));
  CHECK(stats(r)["total_loss"].get<double>() == doctest::Approx((ce0 + ce1) / 2).epsilon(1e-5));
  // mean_q: Q(s, a) = sum p z: row 0 softmax(1,2,3) . (-1,0,1), row 1: 0
  const double p0 = std::exp(1.0 - lse), p2 = std::exp(3.0 - lse);
  CHECK(stats(r)["mean_q"].get<double>() == doctest::Approx((p2 - p0) / 2).epsilon(1e-5));
}

namespace {
Json trainer_config(Json extra = Json::object()) {
  Json c{{"env", "CartPole-v1"},
         {"seed", 3},
         {"num_workers", 0},
         {"model", {{"fcnet_hiddens", {16}}}},
         {"hiddens", {16}},
         {"rollout_fragment_length", 4},
         {"train_batch_size", 16},
         {"learning_starts", 32},
         {"timesteps_per_iteration", 100},
         {"min_iter_time_s", 0}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}
}  // namespace

TEST_CASE("after a train step on a prioritized replay batch, each row's priority is |td_error| + eps") {
  rlpp::dqn::Trainer trainer(trainer_config({{"prioritized_replay_alpha", 1.0}}));
  rlpp::PlanContext& ctx = trainer.plan_context();
  auto buffer = std::make_shared<rlpp::MultiAgentReplayBuffer>(rlpp::ReplayConfig::from_config(ctx.config), 5);
  auto store = rlpp::ParallelRollouts(ctx) | rlpp::StoreToReplayBuffer(*buffer);
  for (int i = 0; i < 10; ++i) store.next();  // 40 steps >= learning_starts
  // The plan's replay op: replay, train, then UpdatePriorities from the policy's TD errors.
  auto& policy = typed_policy(trainer);
  auto train = rlpp::Replay(ctx, *buffer) | rlpp::TrainOneStep(ctx) | rlpp::UpdatePriorities(ctx, buffer);
  const auto trained = train.next();
  REQUIRE(trained.has_value());
  const auto td = policy.td_errors();
  const rlpp::SampleBatch& learned = trained->batch.policy_batches.at("default_policy");
  REQUIRE(td.size() == learned.count());
  const auto indexes = learned.values<std::int64_t>("batch_indexes");
  const Json state = buffer->get_state()["shards"][0]["default_policy"];
  const auto priorities = state["priorities_pow_alpha"].get<std::vector<double>>();
  int checked = 0;
  for (std::size_t i = 0; i < learned.count(); ++i) {
    bool last = true;  // a slot replayed twice keeps its last row's priority
    for (std::size_t j = i + 1; j < learned.count(); ++j) last = last && indexes[j] != indexes[i];
    if (!last) continue;
    CHECK(priorities[static_cast<std::size_t>(indexes[i])] == doctest::Approx(std::abs(td[i]) + 1e-6));
    ++checked;
  }
  CHECK(checked > 0);
  // the TD errors are not all equal (they are per row, not a batch mean)
  CHECK(*std::max_element(td.begin(), td.end()) != *std::min_element(td.begin(), td.end()));
}

TEST_CASE("the target network is copied every target_network_update_freq sampled steps, and only then") {
  SUBCASE("freq 0: a copy after every train step, so target == online after train()") {
    rlpp::dqn::Trainer trainer(trainer_config({{"target_network_update_freq", 0}}));
    const Json r = trainer.train();
    auto& policy = typed_policy(trainer);
    CHECK(policy.get_target_weights() == policy.get_weights());
    CHECK(r["info"]["num_target_updates"].get<std::int64_t>() == r["info"]["num_steps_trained"].get<std::int64_t>() / 16);
  }
  SUBCASE("a huge freq: the target stays the initial weights while the online net learns") {
    rlpp::dqn::Trainer trainer(trainer_config({{"target_network_update_freq", 1000000}}));
    auto& policy = typed_policy(trainer);
    const auto initial = policy.get_weights();
    const Json r = trainer.train();
    CHECK(policy.get_target_weights() == initial);
    CHECK(policy.get_weights() != initial);
    CHECK(r["info"].value("num_target_updates", std::int64_t{0}) == 0);
  }
  SUBCASE("freq 20: one copy per 20 sampled steps once training runs") {
    rlpp::dqn::Trainer trainer(trainer_config({{"target_network_update_freq", 20}}));
    for (int i = 0; i < 3; ++i) {
      const Json r = trainer.train();
      const auto sampled = r["info"]["num_steps_sampled"].get<std::int64_t>();
      const auto last = r["info"]["last_target_update_ts"].get<std::int64_t>();
      const auto updates = r["info"]["num_target_updates"].get<std::int64_t>();
      // Training starts at 32 sampled steps; each check happens after a 4-step fragment.
      CHECK(sampled - last < 20 + 4);
      CHECK(updates >= (sampled - 32) / 24);
      CHECK(updates <= sampled / 20);
    }
  }
}

TEST_CASE("DQN's and SimpleQ's defaults are RLlib's") {
  const Json d = rlpp::dqn::Trainer::default_config();
  CHECK(d["num_atoms"] == 1);
  CHECK(d["v_min"] == -10.0);
  CHECK(d["v_max"] == 10.0);
  CHECK(d["noisy"] == false);
  CHECK(d["sigma0"] == 0.5);
  CHECK(d["dueling"] == true);
  CHECK(d["hiddens"] == Json::array({256}));
  CHECK(d["double_q"] == true);
  CHECK(d["n_step"] == 1);
  CHECK(d["exploration_config"] ==
        Json{{"type", "EpsilonGreedy"}, {"initial_epsilon", 1.0}, {"final_epsilon", 0.02}, {"epsilon_timesteps", 10000}});
  CHECK(d["evaluation_config"] == Json{{"explore", false}});
  CHECK(d["timesteps_per_iteration"] == 1000);
  CHECK(d["target_network_update_freq"] == 500);
  CHECK(d["buffer_size"] == 50000);
  CHECK(d["prioritized_replay"] == true);
  CHECK(d["prioritized_replay_alpha"] == 0.6);
  CHECK(d["prioritized_replay_beta"] == 0.4);
  CHECK(d["final_prioritized_replay_beta"] == 0.4);
  CHECK(d["prioritized_replay_beta_annealing_timesteps"] == 20000);
  CHECK(d["prioritized_replay_eps"] == 1e-6);
  CHECK(d["training_intensity"].is_null());
  CHECK(d["lr"] == 5e-4);
  CHECK(d["lr_schedule"].is_null());
  CHECK(d["adam_epsilon"] == 1e-8);
  CHECK(d["grad_clip"] == 40);
  CHECK(d["learning_starts"] == 1000);
  CHECK(d["rollout_fragment_length"] == 4);
  CHECK(d["train_batch_size"] == 32);
  CHECK(d["num_workers"] == 0);
  CHECK(d["min_iter_time_s"] == 1);

  const Json s = rlpp::simple_q::Trainer::default_config();
  CHECK(s["dueling"] == false);
  CHECK(s["double_q"] == false);
  CHECK(s["prioritized_replay"] == false);
  CHECK(s["n_step"] == 1);
  CHECK(s["hiddens"] == Json::array());
  // the rest as DQN's
  for (const char* key : {"lr", "train_batch_size", "learning_starts", "target_network_update_freq", "buffer_size",
                          "exploration_config", "grad_clip", "rollout_fragment_length", "timesteps_per_iteration"})
    CHECK_MESSAGE(s[key] == d[key], key);
}

TEST_CASE("DQN rejects configs RLlib rejects, naming the key") {
  const auto fails = [](Json extra, const std::string& key) {
    Json c = trainer_config();
    for (auto& [k, v] : extra.items()) c[k] = v;
    try {
      rlpp::dqn::Trainer trainer(c);
      FAIL("accepted " << extra.dump());
    } catch (const rlpp::ConfigError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(key) != std::string::npos, e.what());
    }
  };
  fails({{"num_atoms", 11}, {"v_min", 10.0}, {"v_max", 10.0}}, "v_min");
  fails({{"num_atoms", 0}}, "num_atoms");
  fails({{"n_step", 0}}, "n_step");
  fails({{"adam_epsilon", 0.0}}, "adam_epsilon");
  fails({{"grad_clip", -1}}, "grad_clip");
  fails({{"noisy", true}, {"exploration_config", {{"type", "ParameterNoise"}}}}, "noisy");
  fails({{"num_sgd_iter", 4}}, "num_sgd_iter");
  fails({{"prioritized_replay_eps", 0.0}}, "prioritized_replay_eps");
  fails({{"buffer_size", 0}}, "buffer_size");
  fails({{"double_qq", true}}, "double_qq");  // unknown key, with a did-you-mean
  // RLlib: rollout_fragment_length := max(rollout_fragment_length, n_step)
  rlpp::dqn::Trainer trainer(trainer_config({{"n_step", 7}}));
  CHECK(trainer.config()["rollout_fragment_length"] == 7);
  // adam_epsilon reaches the optimizer
  CHECK(trainer.config()["optimizer"]["eps"] == 1e-8);
  CHECK(trainer.name() == std::string_view("DQN"));
}

TEST_CASE("evaluation with explore false acts greedily: argmax Q, whatever epsilon is") {
  rlpp::dqn::Trainer trainer(trainer_config());
  auto& policy = trainer.workers().local_worker().policy("default_policy");
  rlpp::nn::Matrix obs(3, 4);
  obs << 0.1f, -0.2f, 0.03f, 0.4f, -0.5f, 0.3f, 0.2f, -0.1f, 0.0f, 0.0f, 0.0f, 0.0f;
  for (int k = 0; k < 5; ++k) {
    const auto& greedy = policy.compute_actions(obs, {}, false);
    const rlpp::nn::Matrix q = greedy.action_dist_inputs;
    for (Eigen::Index r = 0; r < 3; ++r) {
      Eigen::Index best = 0;
      q.row(r).maxCoeff(&best);
      CHECK(greedy.actions(r, 0) == static_cast<float>(best));
    }
  }
  // exploring at timestep 0 (epsilon 1): some action differs from the argmax over many draws
  rlpp::nn::Matrix many = rlpp::nn::Matrix::Zero(64, 4);
  const auto& explored = policy.compute_actions(many, {}, true, 0);
  const float first = explored.actions(0, 0);
  bool differs = false;
  for (Eigen::Index r = 1; r < 64; ++r) differs = differs || explored.actions(r, 0) != first;
  CHECK(differs);
}

TEST_CASE("DQN trains with SoftQ or StochasticSampling exploration, a distributional head, n-step, noisy nets (rainbow) and SimpleQ") {
  for (const Json& extra : {Json{{"exploration_config", {{"type", "SoftQ"}, {"temperature", 1.0}}}},
                            Json{{"exploration_config", {{"type", "StochasticSampling"}}}},
                            Json{{"num_atoms", 5}, {"v_min", -5.0}, {"v_max", 30.0}, {"n_step", 3}},
                            Json{{"double_q", false}, {"dueling", false}, {"prioritized_replay", false}},
                            // RLlib's "rainbow" unit-test config
                            Json{{"num_atoms", 10}, {"noisy", true}, {"double_q", true}, {"dueling", true}, {"n_step", 5}}}) {
    CAPTURE(extra.dump());
    rlpp::dqn::Trainer trainer(trainer_config(extra));
    const Json r = trainer.train();
    CHECK(r["info"]["num_steps_trained"].get<std::int64_t>() > 0);
    CHECK(std::isfinite(r["info"]["learner"]["default_policy"]["learner_stats"]["mean_q"].get<double>()));
  }
  rlpp::simple_q::Trainer simple(trainer_config({{"hiddens", Json::array()}}));
  const Json r = simple.train();
  CHECK(r["info"]["num_steps_trained"].get<std::int64_t>() > 0);
}

TEST_CASE("a DQN policy restored from its state continues bit-identically") {
  auto a = make_policy({{"lr", 0.01}, {"model", {{"fcnet_hiddens", {8}}}}, {"hiddens", {8}}, {"dueling", true}});
  const rlpp::SampleBatch batch = make_batch(two_rows());
  a.learn_on_batch(batch);
  auto b = make_policy({{"lr", 0.01}, {"model", {{"fcnet_hiddens", {8}}}}, {"hiddens", {8}}, {"dueling", true}, {"seed", 99}});
  b.set_state(a.get_state());
  a.update_target(1.0);
  b.update_target(1.0);
  for (int i = 0; i < 3; ++i) {
    const Json ra = a.learn_on_batch(batch);
    const Json rb = b.learn_on_batch(batch);
    CHECK(ra == rb);
  }
  CHECK(a.get_weights() == b.get_weights());
  CHECK(a.get_target_weights() == b.get_target_weights());
}

TEST_CASE("a DQN trainer restored from a checkpoint has the same weights, target, counters and exploration") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_dqn_restore";
  std::filesystem::remove_all(dir);
  rlpp::dqn::Trainer a(trainer_config());
  a.train();
  const auto checkpoint = a.save(dir);
  rlpp::dqn::Trainer b(trainer_config({{"seed", 11}}));
  b.restore(checkpoint);
  auto& pa = typed_policy(a);
  auto& pb = typed_policy(b);
  CHECK(pa.get_weights() == pb.get_weights());
  CHECK(pa.get_target_weights() == pb.get_target_weights());
  CHECK(pa.get_state()["exploration"] == pb.get_state()["exploration"]);
  CHECK(pa.get_state()["optimizer"] == pb.get_state()["optimizer"]);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a noisy DQN policy restored from its state continues with the same noise") {
  // Odd numbers of normals per forward pass (8*3 -> 11 draws, ...), so a pending normal() spare
  // is part of the noise stream's state.
  const Json config{{"lr", 0.01}, {"noisy", true}, {"model", {{"fcnet_hiddens", {8}}}}, {"hiddens", {3}}, {"dueling", true}};
  auto a = make_policy(config);
  const rlpp::SampleBatch batch = make_batch(two_rows());
  rlpp::nn::Matrix obs(3, 2);
  obs << 0.5f, -1.0f, 2.0f, 0.25f, -0.75f, 1.5f;
  (void)a.learn_on_batch(batch);
  for (int i = 0; i < 2 && a.get_state()["model"]["noise"].size() != 5; ++i) (void)a.compute_actions(obs, {}, false);
  const Json state = a.get_state();
  REQUIRE(state["model"]["noise"].size() == 5);  // 4 state words and the spare
  auto b = make_policy(merged(config, {{"seed", 99}}));
  b.set_state(Json::from_cbor(Json::to_cbor(state)));
  CHECK(b.get_state() == state);
  // Without the noise stream (a state saved before it was), the same weights act with other noise.
  Json without_noise = state;
  without_noise["model"].erase("noise");
  auto c = make_policy(merged(config, {{"seed", 99}}));
  c.set_state(without_noise);
  CHECK(c.get_weights() == a.get_weights());
  bool noise_differs = false;
  for (int i = 0; i < 3; ++i) {
    const rlpp::nn::Matrix qa = a.compute_actions(obs, {}, false).action_dist_inputs;
    const rlpp::nn::Matrix qb = b.compute_actions(obs, {}, false).action_dist_inputs;
    const rlpp::nn::Matrix qc = c.compute_actions(obs, {}, false).action_dist_inputs;
    CHECK(qa == qb);
    noise_differs = noise_differs || qa != qc;
    const Json la = a.learn_on_batch(batch), lb = b.learn_on_batch(batch);
    CHECK(la == lb);
  }
  CHECK(noise_differs);
  CHECK(a.get_weights() == b.get_weights());
  CHECK(a.get_target_weights() == b.get_target_weights());
  // A malformed noise stream is a CheckpointError that changes nothing; a non-noisy model
  // rejects a noise stream.
  Json broken = state;
  broken["model"]["noise"] = Json::array({1, 2});
  const auto weights = b.get_weights();
  CHECK_THROWS_WITH_AS(b.set_state(broken), doctest::Contains("noise stream"), rlpp::CheckpointError);
  CHECK(b.get_weights() == weights);
  auto plain = make_policy({{"model", {{"fcnet_hiddens", {8}}}}, {"hiddens", {3}}});
  Json noisy_model_only = plain.get_state();
  noisy_model_only["model"] = state["model"];
  CHECK_THROWS_WITH_AS(plain.set_state(noisy_model_only), doctest::Contains("not noisy"), rlpp::CheckpointError);
}

namespace {
// The replay buffer saved in a checkpoint's plan state (the Replay node's {"buffer": ...}), or
// nullptr when the plan saved none.
const Json* saved_buffer(const Json& plan) {
  if (plan.is_object() && plan.contains("buffer") && plan["buffer"].is_object() &&
      plan["buffer"].value("type", "") == "MultiAgentReplayBuffer")
    return &plan["buffer"];
  if (plan.is_array() || plan.is_object())
    for (const Json& part : plan)
      if (const Json* found = saved_buffer(part)) return found;
  return nullptr;
}
std::optional<Json> saved_buffer_at(const std::filesystem::path& checkpoint) {
  const Json state = rlpp::read_checkpoint_state(checkpoint);
  const Json* buffer = saved_buffer(state["plan"]);
  return buffer ? std::optional<Json>(*buffer) : std::nullopt;
}
// What must continue bit-identically from one train() result.
Json continued(const Json& result) {
  return Json{{"episode_reward_mean", result["episode_reward_mean"]},
              {"timesteps_total", result["timesteps_total"]},
              {"episodes_total", result["episodes_total"]},
              {"num_steps_trained", result["info"]["num_steps_trained"]},
              {"learner", result["info"]["learner"]}};
}
// Trains `a` for `n` more iterations and a fresh trainer restored from `checkpoint` for as many:
// every result and the final weights must agree.
template <class T>
void check_continues_identically(T& a, const Json& fresh_config, const std::filesystem::path& checkpoint, int n) {
  std::vector<Json> expected;
  for (int i = 0; i < n; ++i) expected.push_back(continued(a.train()));
  T b(fresh_config);
  b.restore(checkpoint);
  for (int i = 0; i < n; ++i) {
    CAPTURE(i);
    const Json got = continued(b.train());
    CHECK(got.dump() == expected[static_cast<std::size_t>(i)].dump());  // (dump: NaN reads as null)
  }
  CHECK(expected.back()["learner"]["default_policy"]["learner_stats"].contains("mean_q"));
  auto& pa = a.workers().local_worker().policy("default_policy");
  auto& pb = b.workers().local_worker().policy("default_policy");
  CHECK(pa.get_weights() == pb.get_weights());
  CHECK(pa.get_state() == pb.get_state());
}
}  // namespace

TEST_CASE("store_buffer_in_checkpoints: a DQN trainer restored from a checkpoint continues bit-identically") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_dqn_buffer_checkpoint";
  std::filesystem::remove_all(dir);
  for (const Json& extra : {Json::object(), Json{{"noisy", true}, {"n_step", 2}, {"prioritized_replay", false}}}) {
    CAPTURE(extra.dump());
    rlpp::dqn::Trainer a(trainer_config(merged(extra, {{"store_buffer_in_checkpoints", true}})));
    (void)a.train();
    (void)a.train();
    const auto checkpoint = a.save(dir);
    const auto buffer = saved_buffer_at(checkpoint);
    REQUIRE(buffer.has_value());
    CHECK((*buffer)["added"] == 200);
    CHECK((*buffer)["shards"][0]["default_policy"]["size"] == 200);
    // Another seed: whatever the restored trainer continues with comes from the checkpoint.
    check_continues_identically(a, trainer_config(merged(extra, {{"store_buffer_in_checkpoints", true}, {"seed", 11}})),
                                checkpoint, 2);
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("store_buffer_in_checkpoints off (the default): no buffer in the checkpoint; a saved one is ignored") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_dqn_buffer_flag";
  std::filesystem::remove_all(dir);
  rlpp::dqn::Trainer with_buffer(trainer_config({{"store_buffer_in_checkpoints", true}}));
  (void)with_buffer.train();
  const auto checkpoint = with_buffer.save(dir / "with");
  // Restored with the flag off, the saved buffer is ignored: the buffer starts empty, so the
  // first iteration samples learning_starts steps before it learns, and training diverges
  // from the saved trainer's.
  rlpp::dqn::Trainer ignoring(trainer_config());
  ignoring.restore(checkpoint);
  const auto saved_off = ignoring.save(dir / "off");
  CHECK_FALSE(saved_buffer_at(saved_off).has_value());
  const Json next_with = with_buffer.train(), next_ignoring = ignoring.train();
  CHECK(next_ignoring["info"]["num_steps_trained"].get<std::int64_t>() < next_with["info"]["num_steps_trained"].get<std::int64_t>());
  // A checkpoint without a buffer restored with the flag on leaves the buffer empty.
  rlpp::dqn::Trainer storing(trainer_config({{"store_buffer_in_checkpoints", true}}));
  storing.restore(saved_off);
  const auto empty = saved_buffer_at(storing.save(dir / "on"));
  REQUIRE(empty.has_value());
  CHECK((*empty)["added"] == 0);
  CHECK((*empty)["shards"][0].empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("store_buffer_in_checkpoints with Ape-X's replay shards: every shard is saved and restored, and training continues bit-identically") {
  const auto dir = std::filesystem::temp_directory_path() / "rlpp_test_apex_buffer_checkpoint";
  std::filesystem::remove_all(dir);
  const auto config = [](std::int64_t seed) {
    return Json{{"env", "CartPole-v1"},
                {"num_workers", 2},
                {"seed", seed},
                {"model", {{"fcnet_hiddens", {16}}}},
                {"hiddens", {16}},
                {"optimizer", {{"num_replay_buffer_shards", 2}, {"max_weight_sync_delay", 40}}},
                {"rollout_fragment_length", 20},
                {"train_batch_size", 16},
                {"buffer_size", 2000},
                {"learning_starts", 100},
                {"target_network_update_freq", 64},
                {"timesteps_per_iteration", 200},
                {"min_iter_time_s", 0},
                {"store_buffer_in_checkpoints", true}};
  };
  rlpp::apex::Trainer a(config(5));
  (void)a.train();
  const auto checkpoint = a.save(dir / "a");
  const Json saved = rlpp::read_checkpoint_state(checkpoint);
  const Json* buffer = saved_buffer(saved["plan"]);
  REQUIRE(buffer != nullptr);
  REQUIRE((*buffer)["shards"].size() == 2);
  std::int64_t stored = 0;
  for (const Json& shard : (*buffer)["shards"]) {
    CHECK(shard["default_policy"]["type"] == "PrioritizedReplayBuffer");
    stored += shard["default_policy"]["size"].get<std::int64_t>();
  }
  CHECK(stored == (*buffer)["added"].get<std::int64_t>());
  CHECK(stored >= 200);
  // Restored into a trainer of another seed, then saved again: the same state, shards included.
  rlpp::apex::Trainer b(config(9));
  b.restore(checkpoint);
  const Json resaved = rlpp::read_checkpoint_state(b.save(dir / "b"));
  CHECK(resaved["plan"] == saved["plan"]);
  CHECK(resaved["workers"] == saved["workers"]);
  // The plan state also holds the async ParallelRollouts' queue of sampled batches and its
  // first-pull weight sync, so the restored trainer continues bit-identically: same results,
  // same learner weights, same (lagging) worker weights.
  for (int i = 0; i < 2; ++i) {
    const Json ra = a.train(), rb = b.train();
    CHECK(rb["info"]["num_steps_trained"] == ra["info"]["num_steps_trained"]);
    CHECK(rb["episode_reward_mean"] == ra["episode_reward_mean"]);
    CHECK(rb["info"]["learner"]["default_policy"]["learner_stats"]["mean_q"] ==
          ra["info"]["learner"]["default_policy"]["learner_stats"]["mean_q"]);
  }
  CHECK(b.workers().local_worker().policy("default_policy").get_weights() ==
        a.workers().local_worker().policy("default_policy").get_weights());
  CHECK(rlpp::read_checkpoint_state(b.save(dir / "b2"))["workers"] == rlpp::read_checkpoint_state(a.save(dir / "a2"))["workers"]);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the same seed gives bit-identical DQN training") {
  const auto run = [](std::int64_t seed) {
    rlpp::dqn::Trainer trainer(trainer_config({{"seed", seed}, {"n_step", 2}}));
    Json last;
    for (int i = 0; i < 2; ++i) last = trainer.train();
    return std::make_pair(trainer.workers().local_worker().policy("default_policy").get_weights(),
                          last["info"]["learner"]["default_policy"]["learner_stats"]);
  };
  const auto a = run(4), b = run(4), c = run(5);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(a.first != c.first);
  // noisy nets draw their noise from a seeded stream too
  const auto noisy = [](std::int64_t seed) {
    rlpp::dqn::Trainer trainer(trainer_config({{"seed", seed}, {"noisy", true}}));
    trainer.train();
    return trainer.workers().local_worker().policy("default_policy").get_weights();
  };
  CHECK(noisy(4) == noisy(4));
}
