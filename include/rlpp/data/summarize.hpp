#pragma once
// A short description of a batch for logs and debugging, after RLlib's summarize()
// (rllib/utils/debug/summary.py), which prints each array as
// np.ndarray(shape, dtype, min, max, mean) instead of its values.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

#include "rlpp/core/json.hpp"
#include "rlpp/data/multi_agent_batch.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

// {"type": "SampleBatch", "count": n, "columns": {"<name>": {"shape", "dtype", "min", "max",
// "mean"}}} (+ "seq_lens" when set). min/max/mean are over all elements (bool: false = 0,
// true = 1, so mean is the fraction true), accumulated in double; absent for json and empty
// columns. A NaN anywhere makes all three NaN (numpy's min/max/mean do the same), written as
// JSON null.
inline Json summarize(const SampleBatch& batch) {
  Json columns = Json::object();
  for (const auto& [name, column] : batch) {
    Json entry = {{"shape", column.shape()}, {"dtype", column.dtype()}};
    std::visit([&](const auto& values) {
      using S = std::remove_cvref_t<decltype(values)>;
      if constexpr (!std::is_same_v<S, std::vector<Json>>) {
        if (values.size() == 0) return;
        using T = typename S::value_type;
        double sum = 0.0;
        if constexpr (std::is_same_v<T, float>) {
          double low = std::numeric_limits<double>::infinity(), high = -low;
          bool nan = false;
          for (float v : values) {
            nan = nan || std::isnan(v);
            low = std::min(low, static_cast<double>(v));
            high = std::max(high, static_cast<double>(v));
            sum += static_cast<double>(v);
          }
          const double nan_value = std::numeric_limits<double>::quiet_NaN();
          entry["min"] = nan ? nan_value : low;
          entry["max"] = nan ? nan_value : high;
          entry["mean"] = nan ? nan_value : sum / static_cast<double>(values.size());
        } else {  // int64 exactly (episode ids use all 64 bits); bool as 0 / 1
          auto low = static_cast<std::int64_t>(values.data()[0]), high = low;
          for (const T& v : values) {
            low = std::min(low, static_cast<std::int64_t>(v));
            high = std::max(high, static_cast<std::int64_t>(v));
            sum += static_cast<double>(v);
          }
          entry["min"] = low;
          entry["max"] = high;
          entry["mean"] = sum / static_cast<double>(values.size());
        }
      }
    }, column.storage());
    columns[name] = std::move(entry);
  }
  Json out = {{"type", "SampleBatch"}, {"count", batch.count()}, {"columns", std::move(columns)}};
  if (batch.has_seq_lens()) out["seq_lens"] = std::vector<std::int64_t>(batch.seq_lens().begin(), batch.seq_lens().end());
  return out;
}

inline Json summarize(const MultiAgentBatch& batch) {
  Json policies = Json::object();
  for (const auto& [id, policy_batch] : batch.policy_batches) policies[id] = summarize(policy_batch);
  return {{"type", "MultiAgentBatch"}, {"count", batch.count()}, {"agent_steps", batch.agent_steps()},
          {"policy_batches", std::move(policies)}};
}

// One line per column, aligned:
//   SampleBatch(5 rows)
//     actions  int64    [5]     min=0 max=1 mean=0.6
//     obs      float32  [5, 2]  min=0 max=41 mean=20.5
inline std::string pretty_summary(const SampleBatch& batch, int indent = 0) {
  const Json summary = summarize(batch);
  std::size_t name_width = 0, shape_width = 0;
  for (const auto& [name, column] : batch) {
    name_width = std::max(name_width, name.size());
    shape_width = std::max(shape_width, Column::shape_text(column.shape()).size());
  }
  const std::string pad(static_cast<std::size_t>(std::max(indent, 0)), ' ');
  std::ostringstream out;
  out << pad << "SampleBatch(" << batch.count() << " rows";
  if (batch.has_seq_lens()) out << ", " << batch.seq_lens().size() << " sequences";
  out << ")\n";
  auto number = [](const Json& v) {
    if (v.is_null()) return std::string("nan");
    if (v.is_number_integer()) return v.dump();
    std::ostringstream s;
    s << std::setprecision(6) << v.get<double>();
    return s.str();
  };
  for (const auto& [name, entry] : summary.at("columns").items()) {
    std::ostringstream line;
    const std::string shape = Column::shape_text(entry.at("shape").get<std::vector<std::size_t>>());
    line << pad << "  " << std::left << std::setw(static_cast<int>(name_width)) << name << "  " << std::setw(7)
         << entry.at("dtype").get<std::string>() << "  " << std::setw(static_cast<int>(shape_width)) << shape;
    if (entry.contains("min"))
      line << "  min=" << number(entry["min"]) << " max=" << number(entry["max"]) << " mean=" << number(entry["mean"]);
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << '\n';
  }
  return out.str();
}

inline std::string pretty_summary(const MultiAgentBatch& batch) {
  std::ostringstream out;
  out << "MultiAgentBatch(" << batch.count() << " env steps, " << batch.agent_steps() << " agent steps)\n";
  for (const auto& [id, policy_batch] : batch.policy_batches) out << "  " << id << ":\n" << pretty_summary(policy_batch, 4);
  return out.str();
}

}  // namespace rlpp
