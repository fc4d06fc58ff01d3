#include <doctest/doctest.h>

#include <cmath>

#include "models/models_support.hpp"
#include "rlpp/models/fully_connected.hpp"

using namespace rlpp;
using rlpp::test::block;
using rlpp::test::box;
using rlpp::test::make_context;

TEST_CASE("FullyConnectedNetwork declares RLlib's fc_1..fc_k, fc_out, fc_value_k and value_out blocks") {
  RandomStream rng(1);
  SUBCASE("vf_share_layers false: a separate value tower over the observations") {
    nn::Parameters params;
    const FullyConnectedNetwork net(make_context(box(4), Discrete(2), 2, rng, Json{{"vf_share_layers", false}}),
                                    params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 4x256\nmodel.fc_1.bias 1x256\n"
          "model.fc_2.weight 256x256\nmodel.fc_2.bias 1x256\n"
          "model.fc_out.weight 256x2\nmodel.fc_out.bias 1x2\n"
          "model.fc_value_1.weight 4x256\nmodel.fc_value_1.bias 1x256\n"
          "model.fc_value_2.weight 256x256\nmodel.fc_value_2.bias 1x256\n"
          "model.value_out.weight 256x1\nmodel.value_out.bias 1x1\n");
    CHECK(net.num_outputs() == 2);
    CHECK_FALSE(net.vf_share_layers());
  }
  SUBCASE("vf_share_layers true (the default): value_out on the last hidden layer") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(3), box(2), 4, rng, Json{{"fcnet_hiddens", {32}}, {"free_log_std", true}}, Json::object(),
                     "default_policy"),
        params);
    CHECK(test::layout(params) ==
          "default_policy.fc_1.weight 3x32\ndefault_policy.fc_1.bias 1x32\n"
          "default_policy.fc_out.weight 32x2\ndefault_policy.fc_out.bias 1x2\n"
          "default_policy.log_std 1x2\n"
          "default_policy.value_out.weight 32x1\ndefault_policy.value_out.bias 1x1\n");
    CHECK(net.num_outputs() == 4);
    CHECK(net.free_log_std());
  }
  SUBCASE("no_final_linear: the last hidden layer is fc_out, sized num_outputs") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(4), Discrete(3), 3, rng, Json{{"fcnet_hiddens", {8, 5}}, {"no_final_linear", true}}), params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 4x8\nmodel.fc_1.bias 1x8\n"
          "model.fc_out.weight 8x3\nmodel.fc_out.bias 1x3\n"
          "model.value_out.weight 3x1\nmodel.value_out.bias 1x1\n");
  }
  SUBCASE("post_fcnet_hiddens append to the hidden stack") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(2), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {8}}, {"post_fcnet_hiddens", {4}}}), params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 2x8\nmodel.fc_1.bias 1x8\nmodel.fc_2.weight 8x4\nmodel.fc_2.bias 1x4\n"
          "model.fc_out.weight 4x2\nmodel.fc_out.bias 1x2\nmodel.value_out.weight 4x1\nmodel.value_out.bias 1x1\n");
  }
  SUBCASE("num_outputs 0: a feature trunk without heads") {
    nn::Parameters params;
    const FullyConnectedNetwork net(make_context(box(4), Discrete(2), 0, rng, Json{{"fcnet_hiddens", {16, 8}}}),
                                    params);
    CHECK(test::layout(params) ==
          "model.fc_1.weight 4x16\nmodel.fc_1.bias 1x16\nmodel.fc_2.weight 16x8\nmodel.fc_2.bias 1x8\n");
    CHECK(net.num_outputs() == 8);
    CHECK_FALSE(net.has_value_head());
  }
  SUBCASE("no hiddens and num_outputs 0: the identity") {
    nn::Parameters params;
    const FullyConnectedNetwork net(make_context(box(5), Discrete(2), 0, rng, Json{{"fcnet_hiddens", Json::array()}}),
                                    params);
    CHECK(params.blocks().empty());
    CHECK(net.num_outputs() == 5);
  }
  SUBCASE("Discrete observations are one-hot: the input width is n") {
    nn::Parameters params;
    const FullyConnectedNetwork net(make_context(Discrete(7), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {4}}}),
                                    params);
    CHECK(params.find("model.fc_1.weight")->rows == 7);
  }
}

TEST_CASE("FullyConnectedNetwork initializes hidden layers normc(1.0), fc_out and value_out normc(0.01), biases 0") {
  RandomStream rng(2);
  nn::Parameters params;
  const FullyConnectedNetwork net(
      make_context(box(6), Discrete(4), 4, rng, Json{{"fcnet_hiddens", {64, 32}}, {"vf_share_layers", false}}), params);
  const auto column_norms = [&](const char* name) { return block(params, name).colwise().norm().eval(); };
  for (const char* name : {"model.fc_1.weight", "model.fc_2.weight", "model.fc_value_1.weight", "model.fc_value_2.weight"}) {
    CAPTURE(name);
    CHECK((column_norms(name).array() - 1.0f).abs().maxCoeff() < 1e-5f);
  }
  for (const char* name : {"model.fc_out.weight", "model.value_out.weight"}) {
    CAPTURE(name);
    CHECK((column_norms(name).array() - 0.01f).abs().maxCoeff() < 1e-7f);
  }
  for (const char* name : {"model.fc_1.bias", "model.fc_2.bias", "model.fc_out.bias", "model.value_out.bias"})
    CHECK(block(params, name).isZero());
  // Not a constant: weights differ between units.
  CHECK(block(params, "model.fc_1.weight").col(0) != block(params, "model.fc_1.weight").col(1));

  SUBCASE("the same seed gives the same weights; the DenseInits overload swaps the initializers") {
    RandomStream again(2);
    nn::Parameters same;
    const FullyConnectedNetwork twin(
        make_context(box(6), Discrete(4), 4, again, Json{{"fcnet_hiddens", {64, 32}}, {"vf_share_layers", false}}), same);
    CHECK(same.get_weights() == params.get_weights());

    RandomStream other(2);
    nn::Parameters ortho;
    const FullyConnectedNetwork orthogonal(
        make_context(box(6), Discrete(4), 4, other, Json{{"fcnet_hiddens", {64, 32}}}), ortho,
        nn::DenseInits{nn::Init::orthogonal(std::sqrt(2.0)), nn::Init::orthogonal(0.01), nn::Init::zeros()});
    const nn::Matrix w = block(ortho, "model.fc_2.weight");  // 64 x 32: orthonormal columns times the gain
    CHECK(((w.transpose() * w) - 2.0f * nn::Matrix::Identity(32, 32)).cwiseAbs().maxCoeff() < 1e-4f);
  }
}

TEST_CASE("FullyConnectedNetwork computes a tiny network's logits and value as by hand") {
  RandomStream rng(3);
  ad::Tape tape;
  const ad::Matrix obs{{1.0f, 2.0f}};
  const double h0 = std::tanh(1 * 0.5 + 2 * 0.25 + 0.1), h1 = std::tanh(1 * -1.0 + 2 * 2.0 - 0.2);
  SUBCASE("shared layers") {
    nn::Parameters params;
    const FullyConnectedNetwork net(make_context(box(2), Discrete(2), 2, rng,
                                                 Json{{"fcnet_hiddens", {2}}, {"fcnet_activation", "tanh"}}),
                                    params);
    block(params, "model.fc_1.weight") << 0.5f, -1.0f, 0.25f, 2.0f;
    block(params, "model.fc_1.bias") << 0.1f, -0.2f;
    block(params, "model.fc_out.weight") << 1.0f, 0.5f, -1.0f, 2.0f;
    block(params, "model.fc_out.bias") << 0.0f, 0.3f;
    block(params, "model.value_out.weight") << 2.0f, -1.0f;
    block(params, "model.value_out.bias") << 0.5f;
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    const ModelOutput<float> out = net.forward(p, in);
    REQUIRE(out.outputs.rows() == 1);
    REQUIRE(out.outputs.cols() == 2);
    CHECK(out.outputs.value()(0, 0) == doctest::Approx(h0 * 1 + h1 * -1));
    CHECK(out.outputs.value()(0, 1) == doctest::Approx(h0 * 0.5 + h1 * 2 + 0.3));
    CHECK(out.state.empty());
    CHECK(net.value_function(p, out).value()(0, 0) == doctest::Approx(2 * h0 - h1 + 0.5));
    CHECK(net.initial_state().empty());
  }
  SUBCASE("a separate value tower reads the observations, not the policy's features") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(2), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {2}}, {"vf_share_layers", false}}), params);
    block(params, "model.fc_1.weight") << 0.5f, -1.0f, 0.25f, 2.0f;
    block(params, "model.fc_1.bias") << 0.1f, -0.2f;
    block(params, "model.fc_value_1.weight") << 1.0f, 0.0f, 0.0f, -1.0f;  // v = tanh([x0, -x1])
    block(params, "model.fc_value_1.bias") << 0.0f, 0.0f;
    block(params, "model.value_out.weight") << 1.0f, 3.0f;
    block(params, "model.value_out.bias") << -0.25f;
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    const ModelOutput<float> out = net.forward(p, in);
    CHECK(net.value_function(p, out).value()(0, 0) == doctest::Approx(std::tanh(1.0) + 3 * std::tanh(-2.0) - 0.25));
    // Changing the policy trunk leaves the value alone.
    block(params, "model.fc_1.weight").setConstant(9.0f);
    tape.reset();
    const auto p2 = nn::bind_frozen(tape, params);
    ModelInput<float> in2;
    in2.obs = tape.constant(obs);
    CHECK(net.value_function(p2, net.forward(p2, in2)).value()(0, 0) ==
          doctest::Approx(std::tanh(1.0) + 3 * std::tanh(-2.0) - 0.25));
  }
  SUBCASE("no_final_linear: the outputs are the activated last layer") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(2), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {2}}, {"no_final_linear", true}}), params);
    block(params, "model.fc_out.weight") << 0.5f, -1.0f, 0.25f, 2.0f;
    block(params, "model.fc_out.bias") << 0.1f, -0.2f;
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    const ModelOutput<float> out = net.forward(p, in);
    CHECK(out.outputs.value()(0, 0) == doctest::Approx(h0));
    CHECK(out.outputs.value()(0, 1) == doctest::Approx(h1));
  }
  SUBCASE("a linear activation and an empty hidden list make a linear model") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(2), Discrete(1), 1, rng, Json{{"fcnet_hiddens", Json::array()}, {"fcnet_activation", nullptr}}),
        params);
    block(params, "model.fc_out.weight") << 3.0f, -1.0f;
    block(params, "model.fc_out.bias") << 0.5f;
    const auto p = nn::bind_frozen(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(obs);
    CHECK(net.forward(p, in).outputs.value()(0, 0) == doctest::Approx(3 - 2 + 0.5));
  }
}

TEST_CASE("free_log_std appends a state-independent log-std block that receives gradients") {
  RandomStream rng(4);
  nn::Parameters params;
  const FullyConnectedNetwork net(make_context(box(3), box(2), 4, rng, Json{{"fcnet_hiddens", {8}}, {"free_log_std", true}}),
                                  params);
  CHECK(block(params, "model.log_std").isZero());  // zero-initialized
  block(params, "model.log_std") << 0.3f, -0.7f;
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  ModelInput<float> in;
  in.obs = tape.constant(test::random_matrix(5, 3, 7).cast<float>());
  const ModelOutput<float> out = net.forward(p, in);
  REQUIRE(out.outputs.cols() == 4);
  for (Eigen::Index r = 0; r < 5; ++r) {
    CHECK(out.outputs.value()(r, 2) == doctest::Approx(0.3));
    CHECK(out.outputs.value()(r, 3) == doctest::Approx(-0.7));
  }
  CHECK(out.outputs.value()(0, 0) != out.outputs.value()(1, 0));  // the means depend on the observation
  // d/d log_std of sum(log-std columns * [1, 2]) over 5 rows = [5, 10].
  params.zero_grad();
  tape.backward(ad::sum(ad::columns(out.outputs, 2, 2) * tape.constant(ad::Matrix{{1.0f, 2.0f}})));
  const std::size_t log_std = static_cast<std::size_t>(params.find("model.log_std") - params.blocks().data());
  CHECK(params.grad(log_std)(0, 0) == doctest::Approx(5.0));
  CHECK(params.grad(log_std)(0, 1) == doctest::Approx(10.0));
}

TEST_CASE("FullyConnectedNetwork passes gradcheck w.r.t. observations and every parameter") {
  RandomStream rng(5);
  SUBCASE("tanh, separate value tower, free_log_std") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(3), box(2), 4, rng,
                     Json{{"fcnet_hiddens", {4, 3}}, {"vf_share_layers", false}, {"free_log_std", true}}),
        params);
    test::fill_parameters(params, 6);
    test::check_layer_gradients(params, test::random_matrix(5, 3, 7), test::outputs_and_value(net));
  }
  SUBCASE("swish, shared layers, no_final_linear") {
    nn::Parameters params;
    const FullyConnectedNetwork net(
        make_context(box(2), Discrete(3), 3, rng,
                     Json{{"fcnet_hiddens", {5, 4}}, {"fcnet_activation", "swish"}, {"no_final_linear", true}}),
        params);
    test::fill_parameters(params, 8);
    test::check_layer_gradients(params, test::random_matrix(4, 2, 9), test::outputs_and_value(net));
  }
}

TEST_CASE("FullyConnectedNetwork reports bad configs and inputs") {
  RandomStream rng(6);
  nn::Parameters params;
  CHECK_THROWS_WITH_AS(FullyConnectedNetwork(make_context(box(3), box(2), 3, rng, Json{{"free_log_std", true}}), params),
                       "config.model.free_log_std: needs an even num_outputs (means, then log-stds), got 3 (use "
                       "free_log_std only with a DiagGaussian action distribution)",
                       ConfigError);
  CHECK_THROWS_WITH_AS(FullyConnectedNetwork(make_context(box(3), box(2), 2, rng, Json{{"fcnet_hidens", {3}}}), params),
                       "config.model.fcnet_hidens: unknown config key (did you mean 'fcnet_hiddens'?)", ConfigError);
  ModelContext no_rng = make_context(box(3), box(2), 2, rng);
  no_rng.rng = nullptr;
  CHECK_THROWS_AS(FullyConnectedNetwork(no_rng, params), Error);

  nn::Parameters ok_params;
  const FullyConnectedNetwork net(make_context(box(3), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {4}}}), ok_params);
  ad::Tape tape;
  const auto p = nn::bind(tape, ok_params);
  ModelInput<float> in;
  CHECK_THROWS_WITH_AS(net.forward(p, in),
                       "FullyConnectedNetwork 'model': ModelInput::obs is missing (pass the preprocessed observations, "
                       "one row per sample)",
                       Error);
  in.obs = tape.constant(ad::Matrix::Zero(2, 4));
  CHECK_THROWS_WITH_AS(net.forward(p, in),
                       "FullyConnectedNetwork 'model': expects observations with 3 columns (the observation space's "
                       "preprocessed size), got 2x4",
                       Error);

  nn::Parameters trunk_params;
  const FullyConnectedNetwork trunk(make_context(box(3), Discrete(2), 0, rng, Json{{"fcnet_hiddens", {4}}}), trunk_params);
  tape.reset();
  const auto pt = nn::bind(tape, trunk_params);
  ModelInput<float> tin;
  tin.obs = tape.constant(ad::Matrix::Zero(2, 3));
  CHECK_THROWS_WITH_AS(trunk.value_function(pt, trunk.forward(pt, tin)),
                       "FullyConnectedNetwork 'model': was built with num_outputs 0 (a feature trunk) and has no value "
                       "head (build it with num_outputs > 0, or use the value head of the model wrapping it)",
                       Error);
}

TEST_CASE("weights_initializer orthogonal: gain sqrt(2) hidden, 0.01 logits, 1.0 value head, zero biases") {
  RandomStream rng(3);
  nn::Parameters params;
  const FullyConnectedNetwork net(
      make_context(box(4), Discrete(2), 2, rng,
                   Json{{"fcnet_hiddens", {64, 64}}, {"vf_share_layers", false}, {"weights_initializer", "orthogonal"}}),
      params);
  // W (fan_in x fan_out): orthonormal columns times g when fan_in >= fan_out (W^T W = g^2 I),
  // orthonormal rows times g otherwise (W W^T = g^2 I).
  const auto check = [&](const char* name, double gain) {
    const Eigen::MatrixXd w = block(params, name).cast<double>();
    const Eigen::MatrixXd gram = w.rows() >= w.cols() ? Eigen::MatrixXd(w.transpose() * w) : Eigen::MatrixXd(w * w.transpose());
    const Eigen::MatrixXd expected = gain * gain * Eigen::MatrixXd::Identity(gram.rows(), gram.cols());
    CHECK_MESSAGE((gram - expected).cwiseAbs().maxCoeff() < 1e-5 * std::max(1.0, gain * gain), name);
  };
  check("model.fc_1.weight", std::sqrt(2.0));        // 4x64: rows orthogonal
  check("model.fc_2.weight", std::sqrt(2.0));        // 64x64
  check("model.fc_out.weight", 0.01);                // 64x2: columns orthogonal
  check("model.fc_value_1.weight", std::sqrt(2.0));
  check("model.value_out.weight", 1.0);              // 64x1: unit norm
  CHECK(block(params, "model.fc_1.bias").cwiseAbs().maxCoeff() == 0.0f);
  CHECK(block(params, "model.value_out.bias").cwiseAbs().maxCoeff() == 0.0f);

  nn::Parameters normc;
  RandomStream rng2(3);
  (void)FullyConnectedNetwork(make_context(box(4), Discrete(2), 2, rng2, Json{{"fcnet_hiddens", {64}}}), normc);
  // normc(0.01): every output unit's weights have norm 0.01.
  CHECK(block(normc, "model.fc_out.weight").col(0).norm() == doctest::Approx(0.01).epsilon(1e-4));
  CHECK_THROWS_WITH_AS((void)FullyConnectedNetwork(make_context(box(4), Discrete(2), 2, rng2, Json{{"weights_initializer", "xavier"}}), normc),
                       doctest::Contains("weights_initializer"), ConfigError);
}
