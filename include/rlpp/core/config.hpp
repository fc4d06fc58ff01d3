#pragma once
// Configuration: RLlib-style JSON configs with the user's config deep-merged over defaults,
// unknown keys rejected with a "did you mean" suggestion (except inside free-form sub-dicts such
// as env_config), and typed reads whose errors name the full key path:
//   config.model.fcnet_hiddens: expected array of positive integers, got 64

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp {

// Levenshtein distance (insert, delete, substitute each cost 1).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate closest to `name`, if it is close enough to be a plausible typo
// (distance at most max(2, len/3)).
inline std::optional<std::string> closest_match(std::string_view name,
                                                const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  if (best && best_distance <= limit) return best;
  return std::nullopt;
}

// "did you mean 'x'?" or an empty string.
inline std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  if (auto match = closest_match(name, candidates)) return "did you mean '" + *match + "'?";
  return {};
}

// A short rendering of a JSON value for error messages (long values are cut).
inline std::string describe_json(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) {  // (resize + append: GCC 12 warns falsely on substr(...) + "..." at -O3)
    text.resize(57);
    text += "...";
  }
  return text;
}

inline std::string join_path(std::string_view path, std::string_view key) {
  std::string joined(path);
  if (!joined.empty()) joined += '.';
  joined += key;
  return joined;
}

namespace detail {
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
constexpr const char* type_description() {
  if constexpr (std::is_same_v<T, bool>) return "a boolean";
  else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) return "a non-negative integer";
  else if constexpr (std::is_integral_v<T>) return "an integer";
  else if constexpr (std::is_floating_point_v<T>) return "a number";
  else if constexpr (std::is_same_v<T, std::string>) return "a string";
  else if constexpr (is_vector<T>::value) return "an array";
  else return "a value of the expected type";
}
}  // namespace detail

// Reads `value` as T, or throws ConfigError naming `path`. T: bool, integers, floating point,
// std::string, std::vector<T>, std::optional<T> (null -> nullopt), Json.
template <class T>
T json_as(const Json& value, std::string_view path) {
  auto fail = [&](std::string expected) -> ConfigError {
    return ConfigError(std::string(path), "expected " + expected + ", got " + describe_json(value));
  };
  if constexpr (std::is_same_v<T, Json>) {
    return value;
  } else if constexpr (detail::is_optional<T>::value) {
    if (value.is_null()) return std::nullopt;
    return json_as<typename T::value_type>(value, path);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) throw fail("a boolean");
    return value.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    // Accept 3 and 3.0 (YAML/JSON writers differ), reject 3.5 and out-of-range values.
    if (value.is_number_integer()) {
      if constexpr (std::is_unsigned_v<T>) {
        // A literal 7 in C++-built JSON is stored signed; parsed text stores it unsigned.
        const bool non_negative = value.is_number_unsigned() || value.get<std::int64_t>() >= 0;
        if (non_negative) {
          const auto v = value.get<std::uint64_t>();
          if (v <= std::numeric_limits<T>::max()) return static_cast<T>(v);
        }
      } else {
        if (value.is_number_unsigned()) {
          const auto v = value.get<std::uint64_t>();
          if (v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(v);
        } else {
          const auto v = value.get<std::int64_t>();
          if (v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max())
            return static_cast<T>(v);
        }
      }
      throw fail(detail::type_description<T>() + std::string(" in range"));
    }
    if (value.is_number_float()) {
      const double v = value.get<double>();
      if (v == static_cast<double>(static_cast<std::int64_t>(v)) &&
          v >= static_cast<double>(std::numeric_limits<T>::min()) &&
          v <= static_cast<double>(std::numeric_limits<T>::max()))
        return static_cast<T>(v);
    }
    throw fail(detail::type_description<T>());
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!value.is_number()) throw fail("a number");
    return value.get<T>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) throw fail("a string");
    return value.get<std::string>();
  } else if constexpr (detail::is_vector<T>::value) {
    if (!value.is_array()) throw fail("an array");
    T out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i)
      out.push_back(json_as<typename T::value_type>(value[i], std::string(path) + "[" + std::to_string(i) + "]"));
    return out;
  } else {
    static_assert(sizeof(T) == 0, "json_as supports bool, integers, floating point, std::string, "
                                  "std::vector, std::optional and Json");
  }
}

// A read-only view of a JSON config object that knows its own key path, so every error it
// raises names the full path ("config.model.fcnet_hiddens").
class Config {
 public:
  Config() : json_(Json::object()), path_("config") {}
  explicit Config(Json json, std::string path = "config") : json_(std::move(json)), path_(std::move(path)) {
    if (!json_.is_object()) throw ConfigError(path_, "expected an object, got " + describe_json(json_));
  }

  const Json& json() const noexcept { return json_; }
  const std::string& path() const noexcept { return path_; }
  std::string path_of(std::string_view key) const { return join_path(path_, key); }

  bool contains(std::string_view key) const { return json_.contains(key); }
  std::vector<std::string> keys() const {
    std::vector<std::string> names;
    for (const auto& item : json_.items()) names.push_back(item.key());
    return names;
  }

  // The raw value at `key`; a missing key is a ConfigError with a suggestion.
  const Json& value(std::string_view key) const {
    auto it = json_.find(key);
    if (it == json_.end()) {
      throw ConfigError(path_of(key), "missing required key", did_you_mean(key, keys()));
    }
    return *it;
  }

  // The sub-dict at `key` as a Config (path extended).
  Config sub(std::string_view key) const { return Config(value(key), path_of(key)); }

  template <class T>
  T get(std::string_view key) const { return json_as<T>(value(key), path_of(key)); }

  // `fallback` when the key is absent or null.
  template <class T>
  T get_or(std::string_view key, T fallback) const {
    auto it = json_.find(key);
    if (it == json_.end() || it->is_null()) return fallback;
    return json_as<T>(*it, path_of(key));
  }

  std::int64_t positive_int(std::string_view key) const {
    const Json& v = value(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0)
      throw ConfigError(path_of(key), "expected a positive integer, got " + describe_json(v));
    return v.get<std::int64_t>();
  }
  std::int64_t non_negative_int(std::string_view key) const {
    const Json& v = value(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
      throw ConfigError(path_of(key), "expected a non-negative integer, got " + describe_json(v));
    return v.get<std::int64_t>();
  }
  double number_in(std::string_view key, double low, double high) const {
    const double v = get<double>(key);
    if (!(v >= low && v <= high))
      throw ConfigError(path_of(key), "expected a number in [" + std::to_string(low) + ", " +
                                          std::to_string(high) + "], got " + describe_json(value(key)));
    return v;
  }
  std::vector<std::int64_t> positive_int_list(std::string_view key) const {
    const Json& v = value(key);
    bool ok = v.is_array();
    if (ok)
      for (const auto& e : v) ok = ok && e.is_number_integer() && e.get<std::int64_t>() > 0;
    if (!ok) throw ConfigError(path_of(key), "expected array of positive integers, got " + describe_json(v));
    return v.get<std::vector<std::int64_t>>();
  }
  std::string one_of(std::string_view key, const std::vector<std::string>& choices) const {
    const Json& v = value(key);
    if (v.is_string()) {
      const auto s = v.get<std::string>();
      if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "'" : ", '") + c + "'";
      throw ConfigError(path_of(key), "unknown value '" + s + "'; expected one of " + list, did_you_mean(s, choices));
    }
    throw ConfigError(path_of(key), "expected a string, got " + describe_json(v));
  }

 private:
  Json json_;
  std::string path_;
};

// How a config is merged over its defaults.
struct MergeRules {
  // Dotted paths (relative to the top) of dict-valued keys whose sub-keys are free-form:
  // not checked against the defaults ("env_config", "model.custom_model_config").
  // exploration_config: each strategy checks its own keys when it is built.
  std::vector<std::string> free_form = {"env_config", "model.custom_model_config", "optimizer", "exploration_config",
                                        "custom_resources_per_worker", "evaluation_config",
                                        "logger_config", "input_config", "multiagent.policies",
                                        "extra_python_environs_for_driver",
                                        "extra_python_environs_for_worker"};
  // Dotted paths of dicts replaced whole, not merged, when the user's "type" differs from the
  // default's (RLlib's exploration_config rule).
  std::vector<std::string> replace_if_type_changes = {"exploration_config"};
  // Dotted paths of dict-valued keys that may also be given as a list (multiagent.policies: a
  // list of policy ids, each with the trainer's policy class and config).
  std::vector<std::string> dict_or_list = {"multiagent.policies"};
};

namespace detail {
inline bool contains_path(const std::vector<std::string>& paths, std::string_view path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

inline void merge_into(Json& target, const Json& user, const MergeRules& rules, const std::string& relative,
                       const std::string& full, bool check_keys) {
  std::vector<std::string> known;
  if (check_keys)
    for (const auto& item : target.items()) known.push_back(item.key());
  for (const auto& item : user.items()) {
    const std::string key = item.key();
    const std::string rel = relative.empty() ? key : relative + "." + key;
    const std::string path = join_path(full, key);
    auto it = target.find(key);
    if (it == target.end()) {
      if (check_keys) {
        throw ConfigError(path, "unknown config key",
                          did_you_mean(key, known).empty()
                              ? "remove it; see the defaults for the valid keys"
                              : did_you_mean(key, known));
      }
      target[key] = item.value();
      continue;
    }
    Json& slot = *it;
    const Json& incoming = item.value();
    if (slot.is_object() && incoming.is_object()) {
      if (contains_path(rules.replace_if_type_changes, rel) && incoming.contains("type") &&
          slot.value("type", Json()) != incoming["type"]) {
        slot = incoming;
        continue;
      }
      const bool free = contains_path(rules.free_form, rel);
      merge_into(slot, incoming, rules, rel, path, check_keys && !free);
    } else if (slot.is_object() && incoming.is_array() && contains_path(rules.dict_or_list, rel)) {
      slot = incoming;
    } else if (slot.is_object()) {
      // null for a dict-valued key keeps the default dict; anything else is a type error.
      if (!incoming.is_null()) throw ConfigError(path, "expected an object, got " + describe_json(incoming));
    } else {
      slot = incoming;
    }
  }
}
}  // namespace detail

// Deep-merges `user` over `defaults` (objects merge key by key, everything else replaces) and
// rejects keys the defaults do not have, outside the free-form sub-dicts named in `rules`.
inline Json merge_config(const Json& defaults, const Json& user, const MergeRules& rules = {},
                         const std::string& path = "config") {
  if (!defaults.is_object()) throw ConfigError(path, "defaults must be an object");
  if (user.is_null()) return defaults;
  if (!user.is_object()) throw ConfigError(path, "expected an object, got " + describe_json(user));
  Json merged = defaults;
  detail::merge_into(merged, user, rules, "", path, true);
  return merged;
}

}  // namespace rlpp
