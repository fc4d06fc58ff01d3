#include <doctest/doctest.h>

#include <string>

#include "rlpp/core/config.hpp"

using rlpp::Config;
using rlpp::ConfigError;
using rlpp::Json;

namespace {
Json defaults() {
  return Json{{"num_workers", 2},
              {"lr", 0.0001},
              {"horizon", nullptr},
              {"env_config", Json::object()},
              {"model", {{"fcnet_hiddens", {256, 256}}, {"fcnet_activation", "tanh"},
                         {"custom_model_config", Json::object()}}},
              {"exploration_config", {{"type", "StochasticSampling"}, {"random_timesteps", 0}}}};
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
  CHECK(rlpp::edit_distance("", "") == 0);
  CHECK(rlpp::edit_distance("kitten", "sitting") == 3);
  CHECK(rlpp::edit_distance("num_workers", "num_worker") == 1);
  CHECK(rlpp::edit_distance("abc", "") == 3);
}

TEST_CASE("closest_match suggests plausible typos only") {
  const std::vector<std::string> keys = {"num_workers", "lr", "train_batch_size"};
  CHECK(rlpp::closest_match("num_wokers", keys) == std::optional<std::string>("num_workers"));
  CHECK(rlpp::closest_match("train_batchsize", keys) == std::optional<std::string>("train_batch_size"));
  CHECK_FALSE(rlpp::closest_match("completely_unrelated", keys).has_value());
}

TEST_CASE("merge_config deep-merges user values over defaults") {
  const Json merged = rlpp::merge_config(defaults(), {{"lr", 0.5}, {"model", {{"fcnet_hiddens", {64}}}}});
  CHECK(merged["lr"] == 0.5);
  CHECK(merged["num_workers"] == 2);
  CHECK(merged["model"]["fcnet_hiddens"] == Json({64}));
  CHECK(merged["model"]["fcnet_activation"] == "tanh");  // sibling kept
}

TEST_CASE("an unknown top-level key is an error with a suggestion") {
  const auto message = error_of([] { rlpp::merge_config(defaults(), {{"num_wokers", 4}}); });
  CHECK(message.find("config.num_wokers") != std::string::npos);
  CHECK(message.find("unknown config key") != std::string::npos);
  CHECK(message.find("did you mean 'num_workers'?") != std::string::npos);
}

TEST_CASE("an unknown nested key names its full path") {
  const auto message = error_of([] { rlpp::merge_config(defaults(), {{"model", {{"fcnet_hidden", {64}}}}}); });
  CHECK(message.find("config.model.fcnet_hidden") != std::string::npos);
  CHECK(message.find("did you mean 'fcnet_hiddens'?") != std::string::npos);
}

TEST_CASE("free-form sub-dicts accept any keys, at any depth") {
  Json user = {{"env_config", {{"corridor_length", 5}, {"nested", {{"x", 1}}}}},
               {"model", {{"custom_model_config", {{"anything", true}}}}}};
  const Json merged = rlpp::merge_config(defaults(), user);
  CHECK(merged["env_config"]["corridor_length"] == 5);
  CHECK(merged["env_config"]["nested"]["x"] == 1);
  CHECK(merged["model"]["custom_model_config"]["anything"] == true);
}

TEST_CASE("exploration_config is replaced, not merged, when its type changes") {
  const Json same = rlpp::merge_config(defaults(), {{"exploration_config", {{"random_timesteps", 5}}}});
  CHECK(same["exploration_config"]["type"] == "StochasticSampling");
  CHECK(same["exploration_config"]["random_timesteps"] == 5);
  const Json other = rlpp::merge_config(
      defaults(), {{"exploration_config", {{"type", "EpsilonGreedy"}, {"initial_epsilon", 1.0}}}});
  CHECK(other["exploration_config"] == Json({{"type", "EpsilonGreedy"}, {"initial_epsilon", 1.0}}));
}

TEST_CASE("a null default accepts any value; an object default rejects a scalar") {
  CHECK(rlpp::merge_config(defaults(), {{"horizon", 200}})["horizon"] == 200);
  const auto message = error_of([] { rlpp::merge_config(defaults(), {{"model", 5}}); });
  CHECK(message.find("config.model: expected an object, got 5") != std::string::npos);
  // Also for a free-form dict whose default is empty.
  CHECK(error_of([] { rlpp::merge_config(defaults(), {{"env_config", "corridor"}}); }) ==
        "config.env_config: expected an object, got \"corridor\"");
  // null keeps meaning "use the default".
  CHECK(rlpp::merge_config(defaults(), {{"env_config", nullptr}})["env_config"] == rlpp::Json::object());
}

TEST_CASE("typed reads name the key path and the offending value") {
  const Config config(rlpp::merge_config(defaults(), {{"model", {{"fcnet_hiddens", 64}}}}));
  const auto message = error_of([&] { config.sub("model").positive_int_list("fcnet_hiddens"); });
  CHECK(message == "config.model.fcnet_hiddens: expected array of positive integers, got 64");
  CHECK(Config(defaults()).sub("model").positive_int_list("fcnet_hiddens") == std::vector<std::int64_t>{256, 256});
}

TEST_CASE("get<T> converts or explains") {
  const Config config(Json{{"a", 3}, {"b", 2.5}, {"c", "x"}, {"d", {1, 2}}, {"e", 4.0}, {"f", -1}, {"n", nullptr}});
  CHECK(config.get<int>("a") == 3);
  CHECK(config.get<double>("a") == 3.0);
  CHECK(config.get<int>("e") == 4);  // 4.0 is an integer value
  CHECK(config.get<std::string>("c") == "x");
  CHECK(config.get<std::vector<int>>("d") == std::vector<int>{1, 2});
  CHECK(config.get<std::optional<int>>("n") == std::nullopt);
  CHECK(error_of([&] { config.get<int>("b"); }) == "config.b: expected an integer, got 2.5");
  CHECK(error_of([&] { config.get<bool>("a"); }) == "config.a: expected a boolean, got 3");
  CHECK(error_of([&] { config.get<unsigned>("f"); }).find("config.f: expected a non-negative integer") == 0);
  CHECK(config.get<std::size_t>("a") == 3);  // a signed literal that is non-negative
  CHECK(error_of([&] { config.get<std::vector<int>>("c"); }) == "config.c: expected an array, got \"x\"");
  CHECK(error_of([&] { config.get<int>("missing"); }).find("config.missing: missing required key") == 0);
  CHECK(config.get_or<int>("missing", 7) == 7);
  CHECK(config.get_or<int>("n", 7) == 7);
}

TEST_CASE("array element errors name the element index") {
  const Config config(Json{{"sizes", {64, "x"}}});
  CHECK(error_of([&] { config.get<std::vector<int>>("sizes"); }) == "config.sizes[1]: expected an integer, got \"x\"");
}

TEST_CASE("one_of lists the choices and suggests the closest") {
  const Config config(Json{{"batch_mode", "truncate_episode"}});
  const auto message = error_of([&] { config.one_of("batch_mode", {"truncate_episodes", "complete_episodes"}); });
  CHECK(message.find("config.batch_mode: unknown value 'truncate_episode'") == 0);
  CHECK(message.find("did you mean 'truncate_episodes'?") != std::string::npos);
}

TEST_CASE("number_in and positive_int check ranges") {
  const Config config(Json{{"gamma", 1.5}, {"n", 0}});
  CHECK(error_of([&] { config.number_in("gamma", 0.0, 1.0); }).find("config.gamma: expected a number in [0") == 0);
  CHECK(error_of([&] { config.positive_int("n"); }) == "config.n: expected a positive integer, got 0");
}

TEST_CASE("Config rejects a non-object") {
  CHECK(error_of([] { Config(Json::array()); }) == "config: expected an object, got []");
}
