// DDPGModel: the actor and critic blocks and their parameter groups, forward() = the actor's
// actions, q_values = q1/q2 of one concatenation, weight blocks for l2_reg, space errors, and
// gradients through actor and critics.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "models/models_support.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/ddpg_model.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;

TEST_CASE("DDPGModel builds the actor first, then the critics, as two parameter groups") {
  RandomStream rng(1);
  nn::Parameters params;
  const DDPGModel model(make_context(box(3), box(1, -2.0, 2.0), 1, rng, Json::object(),
                                     Json{{"actor_hiddens", {8}}, {"critic_hiddens", {6, 5}}, {"twin_q", true}},
                                     "default_model"),
                        params);
  CHECK(test::layout(params) ==
        "default_model.policy.fc_1.weight 3x8\ndefault_model.policy.fc_1.bias 1x8\n"
        "default_model.policy.fc_out.weight 8x1\ndefault_model.policy.fc_out.bias 1x1\n"
        "default_model.q.fc_1.weight 4x6\ndefault_model.q.fc_1.bias 1x6\ndefault_model.q.fc_2.weight 6x5\n"
        "default_model.q.fc_2.bias 1x5\ndefault_model.q.fc_out.weight 5x1\ndefault_model.q.fc_out.bias 1x1\n"
        "default_model.twin_q.fc_1.weight 4x6\ndefault_model.twin_q.fc_1.bias 1x6\ndefault_model.twin_q.fc_2.weight 6x5\n"
        "default_model.twin_q.fc_2.bias 1x5\ndefault_model.twin_q.fc_out.weight 5x1\ndefault_model.twin_q.fc_out.bias 1x1\n");
  const auto groups = model.parameter_groups();
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].name == "actor");
  CHECK(groups[1].name == "critic");
  CHECK(groups[0].begin == 0);
  CHECK(groups[0].end == groups[1].begin);
  CHECK(groups[1].end == params.size());
  // Every actor block lies in the actor group, every critic block in the critic group.
  for (const auto& b : params.blocks()) {
    const bool actor = b.name.find(".policy.") != std::string::npos;
    const auto& g = groups[actor ? 0 : 1];
    CHECK(b.offset >= g.begin);
    CHECK(b.offset + b.rows * b.cols <= g.end);
  }
  CHECK(model.actor_weight_blocks() == std::vector<std::size_t>{0, 2});
  CHECK(model.critic_weight_blocks() == std::vector<std::size_t>{4, 6, 8, 10, 12, 14});
  CHECK(model.twin_q());
  CHECK(model.num_outputs() == 1);
  CHECK(model.action_low() == std::vector<float>{-2.0f});
  CHECK(model.action_high() == std::vector<float>{2.0f});
}

TEST_CASE("DDPGModel defaults: [400, 300] relu actor and critic, one critic") {
  RandomStream rng(2);
  nn::Parameters params;
  const DDPGModel model(make_context(box(2), box(1), 1, rng), params);
  CHECK(params.find("model.policy.fc_1.weight")->cols == 400);
  CHECK(params.find("model.policy.fc_2.weight")->cols == 300);
  CHECK(params.find("model.q.fc_2.weight")->cols == 300);
  CHECK(params.find("model.twin_q.fc_1.weight") == nullptr);
  CHECK_FALSE(model.twin_q());
  CHECK(DDPGModel::defaults()["twin_q"] == false);
}

TEST_CASE("DDPGModel forward is the actor; q_values equal q1 and q2; min_q their minimum") {
  RandomStream rng(3);
  nn::Parameters params;
  const DDPGModel model(make_context(box(2), box(2, -1.0, 3.0), 2, rng, Json::object(),
                                     Json{{"actor_hiddens", {4}}, {"critic_hiddens", {5}}, {"twin_q", true}}),
                        params);
  test::fill_parameters(params, 7);
  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);
  const ad::Var obs = tape.constant(test::random_matrix(5, 2, 8).cast<float>());
  ModelInput<float> in;
  in.obs = obs;
  const ad::Var actions = model.forward(p, in).outputs;
  CHECK((actions.value() - model.actor(p, obs).value()).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(actions.value().minCoeff() >= -1.0f);
  CHECK(actions.value().maxCoeff() <= 3.0f);
  const auto q = model.q_values(p, obs, actions);
  const ad::Matrix q1 = model.q1(p, obs, actions).value();
  const ad::Matrix q2 = model.q2(p, obs, actions).value();
  CHECK((q.q1.value() - q1).cwiseAbs().maxCoeff() == 0.0f);
  CHECK((q.q2.value() - q2).cwiseAbs().maxCoeff() == 0.0f);
  CHECK((model.min_q(p, obs, actions).value() - q1.cwiseMin(q2)).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(q1 != q2);  // independent critics
  CHECK_THROWS_AS(model.value_function(p, model.forward(p, in)), Error);
  CHECK_THROWS_AS(model.q_values(p, obs, tape.constant(ad::Matrix::Zero(5, 1))), Error);
}

TEST_CASE("DDPGModel without twin_q has no q2") {
  RandomStream rng(4);
  nn::Parameters params;
  const DDPGModel model(make_context(box(2), box(1), 1, rng, Json::object(),
                                     Json{{"actor_hiddens", {4}}, {"critic_hiddens", {5}}}),
                        params);
  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);
  const ad::Var obs = tape.constant(ad::Matrix::Ones(3, 2));
  const auto q = model.q_values(p, obs, model.actor(p, obs));
  CHECK_FALSE(q.q2.has_value());
  CHECK_THROWS_AS(model.q2(p, obs, model.actor(p, obs)), Error);
}

TEST_CASE("DDPGModel needs a bounded Box action space") {
  RandomStream rng(5);
  nn::Parameters params;
  CHECK_THROWS_WITH_AS(DDPGModel(make_context(box(2), Discrete(3), 0, rng), params),
                       doctest::Contains("need a Box action space"), SpaceError);
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH_AS(DDPGModel(make_context(box(2), Box(-inf, inf, {1}), 0, rng), params),
                       doctest::Contains("unbounded"), SpaceError);
}

TEST_CASE("DDPGModel passes gradcheck: Q1(s, mu(s)) w.r.t. observations and all parameters") {
  RandomStream rng(6);
  nn::Parameters params;
  const DDPGModel model(make_context(box(3), box(2, -2.0, 1.0), 2, rng, Json::object(),
                                     Json{{"actor_hiddens", {4}}, {"critic_hiddens", {5}}, {"actor_hidden_activation", "tanh"},
                                          {"critic_hidden_activation", "tanh"}, {"twin_q", true}}),
                        params);
  test::fill_parameters(params, 9);
  test::check_layer_gradients(params, test::random_matrix(4, 3, 10), [&](auto& p, auto x) {
    const auto a = model.actor(p, x);
    const auto q = model.q_values(p, x, a);
    return ad::concat(q.q1, q.q2);
  });
}
