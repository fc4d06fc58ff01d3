#pragma once
// EntropyCoeffSchedule (RLlib's mixin of the same name): the entropy bonus coefficient as a
// function of the policy's global timestep. "entropy_coeff_schedule": null keeps "entropy_coeff"
// constant; a list of [timestep, value] pairs interpolates linearly between them and holds the
// last value afterwards (as lr_schedule). Use as rlpp::mixins<rlpp::EntropyCoeffSchedule>; a
// loss reads c.policy().entropy_coeff().

#include <cstdint>

#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/schedules.hpp"

namespace rlpp {

class EntropyCoeffSchedule {
 public:
  static Json defaults() { return Json{{"entropy_coeff", 0.0}, {"entropy_coeff_schedule", nullptr}}; }

  explicit EntropyCoeffSchedule(const Config& config)
      : schedule_(nn::lr_schedule_from_config(config.json()["entropy_coeff_schedule"], config.number_in("entropy_coeff", 0.0, 1e30),
                                              config.path_of("entropy_coeff_schedule"))) {}

  // The coefficient at a timestep (the policy's global timestep: steps sampled so far).
  double entropy_coeff_at(std::int64_t timestep) const { return schedule_.value(static_cast<double>(timestep)); }

 private:
  nn::Schedule schedule_;
};

}  // namespace rlpp
