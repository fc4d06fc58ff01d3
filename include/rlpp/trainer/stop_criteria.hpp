#pragma once
// StopCriteria: Tune's `stop` dict. Any result key (nested keys with '/', e.g.
// "evaluation/episode_reward_mean", or written as a nested dict) with a threshold; a trial stops
// after the first iteration whose result reaches one of them (value >= threshold, for every key,
// as Tune compares). Used by run_trial and `rlpp train --stop`.

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/pretty_print.hpp"
#include "rlpp/trainer/results.hpp"

namespace rlpp {

class StopCriteria {
 public:
  struct Criterion {
    std::string key;  // '/'-separated path into the result
    double threshold = 0.0;
  };

  StopCriteria() = default;
  // `stop`: a JSON object of numbers (or booleans: true = 1) or nested objects of them; null is
  // no criterion. Anything else is a ConfigError naming "stop.<key>".
  explicit StopCriteria(const Json& stop) : json_(stop.is_null() ? Json::object() : stop) {
    if (!json_.is_object())
      throw ConfigError("stop", std::string("expected a JSON object of result keys and thresholds, got ") + json_.type_name(),
                        "e.g. {\"training_iteration\": 20, \"episode_reward_mean\": 150}");
    const Json flat = flatten(json_);
    for (const auto& [key, value] : flat.items()) {
      if (value.is_boolean()) criteria_.push_back({key, value.get<bool>() ? 1.0 : 0.0});
      else if (value.is_number()) criteria_.push_back({key, value.get<double>()});
      else
        throw ConfigError("stop." + key, "expected a number, got " + value.dump(),
                          "stop criteria are thresholds: the trial stops once result[key] >= value");
    }
  }

  bool empty() const noexcept { return criteria_.empty(); }
  const std::vector<Criterion>& criteria() const noexcept { return criteria_; }
  const Json& json() const noexcept { return json_; }

  // The first criterion (in key order) that `result` meets, described as
  // "training_iteration >= 20 (got 20)", or nullopt. A key missing from the result, null or
  // NaN does not stop the trial (evaluation keys appear only on evaluation iterations).
  std::optional<std::string> met(const Json& result) const {
    for (const Criterion& c : criteria_) {
      const double value = detail::number_at(result, c.key);
      if (!std::isnan(value) && value >= c.threshold)
        return c.key + " >= " + detail::short_number(c.threshold) + " (got " + detail::short_number(value) + ")";
    }
    return std::nullopt;
  }

  // The criteria whose key `result` does not hold at all: a typo, or a key that only some
  // iterations report.
  std::vector<std::string> missing_keys(const Json& result) const {
    std::vector<std::string> out;
    for (const Criterion& c : criteria_)
      if (!detail::has_key(result, c.key)) out.push_back(c.key);
    return out;
  }

 private:
  Json json_ = Json::object();
  std::vector<Criterion> criteria_;
};

}  // namespace rlpp
