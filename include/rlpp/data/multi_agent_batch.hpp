#pragma once
// MultiAgentBatch (RLlib's rllib/policy/sample_batch.py): one SampleBatch per policy id plus the
// number of env steps they were collected in. count() is env steps; agent_steps() is the sum of
// the policy batches' rows (several agents can act in one env step).

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/data/sample_batch.hpp"

namespace rlpp {

inline const std::string default_policy_id = "default_policy";

class MultiAgentBatch {
 public:
  std::map<std::string, SampleBatch, std::less<>> policy_batches;
  std::size_t env_steps = 0;

  MultiAgentBatch() = default;
  MultiAgentBatch(std::map<std::string, SampleBatch, std::less<>> batches, std::size_t env_steps)
      : policy_batches(std::move(batches)), env_steps(env_steps) {}

  std::size_t count() const noexcept { return env_steps; }
  std::size_t agent_steps() const noexcept {
    std::size_t sum = 0;
    for (const auto& entry : policy_batches) sum += entry.second.count();
    return sum;
  }
  bool contains(std::string_view policy_id) const { return policy_batches.find(policy_id) != policy_batches.end(); }

  // The batch of `policy_id`; a BatchError lists the ids there are.
  SampleBatch& policy(std::string_view policy_id) { return find(policy_id)->second; }
  const SampleBatch& policy(std::string_view policy_id) const { return find(policy_id)->second; }

  // The batches of `policy_ids` only (a BatchError for an unknown id), same env_steps.
  MultiAgentBatch select(std::span<const std::string> policy_ids) const {
    MultiAgentBatch out;
    out.env_steps = env_steps;
    for (const std::string& id : policy_ids) out.policy_batches.emplace(id, policy(id));
    return out;
  }
  MultiAgentBatch select(std::initializer_list<std::string> policy_ids) const {
    return select(std::span<const std::string>(policy_ids.begin(), policy_ids.size()));
  }

  friend bool operator==(const MultiAgentBatch&, const MultiAgentBatch&) = default;

 private:
  using Map = std::map<std::string, SampleBatch, std::less<>>;
  Map::iterator find(std::string_view policy_id) {
    auto it = policy_batches.find(policy_id);
    if (it == policy_batches.end()) throw unknown(policy_id);
    return it;
  }
  Map::const_iterator find(std::string_view policy_id) const {
    auto it = policy_batches.find(policy_id);
    if (it == policy_batches.end()) throw unknown(policy_id);
    return it;
  }
  BatchError unknown(std::string_view policy_id) const {
    std::string known;
    for (const auto& entry : policy_batches) known += (known.empty() ? "" : ", ") + entry.first;
    return BatchError("policy '" + std::string(policy_id) + "'",
                      "is not in the MultiAgentBatch (policies: " + (known.empty() ? std::string("none") : known) + ")");
  }
};

inline MultiAgentBatch SampleBatch::as_multi_agent() const& {
  MultiAgentBatch out;
  out.env_steps = count();
  out.policy_batches.emplace(default_policy_id, *this);
  return out;
}
inline MultiAgentBatch SampleBatch::as_multi_agent() && {
  MultiAgentBatch out;
  out.env_steps = count();
  out.policy_batches.emplace(default_policy_id, std::move(*this));
  return out;
}

// Per policy, that policy's batches concatenated (a policy may be missing from some of them);
// env_steps summed.
inline MultiAgentBatch concat_samples(std::span<const MultiAgentBatch> batches) {
  MultiAgentBatch out;
  std::map<std::string, std::vector<const SampleBatch*>, std::less<>> parts;
  for (const MultiAgentBatch& batch : batches) {
    out.env_steps += batch.env_steps;
    for (const auto& [id, policy_batch] : batch.policy_batches) parts[id].push_back(&policy_batch);
  }
  for (auto& [id, list] : parts) {
    try {
      out.policy_batches.emplace(id, concat_samples(std::span<const SampleBatch* const>(list)));
    } catch (const BatchError& error) {
      throw BatchError("policy '" + id + "': " + error.where(), error.message(), error.fix());
    }
  }
  return out;
}
inline MultiAgentBatch concat_samples(std::initializer_list<MultiAgentBatch> batches) {
  return concat_samples(std::span<const MultiAgentBatch>(batches.begin(), batches.size()));
}

// {"type": "MultiAgentBatch", "count": env steps, "policy_batches": {id: SampleBatch JSON}}, as
// RLlib's JsonWriter writes it.
inline void to_json(Json& j, const MultiAgentBatch& batch) {
  j = Json::object();
  j["type"] = "MultiAgentBatch";
  j["count"] = batch.env_steps;
  Json policies = Json::object();
  for (const auto& [id, policy_batch] : batch.policy_batches) to_json(policies[id], policy_batch);
  j["policy_batches"] = std::move(policies);
}

inline void from_json(const Json& j, MultiAgentBatch& batch) {
  if (!j.is_object() || j.value("type", std::string()) != "MultiAgentBatch")
    throw BatchError("MultiAgentBatch JSON", "needs \"type\": \"MultiAgentBatch\"");
  if (!j.contains("count") || !j.at("count").is_number_unsigned())
    throw BatchError("MultiAgentBatch JSON", "needs \"count\": the number of env steps");
  if (!j.contains("policy_batches") || !j.at("policy_batches").is_object())
    throw BatchError("MultiAgentBatch JSON", "needs \"policy_batches\": {policy id: batch}");
  MultiAgentBatch out;
  out.env_steps = j.at("count").get<std::size_t>();
  for (const auto& [id, value] : j.at("policy_batches").items()) {
    try {
      from_json(value, out.policy_batches[id]);
    } catch (const BatchError& error) {
      throw BatchError("policy '" + id + "': " + error.where(), error.message(), error.fix());
    }
  }
  batch = std::move(out);
}

}  // namespace rlpp
