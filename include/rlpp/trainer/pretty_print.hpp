#pragma once
// Printing results: pretty_print, RLlib's full YAML view of a result dict (printed each
// iteration with -v), and progress_line, one short line per iteration for the CLI's default
// verbosity. docs/training.md, "Printing results".

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/trainer/detail/text_format.hpp"

namespace rlpp {

namespace detail {
inline std::string yaml_scalar(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer: return std::to_string(value.get<std::int64_t>());
    case Json::value_t::number_unsigned: return std::to_string(value.get<std::uint64_t>());
    case Json::value_t::number_float: return yaml_float(value.get<double>());
    case Json::value_t::string: return yaml_string(value.get<std::string>());
    case Json::value_t::object: return "{}";  // only empty ones reach here
    case Json::value_t::array: return "[]";
    default: return "null";  // binary / discarded: not produced by results
  }
}

inline bool is_block_collection(const Json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

inline void yaml_sequence(const Json& list, std::size_t indent, bool inline_first, std::string& out);

// A block mapping at column `indent`. `inline_first`: the first key continues the current line
// (after "- "). Sequences under a key are not indented further (PyYAML's default).
inline void yaml_mapping(const Json& object, std::size_t indent, bool inline_first, std::string& out) {
  bool first = true;
  for (const auto& [key, value] : object.items()) {
    if (!(first && inline_first)) out.append(indent, ' ');
    first = false;
    out += yaml_string(key);
    out += ':';
    if (value.is_object() && !value.empty()) {
      out += '\n';
      yaml_mapping(value, indent + 2, false, out);
    } else if (value.is_array() && !value.empty()) {
      out += '\n';
      yaml_sequence(value, indent, false, out);
    } else {
      out += ' ';
      out += yaml_scalar(value);
      out += '\n';
    }
  }
}

inline void yaml_sequence(const Json& list, std::size_t indent, bool inline_first, std::string& out) {
  bool first = true;
  for (const Json& item : list) {
    if (!(first && inline_first)) out.append(indent, ' ');
    first = false;
    out += "- ";
    if (item.is_object() && !item.empty()) {
      yaml_mapping(item, indent + 2, true, out);
    } else if (item.is_array() && !item.empty()) {
      yaml_sequence(item, indent + 2, true, out);
    } else {
      out += yaml_scalar(item);
      out += '\n';
    }
  }
}

// Compact number for progress_line: 4 significant figures or more, without exponents for
// everyday magnitudes and without trailing zeros: 145.3, 19.87, 1.2, 20, 0.0123, -1235.
inline std::string short_number(double value) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double magnitude = std::fabs(value);
  char text[64];
  if (magnitude < 1.0 && magnitude != 0.0) {
    std::snprintf(text, sizeof text, "%.3g", value);
    return text;
  }
  const int decimals = magnitude >= 1000.0 ? 0 : magnitude >= 100.0 ? 1 : 2;
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  std::string out = text;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

// The number at `key` (a '/'-separated path into nested objects), or NaN when it is missing,
// null or not a number.
inline double number_at(const Json& result, std::string_view key) {
  const Json* node = &result;
  while (true) {
    const std::size_t slash = key.find('/');
    const std::string part(key.substr(0, slash));
    if (!node->is_object()) return std::nan("");
    const auto found = node->find(part);
    if (found == node->end()) return std::nan("");
    node = &*found;
    if (slash == std::string_view::npos) break;
    key.remove_prefix(slash + 1);
  }
  return node->is_number() ? node->get<double>() : std::nan("");
}

inline bool has_key(const Json& result, std::string_view key) {
  const Json* node = &result;
  while (true) {
    const std::size_t slash = key.find('/');
    if (!node->is_object()) return false;
    const auto found = node->find(std::string(key.substr(0, slash)));
    if (found == node->end()) return false;
    node = &*found;
    if (slash == std::string_view::npos) return true;
    key.remove_prefix(slash + 1);
  }
}

inline std::string whole_number(double value) {
  if (!std::isfinite(value)) return short_number(value);
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}
}  // namespace detail

// A result dict as RLlib prints it (Tune's pretty_print: yaml.safe_dump(result,
// default_flow_style=False)) without "config" and "hist_stats" and without top-level null
// values, which RLlib leaves out too. Block-style YAML with sorted keys (rlpp's Json keeps
// them sorted, as safe_dump sorts), nested mappings indented 2 spaces, sequences under a key
// not indented ("key:\n- 1\n- 2"), floats as Python's repr ("200.0", "1.0e-05", ".nan"), strings
// quoted only where YAML would read them otherwise ('1.5', 'true', ''). Differences from
// PyYAML: non-ASCII text is printed as UTF-8, not escaped, and long strings are not folded.
inline std::string pretty_print(const Json& result) {
  std::string out;
  if (result.is_object()) {
    Json shown = Json::object();
    for (const auto& [key, value] : result.items())
      if (key != "config" && key != "hist_stats" && !value.is_null()) shown[key] = value;
    if (shown.empty()) return "{}\n";
    detail::yaml_mapping(shown, 0, false, out);
  } else if (detail::is_block_collection(result)) {
    detail::yaml_sequence(result, 0, false, out);
  } else {
    out = detail::yaml_scalar(result) + "\n";
  }
  return out;
}

// One line per training iteration, for the CLI's default (non -v) output:
//   iter 12 | ts 24000 | reward 145.3 (min 20 max 200) | len 145.3 | eval 190.2 | 1.23 s/iter | 19500 steps/s
// from training_iteration, timesteps_total, episode_reward_mean/min/max, episode_len_mean,
// evaluation/episode_reward_mean, time_this_iter_s and timesteps_this_iter / time_this_iter_s.
// A part whose key is missing is left out; a reward or length that is null or NaN (no episode
// has finished yet) shows as "-", and "(min .. max ..)" only when both are numbers. No trailing
// newline; an empty string when none of the keys is there.
inline std::string progress_line(const Json& result) {
  std::vector<std::string> parts;
  if (detail::has_key(result, "training_iteration"))
    parts.push_back("iter " + detail::whole_number(detail::number_at(result, "training_iteration")));
  if (detail::has_key(result, "timesteps_total"))
    parts.push_back("ts " + detail::whole_number(detail::number_at(result, "timesteps_total")));
  if (detail::has_key(result, "episode_reward_mean")) {
    std::string part = "reward " + detail::short_number(detail::number_at(result, "episode_reward_mean"));
    const double low = detail::number_at(result, "episode_reward_min");
    const double high = detail::number_at(result, "episode_reward_max");
    if (!std::isnan(low) && !std::isnan(high))
      part += " (min " + detail::short_number(low) + " max " + detail::short_number(high) + ")";
    parts.push_back(std::move(part));
  }
  if (detail::has_key(result, "episode_len_mean"))
    parts.push_back("len " + detail::short_number(detail::number_at(result, "episode_len_mean")));
  if (detail::has_key(result, "evaluation/episode_reward_mean"))
    parts.push_back("eval " + detail::short_number(detail::number_at(result, "evaluation/episode_reward_mean")));
  const double seconds = detail::number_at(result, "time_this_iter_s");
  if (!std::isnan(seconds)) {
    parts.push_back(detail::short_number(seconds) + " s/iter");
    const double steps = detail::number_at(result, "timesteps_this_iter");
    if (!std::isnan(steps) && seconds > 0.0) parts.push_back(detail::whole_number(steps / seconds) + " steps/s");
  }
  std::string line;
  for (const std::string& part : parts) {
    if (!line.empty()) line += " | ";
    line += part;
  }
  return line;
}

}  // namespace rlpp
