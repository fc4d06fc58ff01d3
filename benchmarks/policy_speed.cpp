// Policy overhead: compute_actions (one batched forward, Categorical sampling through the
// run-time catalog distribution and exploration, logp/prob/dist-input outputs) and
// learn_on_batch (policy-gradient loss, minibatch SGD with Adam) for CartPole's spaces and a
// 64-64 tanh network, next to the bare network forward on the same tape machinery, so the ratio
// shows what the policy adds. Single thread.
//
//   build/release/benchmarks/policy_speed
#include <benchmark/benchmark.h>

#include <xtensor/xarray.hpp>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/policy/policy.hpp"
#include "rlpp/policy/postprocessors.hpp"

namespace {

struct PGLoss {
  template <class Ctx>
  rlpp::ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -rlpp::ad::mean(dist.logp(c[rlpp::cols::actions]) * c[rlpp::cols::advantages]);
  }
};
using PGPolicy = rlpp::build_policy<"PGPolicy", rlpp::loss<PGLoss>>;

rlpp::Json config(int minibatch, int epochs) {
  return {{"model", {{"fcnet_hiddens", {64, 64}}}},
          {"seed", 1},
          {"lr", 0.0003},
          {"sgd_minibatch_size", minibatch},
          {"num_sgd_iter", epochs}};
}

rlpp::nn::Matrix observations(std::size_t rows) {
  rlpp::RandomStream rng(3);
  rlpp::nn::Matrix obs(static_cast<Eigen::Index>(rows), 4);
  for (Eigen::Index i = 0; i < obs.size(); ++i) obs.data()[i] = static_cast<float>(rng.uniform(-0.1, 0.1));
  return obs;
}

rlpp::SampleBatch train_batch(std::size_t rows) {
  const rlpp::nn::Matrix obs = observations(rows);
  xt::xarray<float> obs_column = xt::zeros<float>({rows, std::size_t{4}});
  std::copy_n(obs.data(), obs.size(), obs_column.data());
  xt::xarray<std::int64_t> actions = xt::zeros<std::int64_t>({rows});
  xt::xarray<float> advantages = xt::zeros<float>({rows});
  rlpp::RandomStream rng(5);
  for (std::size_t i = 0; i < rows; ++i) {
    actions(i) = static_cast<std::int64_t>(rng.below(2));
    advantages(i) = static_cast<float>(rng.normal());
  }
  rlpp::SampleBatch batch;
  batch.set(rlpp::cols::obs, obs_column);
  batch.set(rlpp::cols::actions.name, rlpp::Column(actions));
  batch.set(rlpp::cols::advantages, advantages);
  return batch;
}

void BM_compute_actions(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  PGPolicy policy(rlpp::Space(rlpp::Box(-10.0, 10.0, {4})), rlpp::Space(rlpp::Discrete(2)), config(0, 1));
  const rlpp::nn::Matrix obs = observations(rows);
  for (auto _ : state) benchmark::DoNotOptimize(policy.compute_actions(obs).actions.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_compute_actions)->Arg(1)->Arg(64)->Arg(4096);

// The floor: the same 4-64-64-2 network's forward on a frozen binding, nothing else.
void BM_bare_forward(benchmark::State& state) {
  const auto rows = static_cast<Eigen::Index>(state.range(0));
  rlpp::nn::Parameters params;
  rlpp::RandomStream rng(1);
  rlpp::nn::MLP mlp(params, "m", 4, {64, 64}, 2, rlpp::nn::Activation(rlpp::nn::Activation::Kind::tanh), rng);
  rlpp::ad::Tape tape;
  const rlpp::nn::Matrix obs = observations(static_cast<std::size_t>(rows));
  for (auto _ : state) {
    tape.reset();
    const auto p = rlpp::nn::bind_frozen(tape, params);
    benchmark::DoNotOptimize(mlp.forward(p, tape.input(obs.data(), rows, 4)).value().data());
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_bare_forward)->Arg(1)->Arg(64)->Arg(4096);

// PPO-shaped learning: 512 rows, 4 epochs of minibatches of 128 (16 Adam steps per call).
void BM_learn_on_batch(benchmark::State& state) {
  PGPolicy policy(rlpp::Space(rlpp::Box(-10.0, 10.0, {4})), rlpp::Space(rlpp::Discrete(2)), config(128, 4));
  const rlpp::SampleBatch batch = train_batch(512);
  for (auto _ : state) benchmark::DoNotOptimize(policy.learn_on_batch(batch));
  state.SetItemsProcessed(state.iterations() * 512 * 4);
}
BENCHMARK(BM_learn_on_batch);

}  // namespace

BENCHMARK_MAIN();
