#pragma once
// Reads the schedule-valued exploration keys (epsilon_schedule, scale_schedule) into an
// nn::Schedule. RLlib builds them with from_config(Schedule, ...); rlpp accepts the same dicts
// plus the [[t, v], ...] list form of lr_schedule:
//   null                                   -> no schedule (the strategy builds its own)
//   0.1                                    -> ConstantSchedule(0.1)
//   [[0, 1.0], [10000, 0.05]]              -> PiecewiseSchedule, outside value = the last value
//   {"type": "ConstantSchedule", "value": v}
//   {"type": "LinearSchedule", "schedule_timesteps": T, "final_p": f, "initial_p": 1.0}
//   {"type": "PolynomialSchedule", "schedule_timesteps": T, "final_p": f, "initial_p": 1.0, "power": 2.0}
//   {"type": "ExponentialSchedule", "schedule_timesteps": T, "initial_p": 1.0, "decay_rate": 0.1}
//   {"type": "PiecewiseSchedule", "endpoints": [[t, v], ...], "interpolation": "linear",
//    "outside_value": null}   (null: a timestep outside the endpoints is an Error, as in RLlib)

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/schedules.hpp"

namespace rlpp::detail::exploration {

inline std::optional<nn::Schedule> schedule_from_config(const Json& value, const std::string& path) {
  if (value.is_null()) return std::nullopt;
  if (value.is_number()) return nn::ConstantSchedule(value.get<double>());
  if (value.is_array()) return nn::lr_schedule_from_config(value, 0.0, path);
  const std::vector<std::string> types = {"ConstantSchedule", "LinearSchedule", "PolynomialSchedule",
                                          "ExponentialSchedule", "PiecewiseSchedule"};
  const std::string expected =
      "null, a number, a list of [timestep, value] pairs or a dict with \"type\": one of ConstantSchedule, "
      "LinearSchedule, PolynomialSchedule, ExponentialSchedule, PiecewiseSchedule";
  if (!value.is_object() || !value.contains("type"))
    throw ConfigError(path, "expected " + expected + ", got " + describe_json(value));
  const std::string type = Config(value, path).one_of("type", types);

  Json defaults;
  if (type == "ConstantSchedule") defaults = {{"type", type}, {"value", nullptr}};
  else if (type == "LinearSchedule")
    defaults = {{"type", type}, {"schedule_timesteps", nullptr}, {"final_p", nullptr}, {"initial_p", 1.0}};
  else if (type == "PolynomialSchedule")
    defaults = {{"type", type},      {"schedule_timesteps", nullptr}, {"final_p", nullptr},
                {"initial_p", 1.0}, {"power", 2.0}};
  else if (type == "ExponentialSchedule")
    defaults = {{"type", type}, {"schedule_timesteps", nullptr}, {"initial_p", 1.0}, {"decay_rate", 0.1}};
  else
    defaults = {{"type", type}, {"endpoints", nullptr}, {"interpolation", "linear"}, {"outside_value", nullptr}};
  const Config config(merge_config(defaults, value, MergeRules{{}, {}}, path), path);

  const auto number = [&](const char* key) {
    if (config.json().at(key).is_null())
      throw ConfigError(config.path_of(key), "missing required key of a " + type);
    const double v = config.get<double>(key);
    if (!std::isfinite(v)) throw ConfigError(config.path_of(key), "expected a finite number, got " + describe_json(config.value(key)));
    return v;
  };
  const auto timesteps = [&] {
    const double t = number("schedule_timesteps");
    if (!(t > 0.0)) throw ConfigError(config.path_of("schedule_timesteps"), "expected a number > 0, got " + describe_json(config.value("schedule_timesteps")));
    return t;
  };

  if (type == "ConstantSchedule") return nn::ConstantSchedule(number("value"));
  if (type == "LinearSchedule") return nn::LinearSchedule(timesteps(), number("final_p"), number("initial_p"));
  if (type == "PolynomialSchedule")
    return nn::PolynomialSchedule(timesteps(), number("final_p"), number("initial_p"), number("power"));
  if (type == "ExponentialSchedule")
    return nn::ExponentialSchedule(timesteps(), number("initial_p"), number("decay_rate"));

  config.one_of("interpolation", {"linear"});
  const Json& endpoints = config.value("endpoints");
  const std::string endpoints_path = config.path_of("endpoints");
  if (endpoints.is_null()) throw ConfigError(endpoints_path, "missing required key of a PiecewiseSchedule");
  if (!endpoints.is_array() || endpoints.empty())
    throw ConfigError(endpoints_path, "expected a non-empty list of [timestep, value] pairs, got " + describe_json(endpoints));
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const Json& pair = endpoints[i];
    const std::string item = endpoints_path + "[" + std::to_string(i) + "]";
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number())
      throw ConfigError(item, "expected a [timestep, value] pair of numbers, got " + describe_json(pair));
    if (!points.empty() && pair[0].get<double>() < points.back().first)
      throw ConfigError(item, "timesteps must be ascending: " + describe_json(pair[0]) + " comes after " +
                                  describe_json(endpoints[i - 1][0]));
    points.emplace_back(pair[0].get<double>(), pair[1].get<double>());
  }
  std::optional<double> outside;
  if (!config.json().at("outside_value").is_null()) outside = number("outside_value");
  return nn::PiecewiseSchedule(std::move(points), outside);
}

}  // namespace rlpp::detail::exploration
