#include <doctest/doctest.h>

#include "models/models_support.hpp"
#include "rlpp/models/twin_q.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;

TEST_CASE("TwinQ reads SAC's Q_model or DDPG/TD3's critic_hiddens") {
  RandomStream rng(1);
  SUBCASE("SAC: Q_model {fcnet_hiddens, fcnet_activation}, twin_q true by default") {
    nn::Parameters params;
    const TwinQ q(make_context(box(3), box(2), 0, rng, Json::object(),
                               Json{{"Q_model", {{"fcnet_hiddens", {16, 8}}, {"fcnet_activation", "relu"}}}}, "q_model"),
                  params);
    CHECK(test::layout(params) ==
          "q_model.q.fc_1.weight 5x16\nq_model.q.fc_1.bias 1x16\nq_model.q.fc_2.weight 16x8\nq_model.q.fc_2.bias 1x8\n"
          "q_model.q.fc_out.weight 8x1\nq_model.q.fc_out.bias 1x1\n"
          "q_model.twin_q.fc_1.weight 5x16\nq_model.twin_q.fc_1.bias 1x16\n"
          "q_model.twin_q.fc_2.weight 16x8\nq_model.twin_q.fc_2.bias 1x8\n"
          "q_model.twin_q.fc_out.weight 8x1\nq_model.twin_q.fc_out.bias 1x1\n");
    CHECK(q.twin_q());
    CHECK(q.q_outputs() == 1);
    CHECK(q.q_network().activation().name() == "relu");
    // SAC's critics are RLlib FullyConnectedNetworks: normc(0.01) output.
    CHECK((block(params, "q_model.q.fc_out.weight").colwise().norm().array() - 0.01f).abs().maxCoeff() < 1e-7f);
  }
  SUBCASE("SAC discrete: Q(s) has one value per action, twin_q false") {
    nn::Parameters params;
    const TwinQ q(make_context(box(4), Discrete(3), 0, rng, Json::object(),
                               Json{{"twin_q", false}, {"Q_model", {{"fcnet_hiddens", {8}}}}}),
                  params);
    CHECK(test::layout(params) ==
          "model.q.fc_1.weight 4x8\nmodel.q.fc_1.bias 1x8\nmodel.q.fc_out.weight 8x3\nmodel.q.fc_out.bias 1x3\n");
    CHECK_FALSE(q.twin_q());
    CHECK(q.discrete());
    CHECK(q.q_outputs() == 3);
  }
  SUBCASE("SAC defaults when Q_model is absent: [256, 256] relu") {
    nn::Parameters params;
    const TwinQ q(make_context(box(1), box(1), 0, rng), params);
    CHECK(params.find("model.q.fc_2.weight")->rows == 256);
    CHECK(q.twin_q());
  }
  SUBCASE("TD3: critic_hiddens, critic_hidden_activation, twin_q; Xavier-uniform weights") {
    nn::Parameters params;
    const TwinQ q(make_context(box(3), box(1), 0, rng, Json::object(),
                               Json{{"critic_hiddens", {64, 64}}, {"critic_hidden_activation", "tanh"}, {"twin_q", true}}),
                  params);
    CHECK(params.find("model.q.fc_1.weight")->rows == 4);
    CHECK(params.find("model.twin_q.fc_2.weight")->cols == 64);
    CHECK(q.q_network().activation().name() == "tanh");
    const double bound = std::sqrt(6.0 / (64 + 1));  // Xavier uniform of fc_out (64 -> 1)
    CHECK(block(params, "model.q.fc_out.weight").cwiseAbs().maxCoeff() <= bound);
    CHECK(block(params, "model.q.fc_out.weight").cwiseAbs().maxCoeff() > 0.1 * bound);
  }
  SUBCASE("DDPG: twin_q defaults to false, critic_hiddens to [400, 300]") {
    nn::Parameters params;
    const TwinQ q(make_context(box(3), box(1), 0, rng, Json::object(), Json{{"critic_hiddens", {400, 300}}}), params);
    CHECK_FALSE(q.twin_q());
    const CriticOptions defaults = CriticOptions::ddpg(Config(Json::object()));
    CHECK(defaults.hiddens == std::vector<std::size_t>{400, 300});
  }
}

TEST_CASE("TwinQ's two critics are independent networks and min_q takes the smaller") {
  RandomStream rng(2);
  nn::Parameters params;
  const TwinQ q(make_context(box(2), box(1), 0, rng, Json::object(), Json{{"Q_model", {{"fcnet_hiddens", {4}}}}}),
                params);
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  const ad::Var obs = tape.constant(test::random_matrix(6, 2, 3).cast<float>());
  const ad::Var actions = tape.constant(test::random_matrix(6, 1, 4).cast<float>());
  const ad::Var q1 = q.q1(p, obs, actions), q2 = q.q2(p, obs, actions), low = q.min_q(p, obs, actions);
  REQUIRE(q1.rows() == 6);
  REQUIRE(q1.cols() == 1);
  CHECK(q1.value() != q2.value());  // different initial weights
  for (Eigen::Index r = 0; r < 6; ++r) CHECK(low.value()(r, 0) == std::min(q1.value()(r, 0), q2.value()(r, 0)));
  // The loss of Q1 reaches only the q blocks, Q2's only the twin_q blocks.
  params.zero_grad();
  tape.backward(ad::sum(q1));
  for (std::size_t k = 0; k < params.blocks().size(); ++k) {
    const bool first = params.blocks()[k].name.starts_with("model.q.");
    CAPTURE(params.blocks()[k].name);
    if (first && params.blocks()[k].name.find("weight") != std::string::npos) CHECK_FALSE(params.grad(k).isZero());
    if (!first) CHECK(params.grad(k).isZero());
  }
  // Q depends on the action.
  tape.reset();
  const auto p2 = nn::bind_frozen(tape, params);
  const ad::Var obs2 = tape.constant(test::random_matrix(6, 2, 3).cast<float>());
  const ad::Var q_a = q.q1(p2, obs2, tape.constant(ad::Matrix::Constant(6, 1, -0.5f)));
  const ad::Var q_b = q.q1(p2, obs2, tape.constant(ad::Matrix::Constant(6, 1, 0.5f)));
  CHECK(q_a.value() != q_b.value());
}

TEST_CASE("TwinQ passes gradcheck w.r.t. observations, actions and parameters") {
  RandomStream rng(3);
  SUBCASE("Box actions") {
    nn::Parameters params;
    const TwinQ q(make_context(box(2), box(2), 0, rng, Json::object(), Json{{"Q_model", {{"fcnet_hiddens", {5, 3}}}}}),
                  params);
    test::fill_parameters(params, 4);
    // Gradients w.r.t. the actions too (what DDPG's and SAC's actor losses use): obs ++ actions as one input.
    test::check_layer_gradients(params, test::random_matrix(4, 4, 6), [&](auto& p, auto x) {
      const auto obs = ad::columns(x, 0, 2), a = ad::columns(x, 2, 2);
      return ad::concat(ad::concat(q.q1(p, obs, a), q.q2(p, obs, a)), q.min_q(p, obs, a));
    });
  }
  SUBCASE("Discrete actions") {
    nn::Parameters params;
    const TwinQ q(make_context(box(3), Discrete(4), 0, rng, Json::object(), Json{{"Q_model", {{"fcnet_hiddens", {5}}}}}),
                  params);
    test::fill_parameters(params, 7);
    test::check_layer_gradients(params, test::random_matrix(3, 3, 8),
                                [&](auto& p, auto x) { return ad::concat(q.q1(p, x), q.q2(p, x)); });
  }
}

TEST_CASE("TwinQ reports misuse") {
  RandomStream rng(4);
  nn::Parameters params;
  CHECK_THROWS_WITH_AS(TwinQ(make_context(box(2), box(1), 0, rng, Json::object(),
                                          Json{{"Q_model", {{"fcnet_hidden", {8}}}}}),
                             params),
                       "config.Q_model.fcnet_hidden: unknown Q_model key (did you mean 'fcnet_hiddens'?)", ConfigError);
  CHECK_THROWS_AS(TwinQ(make_context(box(2), box(1), 0, rng, Json::object(),
                                     Json{{"Q_model", Json::object()}, {"critic_hiddens", {8}}}),
                        params),
                  ConfigError);
  CHECK_THROWS_AS(TwinQ(make_context(box(2), MultiDiscrete({2, 3}), 0, rng), params), SpaceError);

  nn::Parameters ok;
  const TwinQ box_q(make_context(box(2), box(1), 0, rng, Json::object(),
                                 Json{{"twin_q", false}, {"Q_model", {{"fcnet_hiddens", {4}}}}}),
                    ok);
  ad::Tape tape;
  const auto p = nn::bind(tape, ok);
  const ad::Var obs = tape.constant(ad::Matrix::Zero(3, 2));
  CHECK_THROWS_WITH_AS(box_q.q1(p, obs), "TwinQ 'model': a critic over Box actions needs the actions (pass actions "
                                         "[rows, action size])",
                       Error);
  CHECK_THROWS_WITH_AS(box_q.q1(p, obs, tape.constant(ad::Matrix::Zero(3, 2))),
                       "TwinQ 'model': expects actions of shape 3x1, got 3x2", Error);
  CHECK_THROWS_WITH_AS(box_q.q2(p, obs, tape.constant(ad::Matrix::Zero(3, 1))),
                       "TwinQ 'model': was built without twin_q: there is no q2 (set twin_q to true)", Error);
  // min_q without a twin is Q1.
  const ad::Var a = tape.constant(ad::Matrix::Zero(3, 1));
  CHECK(box_q.min_q(p, obs, a).value() == box_q.q1(p, obs, a).value());
  // The model concept's forward passes the observations through; there is no value head.
  ModelInput<float> in;
  in.obs = obs;
  const ModelOutput<float> out = box_q.forward(p, in);
  CHECK(out.outputs.index() == obs.index());
  CHECK(box_q.num_outputs() == 2);
  CHECK_THROWS_WITH_AS(box_q.value_function(p, out),
                       "TwinQ 'model': a critic has no state-value head (use q1, q2 or min_q)", Error);
}
