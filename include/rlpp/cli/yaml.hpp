#pragma once
// YAML experiment files (RLlib's tuned examples are YAML), read with yaml-cpp when the program is
// built with RLPP_HAVE_YAML (CMake defines it for the `rlpp` tool and the CLI tests when the
// Debian package libyaml-cpp-dev is installed). Scalars are typed as PyYAML (YAML 1.1), which
// RLlib uses, types them: null (~, null, empty), booleans (true/false, yes/no, on/off in their
// three spellings), integers, floats (also 1e-5 and .inf / .nan), everything else a string;
// quoted scalars are always strings.

#if defined(RLPP_HAVE_YAML)

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>

#include <yaml-cpp/yaml.h>

#include "rlpp/core/json.hpp"

namespace rlpp::cli {

namespace detail {
inline bool one_of_spellings(const std::string& s, const char* lower) {
  std::string title = lower, upper = lower;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s == lower || s == title || s == upper;
}

inline Json yaml_scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: a string whatever it looks like
  if (s.empty() || s == "~" || one_of_spellings(s, "null")) return nullptr;
  for (const char* t : {"true", "yes", "on"})
    if (one_of_spellings(s, t)) return true;
  for (const char* f : {"false", "no", "off"})
    if (one_of_spellings(s, f)) return false;
  std::string digits;
  for (char c : s)
    if (c != '_') digits += c;
  const char* begin = digits.c_str();
  char* end = nullptr;
  errno = 0;
  const long long integer = std::strtoll(begin, &end, 10);
  if (end != begin && *end == '\0' && errno == 0) return integer;
  for (const char* inf : {".inf", "+.inf"})
    if (one_of_spellings(digits, inf)) return std::numeric_limits<double>::infinity();
  if (one_of_spellings(digits, "-.inf")) return -std::numeric_limits<double>::infinity();
  if (one_of_spellings(digits, ".nan")) return std::numeric_limits<double>::quiet_NaN();
  errno = 0;
  const double real = std::strtod(begin, &end);
  const bool numeric_text = digits.find_first_not_of("0123456789+-.eE") == std::string::npos;
  if (end != begin && *end == '\0' && errno == 0 && numeric_text) return real;
  return s;
}
}  // namespace detail

// A YAML document as JSON: mappings become objects (keys as text), sequences arrays.
inline Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return detail::yaml_scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = yaml_to_json(item.second);
      return out;
    }
  }
  return nullptr;
}

}  // namespace rlpp::cli

#endif  // RLPP_HAVE_YAML
