#include <doctest/doctest.h>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/model_defaults.hpp"

using rlpp::Json;

TEST_CASE("model_defaults holds RLlib's MODEL_DEFAULTS") {
  const Json d = rlpp::model_defaults();
  CHECK(d["fcnet_hiddens"] == Json::array({256, 256}));
  CHECK(d["fcnet_activation"] == "tanh");
  CHECK(d["conv_filters"].is_null());
  CHECK(d["post_fcnet_hiddens"] == Json::array());
  CHECK(d["post_fcnet_activation"] == "relu");
  CHECK(d["free_log_std"] == false);
  CHECK(d["no_final_linear"] == false);
  CHECK(d["vf_share_layers"] == true);
  CHECK(d["use_lstm"] == false);
  CHECK(d["max_seq_len"] == 20);
  CHECK(d["lstm_cell_size"] == 256);
  CHECK(d["lstm_use_prev_action"] == false);
  CHECK(d["lstm_use_prev_reward"] == false);
  CHECK(d["_time_major"] == false);
  CHECK(d["use_attention"] == false);
  CHECK(d["attention_dim"] == 64);
  CHECK(d["attention_init_gru_gate_bias"] == 2.0);
  CHECK(d["framestack"] == true);
  CHECK(d["dim"] == 84);
  CHECK(d["custom_model"].is_null());
  CHECK(d["custom_model_config"] == Json::object());
  CHECK(d["weights_initializer"] == "normc");  // rlpp's one addition
  CHECK(d.size() == 38 + 1);  // every row of the reference table, and weights_initializer
  // The defaults validate.
  CHECK_NOTHROW(rlpp::validate_model_config(rlpp::Config(d, "config.model")));
}

TEST_CASE("merge_model_config merges a user's model dict over the defaults") {
  const Json merged = rlpp::merge_model_config(Json{{"fcnet_hiddens", {32}},
                                                    {"fcnet_activation", "relu"},
                                                    {"custom_model_config", {{"anything", {1, 2}}}}});
  CHECK(merged["fcnet_hiddens"] == Json::array({32}));  // lists replace, they do not merge
  CHECK(merged["fcnet_activation"] == "relu");
  CHECK(merged["custom_model_config"]["anything"] == Json::array({1, 2}));  // free-form
  CHECK(merged["vf_share_layers"] == true);
  CHECK(rlpp::merge_model_config(merged) == merged);  // idempotent
  CHECK(rlpp::merge_model_config(Json()) == rlpp::model_defaults());
  // null activation = linear, as in RLlib.
  CHECK_NOTHROW(rlpp::merge_model_config(Json{{"fcnet_activation", nullptr}}));
  CHECK_NOTHROW(rlpp::merge_model_config(Json{{"fcnet_activation", "swish"}}));
  CHECK_NOTHROW(rlpp::merge_model_config(Json{{"fcnet_activation", "silu"}}));
  CHECK_NOTHROW(rlpp::merge_model_config(Json{{"fcnet_hiddens", Json::array()}}));
  CHECK_NOTHROW(rlpp::merge_model_config(Json{{"conv_filters", {{16, {4, 4}, 2}, {32, 4, 2}, {256, 11, 1}}}}));
}

TEST_CASE("the deprecated lstm_use_prev_action_reward sets both new flags") {
  const Json merged = rlpp::merge_model_config(Json{{"lstm_use_prev_action_reward", true}});
  CHECK(merged["lstm_use_prev_action"] == true);
  CHECK(merged["lstm_use_prev_reward"] == true);
  CHECK(rlpp::merge_model_config(Json())["lstm_use_prev_action"] == false);
}

TEST_CASE("model config errors name the key path and what was expected") {
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"fcnet_hidden", {64}}}),
                       "config.model.fcnet_hidden: unknown config key (did you mean 'fcnet_hiddens'?)",
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"fcnet_hiddens", {64, 0}}}),
                       "config.model.fcnet_hiddens: expected array of positive integers, got [64,0]",
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"fcnet_activation", "tanhh"}}),
                       "config.model.fcnet_activation: unknown activation 'tanhh'; expected one of 'tanh', 'relu', "
                       "'swish', 'silu', 'elu', 'linear' or null (did you mean 'tanh'?)",
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"max_seq_len", 0}}),
                       "config.model.max_seq_len: expected a positive integer, got 0", rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"lstm_cell_size", -4}}, "config.multiagent.policies.p0.model"),
                       "config.multiagent.policies.p0.model.lstm_cell_size: expected a positive integer, got -4",
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"use_lstm", "yes"}}),
                       "config.model.use_lstm: expected a boolean, got \"yes\"", rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"custom_model_config", 3}}),
                       "config.model.custom_model_config: expected an object, got 3", rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"custom_model", 3}}),
                       "config.model.custom_model: expected a name or null, got 3", rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::merge_model_config(Json{{"conv_filters", {{16, 4}}}}),
                       "config.model.conv_filters[0]: expected [out_channels, kernel, stride] with positive integers "
                       "(kernel and stride may be [h, w] pairs), got [16,4]",
                       rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::merge_model_config(Json{{"attention_use_n_prev_actions", -1}}), rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::merge_model_config(Json::array()), rlpp::ConfigError);
}
