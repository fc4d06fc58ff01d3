#include <doctest/doctest.h>

#include "models/models_support.hpp"
#include "rlpp/models/catalog_model.hpp"

using namespace rlpp;
using rlpp::test::box;
using rlpp::test::make_context;

TEST_CASE("CatalogModel picks a FullyConnectedNetwork, or LSTMWrapper with use_lstm, and forwards every call") {
  RandomStream rng(1);
  SUBCASE("feedforward") {
    nn::Parameters params;
    const CatalogModel model(make_context(box(4), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {8}}}), params);
    CHECK_FALSE(model.is_recurrent());
    REQUIRE(model.get_if<CatalogModel::Feedforward>() != nullptr);
    CHECK(model.num_outputs() == 2);
    CHECK(model.initial_state().empty());
    // The same numbers as the network built directly with the same seed.
    RandomStream again(1);
    nn::Parameters direct_params;
    const FullyConnectedNetwork direct(make_context(box(4), Discrete(2), 2, again, Json{{"fcnet_hiddens", {8}}}),
                                       direct_params);
    REQUIRE(direct_params.same_layout(params));
    CHECK(direct_params.get_weights() == params.get_weights());
    const ad::MatrixD obs = test::random_matrix(3, 4, 2);
    const auto [outputs, value] = test::run_double(model, params, obs);
    const auto [direct_outputs, direct_value] = test::run_double(direct, direct_params, obs);
    CHECK(outputs == direct_outputs);
    CHECK(value == direct_value);
  }
  SUBCASE("use_lstm") {
    nn::Parameters params;
    const CatalogModel model(
        make_context(box(4), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {8}}, {"use_lstm", true}, {"lstm_cell_size", 4}}),
        params);
    CHECK(model.is_recurrent());
    CHECK(model.initial_state().size() == 2);
    CHECK(params.find("model.lstm.weight") != nullptr);
    ad::Tape tape;
    const auto p = nn::bind(tape, params);
    ModelInput<float> in;
    in.obs = tape.constant(ad::Matrix::Ones(3, 4));
    const ModelOutput<float> out = model.forward(p, in);
    CHECK(out.outputs.cols() == 2);
    CHECK(out.state.size() == 2);
    CHECK(model.value_function(p, out).rows() == 3);
  }
  SUBCASE("gradcheck through the variant") {
    nn::Parameters params;
    const CatalogModel model(make_context(box(2), box(1), 2, rng, Json{{"fcnet_hiddens", {3}}, {"free_log_std", true}}),
                             params);
    test::fill_parameters(params, 3);
    test::check_layer_gradients(params, test::random_matrix(3, 2, 4), test::outputs_and_value(model));
  }
}

TEST_CASE("CatalogModel says what is not implemented yet") {
  RandomStream rng(2);
  nn::Parameters params;
  CHECK_THROWS_WITH_AS(CatalogModel(make_context(Box(0.0, 1.0, {84, 84, 3}), Discrete(2), 2, rng), params),
                       "CatalogModel 'model': VisionNetwork is not implemented yet: the observation space Box(0.0, 1.0, "
                       "(84, 84, 3), float32) holds images (a 3-D Box) (flatten the observations (e.g. a 1-D Box) or "
                       "write a custom model)",
                       SpaceError);
  CHECK_THROWS_AS(CatalogModel(make_context(Tuple({box(2), Box(0.0, 1.0, {8, 8, 1})}), Discrete(2), 2, rng), params),
                  SpaceError);
  CHECK_THROWS_WITH_AS(CatalogModel(make_context(box(2), Discrete(2), 2, rng, Json{{"use_attention", true}}), params),
                       "config.model.use_attention: the attention (GTrXL) wrapper is not implemented yet (set "
                       "use_attention to false, or use_lstm for memory)",
                       ConfigError);
  CHECK_THROWS_AS(CatalogModel(make_context(box(2), Discrete(2), 2, rng, Json{{"custom_model", "my_model"}}), params),
                  ConfigError);
  // 2-D observations are flattened into the fully connected network, as in RLlib.
  nn::Parameters flat;
  const CatalogModel model(make_context(Box(0.0, 1.0, {3, 2}), Discrete(2), 2, rng, Json{{"fcnet_hiddens", {4}}}), flat);
  CHECK(flat.find("model.fc_1.weight")->rows == 6);
}
