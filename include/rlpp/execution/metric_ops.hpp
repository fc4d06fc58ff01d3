#pragma once
// StandardMetricsReporting (RLlib's rllib/execution/metric_ops.py): the last stage of a plan. It
// turns the items of its upstream into result dicts, at most one per timesteps_per_iteration
// sampled steps and per min_iter_time_s seconds (both 0 by default: one per item), each built
// by CollectMetrics: finished episodes from the workers, smoothed over the last
// metrics_smoothing_episodes, plus counters, timers and learner info (training.md lists the keys).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/execution/pipeline.hpp"
#include "rlpp/execution/plan_context.hpp"

namespace rlpp {

// RLlib's CollectMetrics: the result dict from the context (the episode stats draw the workers'
// finished episodes).
// With selected_workers, only those remote workers' episodes count (RLlib's
// StandardMetricsReporting(selected_workers=...), Ape-X).
inline Json collect_metrics(PlanContext& ctx, const std::optional<std::vector<std::size_t>>& selected_workers = std::nullopt) {
  MetricsContext& m = ctx.metrics;
  Json result = m.episodes.summarize(selected_workers ? ctx.workers.collect_metrics(*selected_workers)
                                                      : ctx.workers.collect_metrics());
  result["num_healthy_workers"] = ctx.workers.num_remote_workers();
  result["timesteps_total"] = m.counter_value(counters::steps_sampled);
  result["agent_timesteps_total"] = m.counter_value(counters::agent_steps_sampled);
  Json timers = Json::object();
  for (const auto& [name, t] : m.timers) {
    timers[name + "_time_ms"] = t.time.mean() * 1000.0;
    if (t.units > 0.0) timers[name + "_throughput"] = t.throughput();
  }
  result["timers"] = std::move(timers);
  Json info = Json::object();
  info["learner"] = m.info.contains("learner") ? m.info["learner"] : Json::object();
  for (const auto& [k, v] : m.info.items())
    if (k != "learner") info[k] = v;
  for (const auto& [name, value] : m.counters) info[name] = value;
  result["info"] = std::move(info);
  return result;
}

namespace detail {
struct MetricsReportingFn {
  PlanContext* ctx;
  std::int64_t timesteps_per_iteration;
  double min_iter_time_s;
  std::optional<std::vector<std::size_t>> selected_workers;
  std::int64_t last_reported_steps = 0;
  Stopwatch since_report{};

  template <class Item>
  std::optional<Json> operator()(Item&&) {
    const std::int64_t steps = ctx->metrics.counter_value(counters::steps_sampled);
    if (steps - last_reported_steps < timesteps_per_iteration) return std::nullopt;
    if (min_iter_time_s > 0.0 && since_report.seconds() < min_iter_time_s) return std::nullopt;
    last_reported_steps = steps;
    since_report.restart();
    return collect_metrics(*ctx, selected_workers);
  }
  Json get_state() const { return Json{{"last_reported_steps", last_reported_steps}}; }
  void set_state(const Json& s) {
    last_reported_steps = s.at("last_reported_steps").get<std::int64_t>();
    since_report.restart();
  }
};
}  // namespace detail

// Reads timesteps_per_iteration and min_iter_time_s from the context's config (0 when absent).
// selected_workers: count only these remote workers' episodes (indexes from 0).
inline ForEach<detail::MetricsReportingFn> StandardMetricsReporting(
    PlanContext& ctx, std::optional<std::vector<std::size_t>> selected_workers = std::nullopt) {
  const Config& c = ctx.config;
  const std::int64_t steps = c.contains("timesteps_per_iteration") ? c.non_negative_int("timesteps_per_iteration") : 0;
  const double seconds = c.contains("min_iter_time_s") && !c.json()["min_iter_time_s"].is_null()
                             ? c.number_in("min_iter_time_s", 0.0, 1e9)
                             : 0.0;
  return {detail::MetricsReportingFn{&ctx, steps, seconds, std::move(selected_workers)}};
}

}  // namespace rlpp
