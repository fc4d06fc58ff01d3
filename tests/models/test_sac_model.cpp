// SACModel: the policy network's output shapes for Box and Discrete actions, the critics it
// delegates to TwinQ, log_alpha's initial value, the contiguous parameter groups
// {actor, critic, alpha}, the policy_model keys and its errors.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/core/rng.hpp>
#include <rlpp/models/sac_model.hpp>
#include <rlpp/nn/layers/binding.hpp>
#include <rlpp/spaces/space.hpp>

namespace {

using rlpp::Json;

struct Built {
  rlpp::nn::Parameters params;
  rlpp::RandomStream rng{7};
  std::optional<rlpp::SACModel> model;
};

void build(Built& b, rlpp::Space action_space, Json policy_config, std::size_t num_outputs = 0) {
  rlpp::ModelContext ctx{.observation_space = rlpp::Space(rlpp::Box(-1.0, 1.0, {3})),
                         .action_space = std::move(action_space),
                         .num_outputs = num_outputs,
                         .model_config = rlpp::Config(Json::object()),
                         .policy_config = rlpp::Config(std::move(policy_config)),
                         .name = "m",
                         .rng = &b.rng};
  b.model.emplace(ctx, b.params);
}

Json small(Json extra = Json::object()) {
  Json c{{"policy_model", {{"fcnet_hiddens", {5}}}}, {"Q_model", {{"fcnet_hiddens", {4}}}}, {"initial_alpha", 0.5}};
  for (auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

}  // namespace

TEST_CASE("SACModel for Box(2): 4 policy outputs, critics over (obs, action), log_alpha = log(initial_alpha)") {
  Built b;
  build(b, rlpp::Space(rlpp::Box(-2.0, 2.0, {2})), small(), 4);
  const auto& m = *b.model;
  CHECK(m.num_outputs() == 4);
  CHECK_FALSE(m.discrete());
  CHECK(m.twin_q());
  CHECK(m.action_count() == 2);
  CHECK(m.log_alpha_value(b.params) == doctest::Approx(std::log(0.5)));
  CHECK(b.params.find("m.policy.fc_1.weight") != nullptr);
  CHECK(b.params.find("m.q.fc_1.weight") != nullptr);
  CHECK(b.params.find("m.twin_q.fc_out.weight") != nullptr);
  CHECK(b.params.find("m.log_alpha") != nullptr);

  rlpp::ad::Tape tape;
  const auto p = rlpp::nn::bind(tape, b.params);
  rlpp::nn::Matrix obs = rlpp::nn::Matrix::Constant(6, 3, 0.3f);
  rlpp::nn::Matrix act = rlpp::nn::Matrix::Constant(6, 2, -0.5f);
  rlpp::ModelInput<float> in;
  in.obs = tape.input(obs.data(), 6, 3);
  const auto out = m.forward(p, in);
  CHECK(out.outputs.rows() == 6);
  CHECK(out.outputs.cols() == 4);
  const auto a = tape.input(act.data(), 6, 2);
  const auto q1 = m.q1(p, in.obs, a);
  const auto q2 = m.q2(p, in.obs, a);
  const auto mq = m.min_q(p, in.obs, a);
  CHECK(q1.cols() == 1);
  for (Eigen::Index r = 0; r < 6; ++r) CHECK(mq.value()(r, 0) == std::min(q1.value()(r, 0), q2.value()(r, 0)));
  CHECK(m.log_alpha(p).item() == doctest::Approx(std::log(0.5)));
  CHECK_THROWS_AS(m.value_function(p, out), rlpp::Error);
}

TEST_CASE("SACModel for Discrete(3): 3 logits and Q(s, .) with 3 columns") {
  Built b;
  build(b, rlpp::Space(rlpp::Discrete(3)), small({{"twin_q", false}}));
  const auto& m = *b.model;
  CHECK(m.discrete());
  CHECK_FALSE(m.twin_q());
  CHECK(m.num_outputs() == 3);
  rlpp::ad::Tape tape;
  const auto p = rlpp::nn::bind(tape, b.params);
  rlpp::nn::Matrix obs = rlpp::nn::Matrix::Constant(2, 3, 0.1f);
  const auto o = tape.input(obs.data(), 2, 3);
  CHECK(m.q1(p, o).cols() == 3);
  CHECK_THROWS_AS(m.q2(p, o), rlpp::Error);
}

TEST_CASE("SACModel's parameter groups are actor, critic, alpha: contiguous, in order, covering every block") {
  Built b;
  build(b, rlpp::Space(rlpp::Box(-1.0, 1.0, {1})), small());
  const auto groups = b.model->parameter_groups();
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].name == "actor");
  CHECK(groups[1].name == "critic");
  CHECK(groups[2].name == "alpha");
  CHECK(groups[0].begin == 0);
  CHECK(groups[0].end == groups[1].begin);
  CHECK(groups[1].end == groups[2].begin);
  CHECK(groups[2].end == b.params.size());
  const auto* la = b.params.find("m.log_alpha");
  REQUIRE(la != nullptr);
  CHECK(la->offset >= groups[2].begin);
  CHECK(la->offset + 1 == groups[2].end);
  const auto* pw = b.params.find("m.policy.fc_out.bias");
  CHECK(pw->offset + pw->rows * pw->cols <= groups[0].end);
  const auto* qw = b.params.find("m.twin_q.fc_out.bias");
  CHECK(qw->offset >= groups[1].begin);
  CHECK(qw->offset + qw->rows * qw->cols <= groups[1].end);
}

TEST_CASE("SACModel errors: unbounded Box, unknown policy_model key, bad initial_alpha, wrong num_outputs") {
  {
    Built b;
    CHECK_THROWS_AS(build(b, rlpp::Space(rlpp::Box(-INFINITY, INFINITY, {2})), small()), rlpp::SpaceError);
  }
  {
    Built b;
    try {
      build(b, rlpp::Space(rlpp::Discrete(2)), small({{"policy_model", {{"fcnet_hidens", {4}}}}}));
      FAIL("accepted");
    } catch (const rlpp::ConfigError& e) {
      CHECK(std::string(e.what()).find("fcnet_hidens") != std::string::npos);
    }
  }
  {
    Built b;
    try {
      build(b, rlpp::Space(rlpp::Discrete(2)), small({{"initial_alpha", 0.0}}));
      FAIL("accepted");
    } catch (const rlpp::ConfigError& e) {
      CHECK(std::string(e.what()).find("initial_alpha") != std::string::npos);
    }
  }
  {
    Built b;
    CHECK_THROWS_AS(build(b, rlpp::Space(rlpp::Box(-1.0, 1.0, {2})), small(), 2), rlpp::Error);
  }
}
