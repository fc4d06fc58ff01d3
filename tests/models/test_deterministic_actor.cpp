#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "models/models_support.hpp"
#include "rlpp/models/deterministic_actor.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;

TEST_CASE("DeterministicActor reads actor_hiddens and actor_hidden_activation") {
  RandomStream rng(1);
  nn::Parameters params;
  const DeterministicActor actor(
      make_context(box(3), Box(std::vector<double>{-2.0, 0.0}, std::vector<double>{2.0, 1.0}), 2, rng, Json::object(),
                   Json{{"actor_hiddens", {64, 64}}, {"actor_hidden_activation", "relu"}}, "policy_model"),
      params);
  CHECK(test::layout(params) ==
        "policy_model.fc_1.weight 3x64\npolicy_model.fc_1.bias 1x64\npolicy_model.fc_2.weight 64x64\n"
        "policy_model.fc_2.bias 1x64\npolicy_model.fc_out.weight 64x2\npolicy_model.fc_out.bias 1x2\n");
  CHECK(actor.num_outputs() == 2);
  CHECK(actor.network().activation().name() == "relu");
  const ActorOptions defaults = ActorOptions::from_policy_config(Config(Json::object()));
  CHECK(defaults.hiddens == std::vector<std::size_t>{400, 300});
  CHECK(defaults.activation.name() == "relu");
}

TEST_CASE("DeterministicActor squashes into the Box bounds: low + (tanh(x) + 1) / 2 * (high - low)") {
  RandomStream rng(2);
  nn::Parameters params;
  const Space actions = Box(std::vector<double>{-2.0, 0.0}, std::vector<double>{2.0, 1.0});
  const DeterministicActor actor(
      make_context(box(1), actions, 0, rng, Json::object(), Json{{"actor_hiddens", Json::array()}}), params);
  // x = obs * [1, -3] + [0, 0.5]
  block(params, "model.fc_out.weight") << 1.0f, -3.0f;
  block(params, "model.fc_out.bias") << 0.0f, 0.5f;
  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(ad::Matrix{{0.5f}, {-100.0f}, {100.0f}});
  const ad::Var a = actor.forward(p, in).outputs;
  CHECK(a.value()(0, 0) == doctest::Approx(-2.0 + (std::tanh(0.5) + 1) / 2 * 4.0));
  CHECK(a.value()(0, 1) == doctest::Approx(0.0 + (std::tanh(-1.0) + 1) / 2 * 1.0));
  CHECK(a.value()(1, 0) == doctest::Approx(-2.0));  // saturated at low
  CHECK(a.value()(1, 1) == doctest::Approx(1.0));   // saturated at high
  CHECK(a.value()(2, 0) == doctest::Approx(2.0));
  CHECK(a.value()(2, 1) == doctest::Approx(0.0));

  SUBCASE("random networks and observations stay within the bounds") {
    RandomStream init(3);
    nn::Parameters big;
    const DeterministicActor wide(make_context(box(4), actions, 2, init, Json::object(), Json{{"actor_hiddens", {32}}}),
                                  big);
    test::fill_parameters(big, 4, 3.0);
    tape.reset();
    const auto pb = nn::bind_frozen(tape, big);
    ModelInput<float> many;
    many.obs = tape.constant(test::random_matrix(200, 4, 5, 10.0).cast<float>());
    const auto v = wide.forward(pb, many).outputs.value();
    CHECK(v.col(0).minCoeff() >= -2.0f);
    CHECK(v.col(0).maxCoeff() <= 2.0f);
    CHECK(v.col(1).minCoeff() >= 0.0f);
    CHECK(v.col(1).maxCoeff() <= 1.0f);
  }
}

TEST_CASE("DeterministicActor passes gradcheck w.r.t. observations and parameters") {
  RandomStream rng(4);
  nn::Parameters params;
  const DeterministicActor actor(make_context(box(3), Box(-1.5, 0.5, {2}), 2, rng, Json::object(),
                                              Json{{"actor_hiddens", {4}}, {"actor_hidden_activation", "tanh"}}),
                                 params);
  test::fill_parameters(params, 5);
  test::check_layer_gradients(params, test::random_matrix(4, 3, 6), [&](auto& p, auto x) {
    using T = typename std::remove_cvref_t<decltype(p)>::scalar_type;
    ModelInput<T> in;
    in.obs = x;
    return actor.forward(p, in).outputs;
  });
}

TEST_CASE("DeterministicActor rejects unbounded and discrete action spaces") {
  RandomStream rng(5);
  nn::Parameters params;
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(DeterministicActor(make_context(box(3), Box(-inf, inf, {1}), 0, rng), params),
                       "DeterministicActor 'model': a deterministic actor squashes into the action bounds, but "
                       "Box(-inf, inf, (1,), float32) is unbounded (give the Box finite low and high (e.g. wrap the env "
                       "with RescaleAction))",
                       SpaceError);
  CHECK_THROWS_AS(DeterministicActor(make_context(box(3), Discrete(2), 0, rng), params), SpaceError);
  CHECK_THROWS_AS(DeterministicActor(make_context(box(3), box(2), 3, rng), params), Error);
  nn::Parameters ok;
  const DeterministicActor actor(make_context(box(3), box(2), 0, rng, Json::object(), Json{{"actor_hiddens", {4}}}), ok);
  ad::Tape tape;
  const auto p = nn::bind(tape, ok);
  ModelInput<float> in;
  in.obs = tape.constant(ad::Matrix::Zero(1, 3));
  CHECK_THROWS_WITH_AS(actor.value_function(p, actor.forward(p, in)),
                       "DeterministicActor 'model': an actor has no state-value head (Q values come from the critic "
                       "(TwinQ))",
                       Error);
}
