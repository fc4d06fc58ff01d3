#pragma once
// Learning curves: episode_reward_mean over timesteps_total as a self-contained SVG line plot
// (no dependency, opens in any browser), from a list of result dicts or a trial directory's
// result.json. run_trial writes one into every trial directory (learning_curve.svg).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/pretty_print.hpp"

namespace rlpp {

inline constexpr std::string_view learning_curve_file = "learning_curve.svg";

struct LearningCurveOptions {
  std::string title;                                             // empty: "<trainer> on <env>" if known
  std::string x_key = "timesteps_total";                         // '/' reaches into nested dicts
  std::string y_key = "episode_reward_mean";
  std::string evaluation_key = "evaluation/episode_reward_mean";  // empty: no evaluation curve
  double width = 800.0;
  double height = 480.0;
};

// Where the plot area lies inside the SVG (pixels): [left, right] x [top, bottom].
struct LearningCurveLayout {
  static constexpr double left = 80.0;
  static constexpr double right_margin = 30.0;
  static constexpr double top = 50.0;
  static constexpr double bottom_margin = 60.0;
};

struct CurvePoint {
  double x = 0.0;
  double y = 0.0;
};

// The (x, y) points of `results`, in order. A result whose x or y is missing, null or NaN
// (iterations before the first finished episode) contributes no point and ends the current
// segment: the answer is a list of segments (runs of valid points), empty when none is valid.
inline std::vector<std::vector<CurvePoint>> curve_segments(std::span<const Json> results, std::string_view x_key,
                                                           std::string_view y_key) {
  std::vector<std::vector<CurvePoint>> segments(1);
  for (const Json& result : results) {
    const double x = detail::number_at(result, x_key);
    const double y = detail::number_at(result, y_key);
    if (std::isfinite(x) && std::isfinite(y)) {
      segments.back().push_back({x, y});
    } else if (!segments.back().empty()) {
      segments.emplace_back();
    }
  }
  if (segments.back().empty()) segments.pop_back();
  return segments;
}

namespace detail {
// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` intervals on `span`.
inline double nice_tick_step(double span, int target = 5) {
  if (!(span > 0.0) || !std::isfinite(span)) return 1.0;
  const double raw = span / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / power;
  const double nice = fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0;
  return nice * power;
}

// An axis: the data range widened to whole tick steps. A single value (or none) gets a range
// around it so that the point sits inside the plot.
struct CurveAxis {
  double low = 0.0;
  double high = 1.0;
  double step = 0.2;

  CurveAxis(double min, double max) {
    if (!std::isfinite(min) || !std::isfinite(max)) {
      min = 0.0;
      max = 1.0;
    }
    if (min == max) {
      const double pad = min == 0.0 ? 1.0 : std::fabs(min) * 0.5;
      min -= pad;
      max += pad;
    }
    step = nice_tick_step(max - min);
    low = std::floor(min / step) * step;
    high = std::ceil(max / step) * step;
    if (high <= low) high = low + step;
  }
  // `value` mapped linearly from [low, high] to [from, to].
  double map(double value, double from, double to) const { return from + (value - low) / (high - low) * (to - from); }
  std::vector<double> ticks() const {
    std::vector<double> out;
    const auto count = static_cast<long>(std::llround((high - low) / step));
    for (long i = 0; i <= count; ++i) out.push_back(low + static_cast<double>(i) * step);
    return out;
  }
};

inline std::string svg_number(double value) {
  if (std::fabs(value) < 0.005) return "0";
  char text[32];
  int length = std::snprintf(text, sizeof text, "%.2f", value);
  if (length <= 0 || length >= static_cast<int>(sizeof text)) return "0";
  while (length > 1 && text[length - 1] == '0') --length;  // "%.2f" always has a '.'
  if (text[length - 1] == '.') --length;
  return std::string(text, static_cast<std::size_t>(length));
}

// A tick label: whole numbers in full up to 1e6, then with k/M suffixes; fractions with up to 4
// significant figures.
inline std::string tick_label(double value) {
  if (std::fabs(value) < 1e-12) return "0";
  const double magnitude = std::fabs(value);
  char text[32];
  if (magnitude >= 1e6 && std::fmod(magnitude, 1e5) == 0.0) std::snprintf(text, sizeof text, "%gM", value / 1e6);
  else if (magnitude >= 1e4 && std::fmod(magnitude, 1e3) == 0.0) std::snprintf(text, sizeof text, "%gk", value / 1e3);
  else std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

inline std::string xml_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

inline std::string title_of(std::span<const Json> results, const LearningCurveOptions& options) {
  if (!options.title.empty()) return options.title;
  std::string trainer, env;
  for (const Json& result : results) {
    if (!result.is_object()) continue;
    if (const auto config = result.find("config"); config != result.end() && config->is_object()) {
      if (const auto e = config->find("env"); e != config->end() && e->is_string()) env = e->get<std::string>();
    }
    if (const auto t = result.find("trainer"); t != result.end() && t->is_string()) trainer = t->get<std::string>();
  }
  std::string title = trainer.empty() ? std::string("learning curve") : trainer;
  if (!env.empty()) title += " on " + env;
  return title;
}
}  // namespace detail

// The SVG text: axes with ticks and labels, the training curve (blue) and, when the results
// hold options.evaluation_key, the evaluation curve (orange), a legend and the title. Each run of
// valid points is one <polyline> (a lone point also gets a <circle>); with no valid point the
// plot says so.
inline std::string learning_curve_svg(std::span<const Json> results, const LearningCurveOptions& options = {}) {
  using L = LearningCurveLayout;
  const auto train = curve_segments(results, options.x_key, options.y_key);
  const auto evaluation = options.evaluation_key.empty()
                              ? std::vector<std::vector<CurvePoint>>{}
                              : curve_segments(results, options.x_key, options.evaluation_key);

  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min, y_min = x_min, y_max = -x_min;
  for (const auto* curve : {&train, &evaluation})
    for (const auto& segment : *curve)
      for (const CurvePoint& p : segment) {
        x_min = std::min(x_min, p.x);
        x_max = std::max(x_max, p.x);
        y_min = std::min(y_min, p.y);
        y_max = std::max(y_max, p.y);
      }
  const detail::CurveAxis x_axis(x_min, x_max), y_axis(y_min, y_max);
  const double plot_left = L::left, plot_right = options.width - L::right_margin;
  const double plot_top = L::top, plot_bottom = options.height - L::bottom_margin;
  auto px = [&](double x) { return detail::svg_number(x_axis.map(x, plot_left, plot_right)); };
  auto py = [&](double y) { return detail::svg_number(y_axis.map(y, plot_bottom, plot_top)); };
  using detail::svg_number;

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(options.width) + "\" height=\"" +
         svg_number(options.height) + "\" viewBox=\"0 0 " + svg_number(options.width) + " " +
         svg_number(options.height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text class=\"title\" x=\"" + svg_number(options.width / 2) + "\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">" +
         detail::xml_escape(detail::title_of(results, options)) + "</text>\n";

  // Grid lines and tick labels.
  svg += "<g class=\"x-ticks\" stroke=\"#ddd\">\n";
  for (const double t : x_axis.ticks()) {
    const std::string x = px(t);
    svg += "<line x1=\"" + x + "\" y1=\"" + svg_number(plot_top) + "\" x2=\"" + x + "\" y2=\"" + svg_number(plot_bottom) + "\"/>";
    svg += "<text x=\"" + x + "\" y=\"" + svg_number(plot_bottom + 18) + "\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333\">" +
           detail::tick_label(t) + "</text>\n";
  }
  svg += "</g>\n<g class=\"y-ticks\" stroke=\"#ddd\">\n";
  for (const double t : y_axis.ticks()) {
    const std::string y = py(t);
    svg += "<line x1=\"" + svg_number(plot_left) + "\" y1=\"" + y + "\" x2=\"" + svg_number(plot_right) + "\" y2=\"" + y + "\"/>";
    svg += "<text x=\"" + svg_number(plot_left - 8) + "\" y=\"" + y + "\" dy=\"4\" text-anchor=\"end\" stroke=\"none\" fill=\"#333\">" +
           detail::tick_label(t) + "</text>\n";
  }
  svg += "</g>\n";
  // Axes and their labels.
  svg += "<g class=\"axes\" stroke=\"#333\">\n<line x1=\"" + svg_number(plot_left) + "\" y1=\"" + svg_number(plot_bottom) + "\" x2=\"" +
         svg_number(plot_right) + "\" y2=\"" + svg_number(plot_bottom) + "\"/>\n<line x1=\"" + svg_number(plot_left) + "\" y1=\"" +
         svg_number(plot_top) + "\" x2=\"" + svg_number(plot_left) + "\" y2=\"" + svg_number(plot_bottom) + "\"/>\n</g>\n";
  svg += "<text class=\"x-label\" x=\"" + svg_number((plot_left + plot_right) / 2) + "\" y=\"" + svg_number(options.height - 16) +
         "\" text-anchor=\"middle\">" + detail::xml_escape(options.x_key) + "</text>\n";
  svg += "<text class=\"y-label\" x=\"18\" y=\"" + svg_number((plot_top + plot_bottom) / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 18 " +
         svg_number((plot_top + plot_bottom) / 2) + ")\">" + detail::xml_escape(options.y_key) + "</text>\n";

  auto draw = [&](const std::vector<std::vector<CurvePoint>>& curve, std::string_view name, std::string_view color) {
    for (const auto& segment : curve) {
      std::string points;
      for (const CurvePoint& p : segment) {
        if (!points.empty()) points += ' ';
        points.append(px(p.x)).append(1, ',').append(py(p.y));
      }
      svg += "<polyline class=\"" + std::string(name) + "\" fill=\"none\" stroke=\"" + std::string(color) +
             "\" stroke-width=\"2\" points=\"" + points + "\"/>\n";
      if (segment.size() == 1)
        svg += "<circle class=\"" + std::string(name) + "\" cx=\"" + px(segment[0].x) + "\" cy=\"" + py(segment[0].y) +
               "\" r=\"3\" fill=\"" + std::string(color) + "\"/>\n";
    }
  };
  draw(train, "train", "#1f77b4");
  draw(evaluation, "evaluation", "#ff7f0e");

  if (train.empty() && evaluation.empty()) {
    svg += "<text class=\"empty\" x=\"" + svg_number((plot_left + plot_right) / 2) + "\" y=\"" + svg_number((plot_top + plot_bottom) / 2) +
           "\" text-anchor=\"middle\" fill=\"#888\">no finished episodes yet</text>\n";
  } else {
    const std::string legend_x = svg_number(plot_right - 150);
    svg += "<g class=\"legend\">\n<line x1=\"" + legend_x + "\" y1=\"" + svg_number(plot_top + 12) + "\" x2=\"" +
           svg_number(plot_right - 130) + "\" y2=\"" + svg_number(plot_top + 12) + "\" stroke=\"#1f77b4\" stroke-width=\"2\"/>" +
           "<text x=\"" + svg_number(plot_right - 124) + "\" y=\"" + svg_number(plot_top + 16) + "\">" +
           detail::xml_escape(options.y_key) + "</text>\n";
    if (!evaluation.empty())
      svg += "<line x1=\"" + legend_x + "\" y1=\"" + svg_number(plot_top + 30) + "\" x2=\"" + svg_number(plot_right - 130) +
             "\" y2=\"" + svg_number(plot_top + 30) + "\" stroke=\"#ff7f0e\" stroke-width=\"2\"/>" + "<text x=\"" +
             svg_number(plot_right - 124) + "\" y=\"" + svg_number(plot_top + 34) + "\">evaluation</text>\n";
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

// Writes learning_curve_svg(results, options) to `path`, atomically.
inline void write_learning_curve(const std::filesystem::path& path, std::span<const Json> results,
                                 const LearningCurveOptions& options = {}) {
  const std::string svg = learning_curve_svg(results, options);
  write_file_atomically(path, std::as_bytes(std::span<const char>(svg.data(), svg.size())));
}

// The result dicts of a result.json (one JSON object per line). Lines that do not parse (an
// unfinished last line after a crash) are skipped.
inline std::vector<Json> read_result_lines(const std::filesystem::path& result_json) {
  const std::vector<std::byte> bytes = read_whole_file(result_json);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::vector<Json> results;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (!line.empty()) {
      Json value = Json::parse(line.begin(), line.end(), nullptr, false);
      if (!value.is_discarded() && value.is_object()) results.push_back(std::move(value));
    }
    start = end + 1;
  }
  return results;
}

// The learning curve of a trial directory: reads <trial_dir>/result.json (and params.json's
// "env" for the title when options.title is empty), writes <trial_dir>/learning_curve.svg and
// returns its path. A missing result.json is an Error naming it.
inline std::filesystem::path write_learning_curve(const std::filesystem::path& trial_dir, LearningCurveOptions options = {}) {
  const std::filesystem::path results_path = trial_dir / "result.json";
  std::error_code error;
  if (!std::filesystem::exists(results_path, error))
    throw Error(results_path.string(), "does not exist", "pass a trial directory written by `rlpp train`");
  std::vector<Json> results = read_result_lines(results_path);
  if (options.title.empty()) {
    const std::filesystem::path params = trial_dir / "params.json";
    if (std::filesystem::exists(params, error)) {
      const std::vector<std::byte> bytes = read_whole_file(params);
      const Json config = Json::parse(reinterpret_cast<const char*>(bytes.data()),
                                      reinterpret_cast<const char*>(bytes.data()) + bytes.size(), nullptr, false);
      if (!config.is_discarded() && config.is_object()) {
        const std::string name = trial_dir.filename().string();
        const std::string trainer = name.substr(0, name.find('_'));
        options.title = trainer;
        if (config.contains("env") && config["env"].is_string()) options.title += " on " + config["env"].get<std::string>();
      }
    }
  }
  const std::filesystem::path path = trial_dir / learning_curve_file;
  write_learning_curve(path, std::span<const Json>(results), options);
  return path;
}

}  // namespace rlpp
