#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "models/models_support.hpp"
#include "rlpp/models/catalog_model.hpp"
#include "rlpp/models/deterministic_actor.hpp"
#include "rlpp/models/fully_connected.hpp"
#include "rlpp/models/lstm_wrapper.hpp"
#include "rlpp/models/q_model.hpp"
#include "rlpp/models/twin_q.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using rlpp::test::box;
using rlpp::test::make_context;

namespace {
// Runs `step` twice to warm the tape, then checks a third run allocates nothing.
template <class Step>
void check_warm_step_allocates_nothing(Step step) {
  step();
  step();
  CHECK(rlpp::test::count_allocations(step) == 0);
}
}  // namespace

TEST_CASE("warm forward, value and backward passes on a reused tape allocate nothing") {
  RandomStream rng(1);
  const Eigen::Index batch = 16;
  const ad::Matrix obs = test::random_matrix(batch, 4, 2).cast<float>();
  ad::Tape tape;

  SUBCASE("FullyConnectedNetwork (separate value tower, free_log_std)") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(4), box(2), 4, rng, Json{{"vf_share_layers", false}, {"free_log_std", true}}), params);
    const auto p = nn::bind(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      const ModelOutput<float> out = net.forward(p, in);
      tape.backward(ad::mean(ad::square(out.outputs)) + ad::mean(net.value_function(p, out)));
    });
  }
  SUBCASE("QModel (dueling, distributional)") {
    nn::Parameters params;
    const QModel q(make_context(box(4), Discrete(3), 3, rng, Json{{"fcnet_hiddens", {32}}},
                                Json{{"hiddens", {16}}, {"num_atoms", 11}}),
                   params);
    const auto p = nn::bind(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      const QDistribution<float> d = q.q_value_distributions(p, in);
      tape.backward(ad::mean(d.q_values) + ad::mean(ad::log(d.probabilities)));
    });
  }
  SUBCASE("TwinQ and DeterministicActor (a DDPG actor loss: -Q(s, pi(s)))") {
    nn::Parameters params;
    ModelContext actor_ctx = make_context(box(4), box(2), 2, rng, Json::object(), Json{{"actor_hiddens", {32, 32}}});
    actor_ctx.name = "policy_model";
    const DeterministicActor actor(actor_ctx, params);
    const TwinQ critic(make_context(box(4), box(2), 0, rng, Json::object(),
                                    Json{{"critic_hiddens", {32, 32}}, {"twin_q", true}}, "q_model"),
                       params);
    const auto p = nn::bind(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      const ad::Var actions = actor.forward(p, in).outputs;
      tape.backward(-ad::mean(critic.min_q(p, in.obs, actions)) + ad::mean(critic.q2(p, in.obs, actions)));
    });
  }
  SUBCASE("LSTMWrapper: training over padded sequences and one-step inference") {
    nn::Parameters params;
    const LSTMWrapper<FullyConnectedNetwork> model(
        make_context(box(4), Discrete(3), 3, rng,
                     Json{{"fcnet_hiddens", {16}}, {"lstm_cell_size", 8}, {"lstm_use_prev_action", true},
                          {"lstm_use_prev_reward", true}}),
        params);
    const std::vector<std::int64_t> seq_lens = {4, 3, 2, 1};
    ad::Matrix actions(batch, 1), rewards(batch, 1);
    for (Eigen::Index i = 0; i < batch; ++i) {
      actions(i, 0) = static_cast<float>(i % 3);
      rewards(i, 0) = 0.1f * static_cast<float>(i);
    }
    const ad::Matrix h0 = ad::Matrix::Zero(4, 8);
    const auto p = nn::bind(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      const ad::Var state[2] = {tape.input(h0.data(), 4, 8), tape.input(h0.data(), 4, 8)};
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      in.prev_actions = tape.input(actions.data(), batch, 1);
      in.prev_rewards = tape.input(rewards.data(), batch, 1);
      in.state = state;
      in.seq_lens = seq_lens;
      const ModelOutput<float> out = model.forward(p, in);
      tape.backward(ad::mean(ad::square(out.outputs)) + ad::mean(model.value_function(p, out)));
    });
    const auto frozen = nn::bind_frozen(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      in.prev_actions = tape.input(actions.data(), batch, 1);
      in.prev_rewards = tape.input(rewards.data(), batch, 1);
      const ModelOutput<float> out = model.forward(frozen, in);
      (void)model.value_function(frozen, out);
    });
  }
  SUBCASE("CatalogModel") {
    nn::Parameters params;
    const CatalogModel model(make_context(box(4), Discrete(2), 2, rng), params);
    const auto p = nn::bind(tape, params);
    check_warm_step_allocates_nothing([&] {
      tape.reset();
      ModelInput<float> in;
      in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
      const ModelOutput<float> out = model.forward(p, in);
      tape.backward(ad::mean(out.outputs) + ad::mean(model.value_function(p, out)));
    });
  }
}
