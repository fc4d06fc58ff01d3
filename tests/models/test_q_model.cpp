#include <doctest/doctest.h>

#include <cmath>

#include "models/models_support.hpp"
#include "rlpp/models/q_model.hpp"
#include "rlpp/nn/layers/noisy_dense.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;

namespace {
// Q model over 2 observations straight into the heads (no trunk, no stream hiddens).
Json heads_only(bool dueling, int atoms) {
  return Json{{"hiddens", Json::array()}, {"dueling", dueling}, {"num_atoms", atoms}, {"v_min", -1.0}, {"v_max", 1.0}};
}
const Json no_trunk = Json{{"fcnet_hiddens", Json::array()}};

QDistribution<float> run(const QModel& q, nn::Parameters& params, ad::Tape& tape, const ad::Matrix& obs) {
  tape.reset();
  const auto p = nn::bind_frozen(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(obs);
  return q.q_value_distributions(p, in);
}
}  // namespace

TEST_CASE("QModel declares the trunk, the advantage stream and the dueling value stream") {
  RandomStream rng(1);
  SUBCASE("DQN's defaults: hiddens [256], dueling") {
    nn::Parameters params;
    const QModel q(make_context(box(4), Discrete(2), 0, rng), params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 4x256\nmodel.fc_1.bias 1x256\nmodel.fc_2.weight 256x256\nmodel.fc_2.bias 1x256\n"
          "model.advantage_1.weight 256x256\nmodel.advantage_1.bias 1x256\n"
          "model.advantage_out.weight 256x2\nmodel.advantage_out.bias 1x2\n"
          "model.value_1.weight 256x256\nmodel.value_1.bias 1x256\n"
          "model.value_out.weight 256x1\nmodel.value_out.bias 1x1\n");
    CHECK(q.num_outputs() == 2);
    CHECK(q.dueling());
    CHECK(q.num_atoms() == 1);
    // normc(1.0) hidden, normc(0.01) heads.
    CHECK((block(params, "model.advantage_1.weight").colwise().norm().array() - 1.0f).abs().maxCoeff() < 1e-5f);
    CHECK((block(params, "model.advantage_out.weight").colwise().norm().array() - 0.01f).abs().maxCoeff() < 1e-7f);
  }
  SUBCASE("distributional, not dueling, two stream layers") {
    nn::Parameters params;
    const QModel q(make_context(box(4), Discrete(3), 3, rng, Json{{"fcnet_hiddens", {16}}},
                                Json{{"hiddens", {8, 8}}, {"dueling", false}, {"num_atoms", 51}}),
                   params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 4x16\nmodel.fc_1.bias 1x16\n"
          "model.advantage_1.weight 16x8\nmodel.advantage_1.bias 1x8\n"
          "model.advantage_2.weight 8x8\nmodel.advantage_2.bias 1x8\n"
          "model.advantage_out.weight 8x153\nmodel.advantage_out.bias 1x153\n");
    REQUIRE(q.support().size() == 51);
    CHECK(q.support().front() == -10.0);
    CHECK(q.support()[25] == doctest::Approx(0.0));
    CHECK(q.support().back() == 10.0);
    CHECK(q.support()[1] == doctest::Approx(-9.6));
  }
}

TEST_CASE("QModel's dueling head is V + A - mean(A), by hand") {
  RandomStream rng(2);
  ad::Tape tape;
  const ad::Matrix obs{{1.0f, 2.0f}};
  // A = obs * W + b = [1 + 2*2, -1 + 0, 0.5*1 + 1*2] + [0, 0, 1] = [5, -1, 3.5]; mean 2.5.
  const auto set_advantages = [](nn::Parameters& params) {
    block(params, "model.advantage_out.weight") << 1.0f, -1.0f, 0.5f, 2.0f, 0.0f, 1.0f;
    block(params, "model.advantage_out.bias") << 0.0f, 0.0f, 1.0f;
  };
  SUBCASE("dueling") {
    nn::Parameters params;
    const QModel q(make_context(box(2), Discrete(3), 3, rng, no_trunk, heads_only(true, 1)), params);
    set_advantages(params);
    block(params, "model.value_out.weight") << 0.5f, -1.0f;  // V = 0.5 - 2 + 0.25 = -1.25
    block(params, "model.value_out.bias") << 0.25f;
    const auto d = run(q, params, tape, obs);
    const double v = -1.25, mean = (5 - 1 + 3.5) / 3.0;
    CHECK(d.q_values.value()(0, 0) == doctest::Approx(v + 5 - mean));
    CHECK(d.q_values.value()(0, 1) == doctest::Approx(v - 1 - mean));
    CHECK(d.q_values.value()(0, 2) == doctest::Approx(v + 3.5 - mean));
    CHECK(d.logits.value() == d.q_values.value());
    CHECK(d.probabilities.value().isOnes());
    CHECK(d.support.value()(0, 0) == 0.0f);
    // value_function = mean_a Q = V exactly for a dueling head.
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    const ModelOutput<float> out = q.forward(p, in);
    CHECK(out.outputs.cols() == 3);
    CHECK(q.value_function(p, out).value()(0, 0) == doctest::Approx(v));
  }
  SUBCASE("not dueling: Q = A") {
    nn::Parameters params;
    const QModel q(make_context(box(2), Discrete(3), 3, rng, no_trunk, heads_only(false, 1)), params);
    CHECK(params.find("model.value_out.weight") == nullptr);
    set_advantages(params);
    const auto d = run(q, params, tape, obs);
    CHECK(d.q_values.value()(0, 0) == doctest::Approx(5.0));
    CHECK(d.q_values.value()(0, 1) == doctest::Approx(-1.0));
    CHECK(d.q_values.value()(0, 2) == doctest::Approx(3.5));
  }
}

TEST_CASE("distributional QModel: Q = sum_i p_i z_i over each action's atoms") {
  RandomStream rng(3);
  ad::Tape tape;
  const ad::Matrix obs{{1.0f, -1.0f}};
  // 2 actions x 3 atoms on z = {-1, 0, 1}; logits = obs * W = W.row(0) - W.row(1).
  const auto set_scores = [](nn::Parameters& params) {
    block(params, "model.advantage_out.weight") << 1.0f, 0.0f, 2.0f, 0.5f, 0.5f, 0.5f,  //
        0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f;
    block(params, "model.advantage_out.bias").setZero();
  };
  const auto expected_q = [](const double (&logits)[3]) {
    const double e0 = std::exp(logits[0]), e1 = std::exp(logits[1]), e2 = std::exp(logits[2]);
    return (-1 * e0 + 0 * e1 + 1 * e2) / (e0 + e1 + e2);
  };
  SUBCASE("not dueling") {
    nn::Parameters params;
    const QModel q(make_context(box(2), Discrete(2), 0, rng, no_trunk, heads_only(false, 3)), params);
    set_scores(params);
    const auto d = run(q, params, tape, obs);
    CHECK(d.logits.cols() == 6);
    CHECK(d.support.value()(0, 0) == -1.0f);
    CHECK(d.support.value()(0, 1) == 0.0f);
    CHECK(d.support.value()(0, 2) == 1.0f);
    CHECK(d.q_values.value()(0, 0) == doctest::Approx(expected_q({1.0, 0.0, 2.0})));
    CHECK(d.q_values.value()(0, 1) == doctest::Approx(expected_q({0.5, -0.5, 0.5})));
    // Each action's atom probabilities sum to one.
    CHECK(d.probabilities.value().leftCols(3).sum() == doctest::Approx(1.0));
    CHECK(d.probabilities.value().rightCols(3).sum() == doctest::Approx(1.0));
  }
  SUBCASE("dueling: per-atom V + A - mean_a A, then the softmax") {
    nn::Parameters params;
    const QModel q(make_context(box(2), Discrete(2), 0, rng, no_trunk, heads_only(true, 3)), params);
    set_scores(params);
    block(params, "model.value_out.weight") << 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f;  // V = [0, 1, 0]
    block(params, "model.value_out.bias").setZero();
    const auto d = run(q, params, tape, obs);
    // A_0 = [1, 0, 2], A_1 = [0.5, -0.5, 0.5]; mean = [0.75, -0.25, 1.25].
    const double l0[3] = {0 + 1 - 0.75, 1 + 0 + 0.25, 0 + 2 - 1.25};
    const double l1[3] = {0 + 0.5 - 0.75, 1 - 0.5 + 0.25, 0 + 0.5 - 1.25};
    for (int i = 0; i < 3; ++i) {
      CHECK(d.logits.value()(0, i) == doctest::Approx(l0[i]));
      CHECK(d.logits.value()(0, 3 + i) == doctest::Approx(l1[i]));
    }
    CHECK(d.q_values.value()(0, 0) == doctest::Approx(expected_q(l0)));
    CHECK(d.q_values.value()(0, 1) == doctest::Approx(expected_q(l1)));
  }
}

TEST_CASE("QModel passes gradcheck w.r.t. observations and parameters") {
  RandomStream rng(4);
  for (const bool dueling : {false, true})
    for (const int atoms : {1, 4}) {
      CAPTURE(dueling);
      CAPTURE(atoms);
      nn::Parameters params;
      const QModel q(make_context(box(3), Discrete(3), 3, rng, Json{{"fcnet_hiddens", {4}}},
                                  Json{{"hiddens", {5}}, {"dueling", dueling}, {"num_atoms", atoms}}),
                     params);
      test::fill_parameters(params, 5);
      test::check_layer_gradients(params, test::random_matrix(4, 3, 6), [&](auto& p, auto x) {
        using T = typename std::remove_cvref_t<decltype(p)>::scalar_type;
        ModelInput<T> in;
        in.obs = x;
        const QDistribution<T> d = q.q_value_distributions(p, in);
        ModelOutput<T> out;
        out.outputs = d.q_values;
        out.value_input = d.q_values;
        return ad::concat(ad::concat(d.q_values, d.logits), ad::concat(d.probabilities, q.value_function(p, out)));
      });
    }
}

TEST_CASE("QModel reports unsupported spaces and configs") {
  RandomStream rng(5);
  nn::Parameters params;
  CHECK_THROWS_WITH_AS(QModel(make_context(box(3), box(2), 0, rng), params),
                       "QModel 'model': DQN's Q model needs a Discrete action space, got Box(-1.0, 1.0, (2,), "
                       "float32) (use SAC, DDPG or TD3 for continuous actions)",
                       SpaceError);
  CHECK_THROWS_WITH_AS(
      QModel(make_context(box(3), Discrete(2), 0, rng, Json::object(), Json{{"noisy", true}, {"sigma0", 0.0}}), params),
      "config.sigma0: must be > 0 for noisy networks", ConfigError);
  CHECK_THROWS_AS(QModel(make_context(box(3), Discrete(2), 0, rng, Json::object(),
                                      Json{{"num_atoms", 5}, {"v_min", 1.0}, {"v_max", 1.0}}),
                         params),
                  ConfigError);
  CHECK_THROWS_AS(QModel(make_context(box(3), Discrete(2), 0, rng, Json::object(), Json{{"num_atoms", 0}}), params),
                  ConfigError);
  CHECK_THROWS_WITH_AS(QModel(make_context(box(3), Discrete(2), 0, rng, Json{{"use_lstm", true}}), params),
                       "config.model.use_lstm: DQN's Q model does not support use_lstm (set use_lstm to false (a "
                       "recurrent Q learner is RLlib's R2D2, not implemented yet))",
                       ConfigError);
  CHECK_THROWS_AS(QModel(make_context(box(3), Discrete(2), 5, rng), params), Error);
}

TEST_CASE("noisy QModel: factorised Gaussian noisy streams, sigma0 / sqrt(in) initial scales") {
  RandomStream rng(7);
  nn::Parameters params;
  const QModel q(make_context(box(4), Discrete(2), 0, rng, Json{{"fcnet_hiddens", {8}}},
                              Json{{"hiddens", {6}}, {"dueling", true}, {"noisy", true}, {"sigma0", 0.5}}),
                 params);
  CHECK(q.noisy());
  CHECK(test::layout(params) ==
        "model.fc_1.weight 4x8\nmodel.fc_1.bias 1x8\n"
        "model.advantage_1.weight_mu 8x6\nmodel.advantage_1.weight_sigma 8x6\nmodel.advantage_1.bias_mu 1x6\n"
        "model.advantage_1.bias_sigma 1x6\n"
        "model.advantage_out.weight_mu 6x2\nmodel.advantage_out.weight_sigma 6x2\nmodel.advantage_out.bias_mu 1x2\n"
        "model.advantage_out.bias_sigma 1x2\n"
        "model.value_1.weight_mu 8x6\nmodel.value_1.weight_sigma 8x6\nmodel.value_1.bias_mu 1x6\n"
        "model.value_1.bias_sigma 1x6\n"
        "model.value_out.weight_mu 6x1\nmodel.value_out.weight_sigma 6x1\nmodel.value_out.bias_mu 1x1\n"
        "model.value_out.bias_sigma 1x1\n");
  // sigma = 0.5 / sqrt(in): 0.5 / sqrt(8) on the first stream layer, 0.5 / sqrt(6) on the output
  CHECK((block(params, "model.advantage_1.weight_sigma").array() - 0.5f / std::sqrt(8.0f)).abs().maxCoeff() < 1e-7f);
  CHECK((block(params, "model.value_out.bias_sigma").array() - 0.5f / std::sqrt(6.0f)).abs().maxCoeff() < 1e-7f);
  // mu ~ U(-1/sqrt(in), 1/sqrt(in))
  CHECK(block(params, "model.advantage_1.weight_mu").array().abs().maxCoeff() <= 1.0f / std::sqrt(8.0f));
}

TEST_CASE("noisy QModel draws new noise every forward pass, the same sequence for the same seed") {
  const auto build = [](std::uint64_t seed, nn::Parameters& params) {
    RandomStream rng(seed);
    return QModel(make_context(box(3), Discrete(2), 0, rng, Json{{"fcnet_hiddens", {4}}},
                               Json{{"hiddens", {5}}, {"noisy", true}}),
                  params);
  };
  nn::Parameters pa, pb;
  const QModel a = build(3, pa);
  const QModel b = build(3, pb);
  ad::Tape tape;
  const ad::Matrix obs = test::random_matrix(2, 3, 9).cast<float>();
  const ad::Matrix a1 = run(a, pa, tape, obs).q_values.value();
  const ad::Matrix a2 = run(a, pa, tape, obs).q_values.value();
  CHECK((a1 - a2).cwiseAbs().maxCoeff() > 1e-6f);  // fresh noise
  const ad::Matrix b1 = run(b, pb, tape, obs).q_values.value();
  const ad::Matrix b2 = run(b, pb, tape, obs).q_values.value();
  CHECK(a1 == b1);  // bit-identical per seed
  CHECK(a2 == b2);
  // With the sigmas zeroed the layer is its mean: no noise left.
  for (const auto& blk : pa.blocks())
    if (blk.name.find("_sigma") != std::string::npos) block(pa, blk.name).setZero();
  const ad::Matrix c1 = run(a, pa, tape, obs).q_values.value();
  const ad::Matrix c2 = run(a, pa, tape, obs).q_values.value();
  CHECK(c1 == c2);
}

TEST_CASE("noisy layers pass gradcheck w.r.t. mu and sigma (the noise held fixed)") {
  RandomStream rng(11);
  nn::Parameters params;
  const nn::NoisyDense layer(params, "noisy", 3, 2, 0.5, rng);
  test::fill_parameters(params, 2);
  const RandomStream start(21);
  test::check_layer_gradients(params, test::random_matrix(4, 3, 6), [&](auto& p, auto x) {
    RandomStream noise = start;  // the same draw every evaluation
    return layer.forward(p, x, noise);
  });
}
