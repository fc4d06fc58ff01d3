#pragma once
// KLCoeffMixin (RLlib's ppo_torch_policy.KLCoeffMixin): PPO's adaptive KL penalty coefficient.
// After each train step UpdateKL calls update_kl(mean KL of the step):
//   kl > 2 * kl_target   -> kl_coeff *= 1.5
//   kl < kl_target / 2   -> kl_coeff *= 0.5
// The coefficient is policy state (saved in checkpoints); the loss reads kl_coeff().

#include <string>
#include <string_view>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp::ppo {

class KLCoeffMixin {
 public:
  static constexpr std::string_view mixin_name = "kl_coeff";
  static Json defaults() { return Json{{"kl_coeff", 0.2}, {"kl_target", 0.01}}; }

  explicit KLCoeffMixin(const Config& config)
      : kl_coeff_(config.number_in("kl_coeff", 0.0, 1e30)), kl_target_(config.number_in("kl_target", 0.0, 1e30)) {}

  double kl_coeff() const noexcept { return kl_coeff_; }
  double kl_target() const noexcept { return kl_target_; }

  // RLlib's update rule; returns the new coefficient.
  double update_kl(double sampled_kl) {
    if (sampled_kl > 2.0 * kl_target_) kl_coeff_ *= 1.5;
    else if (sampled_kl < 0.5 * kl_target_) kl_coeff_ *= 0.5;
    return kl_coeff_;
  }

  Json get_mixin_state() const { return Json{{"kl_coeff", kl_coeff_}}; }
  void set_mixin_state(const Json& state) {
    if (!state.is_object() || !state.contains("kl_coeff") || !state["kl_coeff"].is_number())
      throw CheckpointError("policy state mixins.kl_coeff", "expected {\"kl_coeff\": number}, got " + state.dump());
    kl_coeff_ = state["kl_coeff"].get<double>();
  }

 private:
  double kl_coeff_;
  double kl_target_;
};

}  // namespace rlpp::ppo
