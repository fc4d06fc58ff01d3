#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "models/models_support.hpp"
#include "rlpp/models/fully_connected.hpp"
#include "rlpp/models/lstm_wrapper.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;
using Wrapper = LSTMWrapper<FullyConnectedNetwork>;

namespace {
Json lstm_config(bool prev_action = false, bool prev_reward = false) {
  return Json{{"fcnet_hiddens", {6}},       {"use_lstm", true},
              {"lstm_cell_size", 5},        {"lstm_use_prev_action", prev_action},
              {"lstm_use_prev_reward", prev_reward}};
}
}  // namespace

TEST_CASE("LSTMWrapper declares the trunk, the LSTM over features ++ prev action ++ prev reward, and two heads") {
  RandomStream rng(1);
  nn::Parameters params;
  const Wrapper model(make_context(box(4), Discrete(3), 3, rng,
                                   Json{{"fcnet_hiddens", {16}}, {"lstm_cell_size", 8}, {"lstm_use_prev_action", true},
                                        {"lstm_use_prev_reward", true}, {"vf_share_layers", false}}),
                      params);
  // 16 features + 3 (one-hot previous action) + 1 (previous reward) + 8 (h) rows.
  CHECK(test::layout(params) ==
        "model.fc_1.weight 4x16\nmodel.fc_1.bias 1x16\nmodel.lstm.weight 28x32\nmodel.lstm.bias 1x32\n"
        "model.logits.weight 8x3\nmodel.logits.bias 1x3\nmodel.value_out.weight 8x1\nmodel.value_out.bias 1x1\n");
  CHECK(model.num_outputs() == 3);
  CHECK(model.cell_size() == 8);
  CHECK((block(params, "model.logits.weight").colwise().norm().array() - 0.01f).abs().maxCoeff() < 1e-7f);
  CHECK((block(params, "model.value_out.weight").colwise().norm().array() - 0.01f).abs().maxCoeff() < 1e-7f);
  const auto state = model.initial_state();
  REQUIRE(state.size() == 2);
  CHECK(state[0].rows() == 1);
  CHECK(state[0].cols() == 8);
  CHECK(state[0].isZero());
  CHECK(state[1].isZero());

  SUBCASE("num_outputs 0: no logits head, the outputs are the LSTM's") {
    nn::Parameters trunk_params;
    const Wrapper trunk(make_context(box(4), Discrete(3), 0, rng, lstm_config()), trunk_params);
    CHECK(trunk_params.find("model.logits.weight") == nullptr);
    CHECK(trunk.num_outputs() == 5);
  }
  SUBCASE("MultiDiscrete previous actions are one-hot per component, Box ones are their values") {
    nn::Parameters md;
    const Wrapper a(make_context(box(4), MultiDiscrete({2, 3}), 5, rng, lstm_config(true)), md);
    CHECK(md.find("model.lstm.weight")->rows == 6 + 5 + 5);
    nn::Parameters bx;
    const Wrapper b(make_context(box(4), box(2), 4, rng, lstm_config(true)), bx);
    CHECK(bx.find("model.lstm.weight")->rows == 6 + 2 + 5);
  }
}

TEST_CASE("LSTMWrapper: T steps one at a time, carrying the state, equal one sequence of T steps") {
  RandomStream rng(2);
  nn::Parameters params;
  const Wrapper model(make_context(box(3), Discrete(2), 2, rng, lstm_config(true, true)), params);
  const Eigen::Index batch = 2, steps = 4;
  const ad::Matrix obs = test::random_matrix(batch * steps, 3, 3).cast<float>();
  ad::Matrix prev_actions(batch * steps, 1), prev_rewards(batch * steps, 1);
  for (Eigen::Index i = 0; i < batch * steps; ++i) {
    prev_actions(i, 0) = static_cast<float>(i % 2);
    prev_rewards(i, 0) = 0.5f * static_cast<float>(i % 3);
  }
  const std::vector<std::int64_t> seq_lens = {steps, steps};

  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(obs);
  in.prev_actions = tape.constant(prev_actions);
  in.prev_rewards = tape.constant(prev_rewards);
  in.seq_lens = seq_lens;
  const ModelOutput<float> whole = model.forward(p, in);
  REQUIRE(whole.outputs.rows() == batch * steps);
  REQUIRE(whole.state.size() == 2);
  CHECK(whole.state[0].rows() == batch);
  const ad::Matrix whole_outputs = whole.outputs.value();
  const ad::Matrix whole_values = model.value_function(p, whole).value();
  const ad::Matrix whole_h = whole.state[0].value(), whole_c = whole.state[1].value();

  // Inference: no seq_lens, each row its own sequence; the state of step t feeds step t+1.
  ad::Matrix h = ad::Matrix::Zero(batch, 5), c = ad::Matrix::Zero(batch, 5);
  for (Eigen::Index t = 0; t < steps; ++t) {
    ad::Matrix obs_t(batch, 3), a_t(batch, 1), r_t(batch, 1);
    for (Eigen::Index b = 0; b < batch; ++b) {
      obs_t.row(b) = obs.row(b * steps + t);
      a_t(b, 0) = prev_actions(b * steps + t, 0);
      r_t(b, 0) = prev_rewards(b * steps + t, 0);
    }
    tape.reset();
    const auto pt = nn::bind_frozen(tape, params);
    const ad::Var state[2] = {tape.constant(h), tape.constant(c)};
    ModelInput<float> step;
    step.obs = tape.constant(obs_t);
    step.prev_actions = tape.constant(a_t);
    step.prev_rewards = tape.constant(r_t);
    if (t > 0) step.state = state;  // t = 0: no state means zeros
    const ModelOutput<float> out = model.forward(pt, step);
    const ad::Matrix values = model.value_function(pt, out).value();
    for (Eigen::Index b = 0; b < batch; ++b) {
      CAPTURE(t);
      CAPTURE(b);
      CHECK(out.outputs.value().row(b).isApprox(whole_outputs.row(b * steps + t), 1e-5f));
      CHECK(values(b, 0) == doctest::Approx(whole_values(b * steps + t, 0)).epsilon(1e-5));
    }
    h = out.state[0].value();
    c = out.state[1].value();
  }
  CHECK(h.isApprox(whole_h, 1e-5f));
  CHECK(c.isApprox(whole_c, 1e-5f));

  SUBCASE("a sequence continued from a state equals the longer sequence") {
    // Steps 0-1 then 2-3 from the state after step 1.
    const auto half = [&](Eigen::Index from) {
      ad::Matrix o(batch * 2, 3), a(batch * 2, 1), r(batch * 2, 1);
      for (Eigen::Index b = 0; b < batch; ++b)
        for (Eigen::Index t = 0; t < 2; ++t) {
          o.row(b * 2 + t) = obs.row(b * steps + from + t);
          a(b * 2 + t, 0) = prev_actions(b * steps + from + t, 0);
          r(b * 2 + t, 0) = prev_rewards(b * steps + from + t, 0);
        }
      return std::tuple{o, a, r};
    };
    const std::vector<std::int64_t> two = {2, 2};
    const auto [o1, a1, r1] = half(0);
    tape.reset();
    auto p1 = nn::bind_frozen(tape, params);
    ModelInput<float> first;
    first.obs = tape.constant(o1);
    first.prev_actions = tape.constant(a1);
    first.prev_rewards = tape.constant(r1);
    first.seq_lens = two;
    const ModelOutput<float> out1 = model.forward(p1, first);
    const ad::Matrix h1 = out1.state[0].value(), c1 = out1.state[1].value();
    const auto [o2, a2, r2] = half(2);
    tape.reset();
    auto p2 = nn::bind_frozen(tape, params);
    const ad::Var state[2] = {tape.constant(h1), tape.constant(c1)};
    ModelInput<float> second;
    second.obs = tape.constant(o2);
    second.prev_actions = tape.constant(a2);
    second.prev_rewards = tape.constant(r2);
    second.seq_lens = two;
    second.state = state;
    const ModelOutput<float> out2 = model.forward(p2, second);
    for (Eigen::Index b = 0; b < batch; ++b)
      for (Eigen::Index t = 0; t < 2; ++t)
        CHECK(out2.outputs.value().row(b * 2 + t).isApprox(whole_outputs.row(b * steps + 2 + t), 1e-5f));
    CHECK(out2.state[0].value().isApprox(whole_h, 1e-5f));
  }
}

TEST_CASE("LSTMWrapper masks padded steps: they change neither the valid outputs nor the final state") {
  RandomStream rng(4);
  nn::Parameters params;
  const Wrapper model(make_context(box(3), Discrete(2), 2, rng, lstm_config()), params);
  const Eigen::Index batch = 2, steps = 4;
  ad::Matrix obs = test::random_matrix(batch * steps, 3, 5).cast<float>();
  const std::vector<std::int64_t> seq_lens = {4, 2};
  ad::Tape tape;
  const auto run = [&](const ad::Matrix& o) {
    tape.reset();
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(o);
    in.seq_lens = seq_lens;
    const ModelOutput<float> out = model.forward(p, in);
    return std::tuple{ad::Matrix(out.outputs.value()), ad::Matrix(out.value_input.value()),
                      ad::Matrix(out.state[0].value()), ad::Matrix(out.state[1].value())};
  };
  const auto [outputs, features, h, c] = run(obs);
  CHECK(features.row(1 * steps + 2).isZero());  // LSTM outputs are zero at padding
  CHECK(features.row(1 * steps + 3).isZero());
  obs.row(1 * steps + 2).setConstant(50.0f);  // garbage in the padding
  obs.row(1 * steps + 3).setConstant(-50.0f);
  const auto [outputs2, features2, h2, c2] = run(obs);
  CHECK(outputs2 == outputs);
  CHECK(h2 == h);
  CHECK(c2 == c);
  // The final state of sequence 1 is its state after step 1: a 2-step run agrees.
  ad::Matrix short_obs(2, 3);
  short_obs << obs.row(1 * steps + 0), obs.row(1 * steps + 1);
  tape.reset();
  const auto p = nn::bind_frozen(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(short_obs);
  const std::vector<std::int64_t> one = {2};
  in.seq_lens = one;
  const ModelOutput<float> out = model.forward(p, in);
  CHECK(out.state[0].value().row(0).isApprox(h.row(1), 1e-6f));
  CHECK(out.outputs.value().row(1).isApprox(outputs.row(1 * steps + 1), 1e-6f));
}

TEST_CASE("LSTMWrapper feeds the previous action (one-hot) and reward after the features") {
  RandomStream rng(6);
  nn::Parameters params;
  const Wrapper model(make_context(box(3), Discrete(3), 2, rng, lstm_config(true, true)), params);
  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);
  const ad::Matrix obs = test::random_matrix(2, 3, 7).cast<float>();
  const auto run = [&](const ad::Matrix& a, const ad::Matrix& r) {
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    in.prev_actions = tape.constant(a);
    in.prev_rewards = tape.constant(r);
    return ad::Matrix(model.forward(p, in).outputs.value());
  };
  const ad::Matrix base = run(ad::Matrix{{0.0f}, {2.0f}}, ad::Matrix{{1.0f}, {0.0f}});
  CHECK(run(ad::Matrix{{1.0f}, {2.0f}}, ad::Matrix{{1.0f}, {0.0f}}).row(0) != base.row(0));
  CHECK(run(ad::Matrix{{1.0f}, {2.0f}}, ad::Matrix{{1.0f}, {0.0f}}).row(1) == base.row(1));
  CHECK(run(ad::Matrix{{0.0f}, {2.0f}}, ad::Matrix{{1.0f}, {-3.0f}}).row(1) != base.row(1));

  // By hand: the LSTM cell over [trunk(obs), one_hot(a, 3), r] from zeros, then the logits layer.
  const std::vector<std::int64_t> actions = {0, 2};
  ModelInput<float> trunk_in;
  trunk_in.obs = tape.constant(obs);
  const ad::Var features = model.inner().forward(p, trunk_in).outputs;
  const ad::Var x = ad::concat(ad::concat(features, ad::one_hot(tape, std::span<const std::int64_t>(actions), 3)),
                               tape.constant(ad::Matrix{{1.0f}, {0.0f}}));
  const ad::Var zeros = tape.constant(ad::Matrix::Zero(2, 5));
  const auto state = model.lstm().cell().forward(p, x, zeros, zeros);
  const ad::Var logits = ad::linear(state.h, p(static_cast<std::size_t>(params.find("model.logits.weight") - params.blocks().data())),
                                    p(static_cast<std::size_t>(params.find("model.logits.bias") - params.blocks().data())));
  CHECK(ad::Matrix(logits.value()).isApprox(base, 1e-6f));
}

TEST_CASE("LSTMWrapper passes gradcheck w.r.t. observations and parameters, with state and padding") {
  RandomStream rng(8);
  for (const bool discrete : {true, false}) {
    CAPTURE(discrete);
    nn::Parameters params;
    const Space actions = discrete ? Space(Discrete(3)) : box(2);
    const Wrapper model(make_context(box(3), actions, 3, rng,
                                     Json{{"fcnet_hiddens", {4}}, {"lstm_cell_size", 3}, {"lstm_use_prev_action", true},
                                          {"lstm_use_prev_reward", true}}),
                        params);
    test::fill_parameters(params, 9);
    const std::vector<std::int64_t> seq_lens = {3, 1};
    const ad::MatrixD h0 = test::random_matrix(2, 3, 10), c0 = test::random_matrix(2, 3, 11);
    ad::MatrixD prev_a = discrete ? ad::MatrixD{{0}, {2}, {1}, {1}, {0}, {0}} : test::random_matrix(6, 2, 12);
    const ad::MatrixD prev_r = test::random_matrix(6, 1, 13);
    test::check_layer_gradients(params, test::random_matrix(6, 3, 14), [&](auto& p, auto x) {
      using T = typename std::remove_cvref_t<decltype(p)>::scalar_type;
      ad::BasicTape<T>& tape = x.tape();
      const ad::BasicVar<T> state[2] = {tape.constant(h0), tape.constant(c0)};
      ModelInput<T> in;
      in.obs = x;
      in.prev_actions = tape.constant(prev_a);
      in.prev_rewards = tape.constant(prev_r);
      in.state = state;
      in.seq_lens = seq_lens;
      const ModelOutput<T> out = model.forward(p, in);
      return ad::concat(out.outputs, model.value_function(p, out));
    });
  }
}

TEST_CASE("LSTMWrapper reports missing inputs and unsupported layouts") {
  RandomStream rng(9);
  nn::Parameters bad;
  CHECK_THROWS_WITH_AS(Wrapper(make_context(box(3), Discrete(2), 2, rng, Json{{"_time_major", true}}), bad),
                       "config.model._time_major: time-major inputs are not supported (rows are batch-major: row b*T "
                       "+ t is step t of sequence b)",
                       ConfigError);
  nn::Parameters params;
  const Wrapper model(make_context(box(3), Discrete(2), 2, rng, lstm_config(true, true)), params);
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(ad::Matrix::Zero(2, 3));
  CHECK_THROWS_WITH_AS(model.forward(p, in),
                       "LSTMWrapper 'model': lstm_use_prev_action is set but ModelInput::prev_actions is missing (pass "
                       "the previous actions [rows, action flat size])",
                       Error);
  in.prev_actions = tape.constant(ad::Matrix::Zero(2, 2));
  CHECK_THROWS_WITH_AS(model.forward(p, in),
                       "LSTMWrapper 'model': expects prev_actions of shape 2x1 (the action space's flat size), got 2x2",
                       Error);
  in.prev_actions = tape.constant(ad::Matrix::Zero(2, 1));
  CHECK_THROWS_WITH_AS(model.forward(p, in),
                       "LSTMWrapper 'model': lstm_use_prev_reward is set but ModelInput::prev_rewards is missing (pass "
                       "the previous rewards [rows, 1])",
                       Error);
  in.prev_rewards = tape.constant(ad::Matrix::Zero(2, 1));
  const ad::Var one[1] = {tape.constant(ad::Matrix::Zero(2, 5))};
  in.state = one;
  CHECK_THROWS_WITH_AS(model.forward(p, in), "LSTMWrapper 'model': expects the state {h, c} (2 tensors), got 1", Error);
  in.state = {};
  in.prev_actions = tape.constant(ad::Matrix::Constant(2, 1, 5.0f));  // not an action of Discrete(2)
  CHECK_THROWS_AS(model.forward(p, in), SpaceError);
}
