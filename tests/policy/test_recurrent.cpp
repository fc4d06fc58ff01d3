#include <doctest/doctest.h>

#include <cmath>

#include "policy/policy_support.hpp"
#include "rlpp/policy/sequences.hpp"

#include <xtensor/xtensor.hpp>

using namespace rlpp;

namespace {
// Supervised through the policy gradient: only the last step's action is rewarded.
struct MaskedPGLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto dist = c.action_dist();
    return -c.reduce_mean_valid(dist.logp(c[cols::actions]) * c[cols::advantages]);
  }
};
using RecurrentPolicy = build_policy<"RecurrentPolicy", loss<MaskedPGLoss>>;

Json lstm_config(int max_seq_len = 20) {
  return Json{{"model",
               {{"fcnet_hiddens", {16}}, {"use_lstm", true}, {"lstm_cell_size", 16}, {"max_seq_len", max_seq_len}}},
              {"seed", 3},
              {"lr", 0.01}};
}

// Two episodes of three steps: a cue (+1 or -1) in the first observation, zeros after; the
// action rewarded at the last step is 1 after a +1 cue, 0 after a -1 cue. Without memory the
// last step's observation cannot tell them apart.
SampleBatch memory_batch(std::size_t cell) {
  const std::size_t n = 6;
  xt::xarray<float> obs = xt::zeros<float>({n, std::size_t{4}});
  obs(0, 0) = 1.0f;
  obs(3, 0) = -1.0f;
  SampleBatch b;
  b.set(cols::obs, obs);
  b.set(cols::actions.name, Column(xt::xarray<std::int64_t>{0, 0, 1, 0, 0, 0}));
  b.set(cols::advantages, xt::xarray<float>{0, 0, 1, 0, 0, 1});
  b.set(cols::eps_id, xt::xarray<std::int64_t>{1, 1, 1, 2, 2, 2});
  b.set(state_in_column(0), xt::xarray<float>(xt::zeros<float>({n, cell})));
  b.set(state_in_column(1), xt::xarray<float>(xt::zeros<float>({n, cell})));
  return b;
}

// Probability of action 1 at the third step of an episode with the given cue, stepping the
// policy one observation at a time and carrying its state.
float p_action_1_at_last_step(RecurrentPolicy& policy, float cue) {
  std::vector<nn::Matrix> state = policy.get_initial_state();
  nn::Matrix obs = nn::Matrix::Zero(1, 4);
  for (int t = 0; t < 3; ++t) {
    obs(0, 0) = t == 0 ? cue : 0.0f;
    const auto& out = policy.compute_actions(obs, state, false);
    if (t == 2) return 1.0f / (1.0f + std::exp(out.action_dist_inputs(0, 0) - out.action_dist_inputs(0, 1)));
    state = out.state_out;
  }
  return 0.0f;
}
}  // namespace

TEST_CASE("pad_batch_to_sequences chops at episodes and max_seq_len, pads, and takes each sequence's first state") {
  SampleBatch b;
  b.set(cols::obs, xt::xarray<float>(xt::xtensor<float, 2>{{1.0f}, {2.0f}, {3.0f}, {4.0f}, {5.0f}}));
  b.set(cols::eps_id, xt::xarray<std::int64_t>{7, 7, 7, 8, 8});
  b.set(state_in_column(0), xt::xarray<float>(xt::xtensor<float, 2>{{10.0f}, {20.0f}, {30.0f}, {40.0f}, {50.0f}}));
  const PaddedSequences p = pad_batch_to_sequences(b, 2, 1);
  // episode 7: [1,2] [3]; episode 8: [4,5]
  CHECK(p.seq_lens == std::vector<std::int64_t>{2, 1, 2});
  CHECK(p.max_len == 2);
  REQUIRE(p.batch.count() == 6);
  const auto obs = p.batch.matrix(cols::obs);
  CHECK(obs(0, 0) == 1.0f);
  CHECK(obs(1, 0) == 2.0f);
  CHECK(obs(2, 0) == 3.0f);
  CHECK(obs(3, 0) == 0.0f);  // padding
  CHECK(obs(4, 0) == 4.0f);
  CHECK(p.mask == std::vector<float>{1, 1, 1, 0, 1, 1});
  REQUIRE(p.state_in.size() == 1);
  CHECK(p.state_in[0](0, 0) == 10.0f);
  CHECK(p.state_in[0](1, 0) == 30.0f);
  CHECK(p.state_in[0](2, 0) == 40.0f);
  CHECK_FALSE(p.batch.contains(state_in_column(0)));
  CHECK_THROWS_WITH_AS(pad_batch_to_sequences(b, 2, 2), doctest::Contains("state_in_1"), Error);
}

TEST_CASE("a recurrent policy carries state through compute_actions") {
  RecurrentPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), lstm_config());
  REQUIRE(policy.is_recurrent());
  REQUIRE(policy.num_state_tensors() == 2);
  CHECK(policy.get_initial_state()[0].cols() == 16);
  nn::Matrix obs = nn::Matrix::Constant(3, 4, 0.5f);
  std::vector<nn::Matrix> state(2, nn::Matrix::Zero(3, 16));
  const auto& first = policy.compute_actions(obs, state, false);
  REQUIRE(first.state_out.size() == 2);
  CHECK(first.state_out[0].rows() == 3);
  CHECK(first.state_out[0].norm() > 0.0f);
  const nn::Matrix logits_first = first.action_dist_inputs;
  const std::vector<nn::Matrix> next = first.state_out;
  const auto& second = policy.compute_actions(obs, next, false);
  CHECK(second.action_dist_inputs != logits_first);  // same observation, different state
  CHECK_THROWS_WITH_AS(policy.compute_actions(obs), doctest::Contains("state tensors"), Error);
}

TEST_CASE("a recurrent policy learns a task that needs memory") {
  RecurrentPolicy policy(test::cartpole_observation_space(), test::cartpole_action_space(), lstm_config());
  const SampleBatch batch = memory_batch(16);
  for (int i = 0; i < 150; ++i) policy.learn_on_batch(batch);
  CHECK(p_action_1_at_last_step(policy, 1.0f) > 0.9f);
  CHECK(p_action_1_at_last_step(policy, -1.0f) < 0.1f);
}
