#pragma once
// Text formats shared by the trainer's result files and printing: Python's repr of a float (what
// Tune writes into progress.csv and what PyYAML starts from), RFC 4180 CSV fields and records,
// and YAML 1.1 scalars as PyYAML's safe_dump writes them.

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <regex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rlpp/core/json.hpp"

namespace rlpp::detail {

// Python's repr(float): the shortest decimal that reads back to `value`, in fixed notation when
// the decimal exponent is in [-5, 16) with at least one digit after the point ("200.0",
// "0.0001", "1000000000000000.0"), otherwise in scientific notation with a signed two-digit
// exponent ("1e-05", "1.5e+16"); "nan", "inf", "-inf".
inline std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  if (ec != std::errc()) return "nan";  // cannot happen: 64 characters hold any double
  // buffer: [-]d[.ddd]e(+|-)xx
  std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  std::string out;
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  const std::size_t e_at = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e_at))
    if (c != '.') digits += c;
  int exponent = 0;
  std::string_view exponent_text = text.substr(e_at + 1);
  if (exponent_text.front() == '+') exponent_text.remove_prefix(1);
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);

  if (exponent < -4 || exponent >= 16) {
    out += digits.front();
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
  } else {
    const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= integer_digits) {
      out += digits;
      out.append(integer_digits - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, integer_digits);
      out += '.';
      out.append(digits, integer_digits);
    }
  }
  return out;
}

// ---- CSV (RFC 4180, with "\n" line ends) --------------------------------------------------

// `text` as one CSV field: quoted, with inner quotes doubled, when it holds a comma, a quote or
// a line break (Python's csv.QUOTE_MINIMAL).
inline void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// One record from its fields, ending in "\n". A record of one empty field is written `""`
// (as Python's csv does), because CSV readers skip blank lines.
inline std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  if (fields.size() == 1 && fields.front().empty()) return "\"\"\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    append_csv_field(out, fields[i]);
  }
  out += '\n';
  return out;
}

// Offsets one past the "\n" that ends each complete record of `text` (a "\n" inside a quoted
// field does not end a record). Bytes after the last offset are an unfinished record.
inline std::vector<std::size_t> csv_record_ends(std::string_view text) {
  std::vector<std::size_t> ends;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;  // "" inside a quoted field toggles twice
    else if (text[i] == '\n' && !quoted) ends.push_back(i + 1);
  }
  return ends;
}

// The fields of one record (its line end, "\n" or "\r\n", already removed or not).
inline std::vector<std::string> parse_csv_record(std::string_view record) {
  if (!record.empty() && record.back() == '\n') record.remove_suffix(1);
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (quoted) {
      if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// ---- YAML scalars (PyYAML safe_dump) ---------------------------------------------------------

// PyYAML's float: repr, with ".0" inserted before an exponent that follows no point (1e-05 ->
// 1.0e-05, so that YAML 1.1 reads it as a float), and .nan / .inf / -.inf.
inline std::string yaml_float(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  std::string text = python_float_repr(value);
  const std::size_t e_at = text.find('e');
  if (e_at != std::string::npos && text.find('.') == std::string::npos) text.insert(e_at, ".0");
  return text;
}

// Whether a plain (unquoted) `text` would read back as something other than this string: a
// bool, null, int, float, timestamp, merge key or value key under YAML 1.1's implicit types
// (yaml.org/type/*.html, the patterns PyYAML's resolver uses).
inline bool yaml_resolves_to_non_string(const std::string& text) {
  static const std::regex implicit_types(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"  // bool
      "|~|null|Null|NULL|"                                                         // null
      "|[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"  // int
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"                                          // int, base 60
      "|[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"  // float
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)"
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"  // timestamp
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"
      "(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"
      "|<<|=");  // merge, value
  return std::regex_match(text, implicit_types);
}

// A string as PyYAML writes it in block style: plain when that reads back as the same string,
// double-quoted (JSON escapes, which YAML shares) when it holds control characters or line
// breaks, single-quoted otherwise. Differences from PyYAML: non-ASCII text stays UTF-8 (PyYAML
// escapes it without allow_unicode) and long strings are not folded at 80 columns.
inline std::string yaml_string(const std::string& text) {
  bool control = false;
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F) control = true;
  if (control) return Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);

  auto followed_by_space = [&](std::size_t i) { return i + 1 == text.size() || text[i + 1] == ' '; };
  bool plain = !text.empty() && text.front() != ' ' && text.back() != ' ' && !yaml_resolves_to_non_string(text);
  if (plain) {
    const char first = text.front();
    if (std::string_view("#,[]{}&*!|>'\"%@`").find(first) != std::string_view::npos) plain = false;
    if ((first == '-' || first == '?' || first == ':') && followed_by_space(0)) plain = false;
    for (std::size_t i = 1; plain && i < text.size(); ++i) {
      if (text[i] == ':' && followed_by_space(i)) plain = false;
      if (text[i] == '#' && text[i - 1] == ' ') plain = false;
    }
  }
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

}  // namespace rlpp::detail
