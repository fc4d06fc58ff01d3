#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/any_exploration.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::count_allocations;
using rlpp::test::TinyCategorical;
using rlpp::test::TinyGaussian;

namespace {
// Allocations of one warm call (same buffers, same batch size) of `exploration` at `timestep`.
template <class Dist, class E>
std::size_t warm_call_allocations(E& exploration, const Space& space, const nn::Matrix& inputs, std::int64_t timestep,
                                  bool explore) {
  ad::Tape tape;
  nn::Matrix actions;
  std::vector<float> logp(static_cast<std::size_t>(inputs.rows()));
  RandomStream rng(1);
  const auto call = [&] {
    tape.reset();
    Dist dist(tape.input(inputs.data(), inputs.rows(), inputs.cols()), space);
    exploration.get_exploration_action(dist, actions, logp, timestep, explore, rng);
  };
  call();
  call();
  return count_allocations(call);
}
}  // namespace

TEST_CASE("Warm exploration calls allocate nothing, for every strategy, phase and explore setting") {
  const Space discrete = Discrete(4);
  const Space box = Box(-1.0, 1.0, {3});
  nn::Matrix q = nn::Matrix::Random(8, 4);
  nn::Matrix gaussian_inputs = nn::Matrix::Random(8, 6) * 0.5f;
  for (const std::string& type : AnyExploration::type_names()) {
    const bool continuous = type == "GaussianNoise" || type == "OrnsteinUhlenbeckNoise";
    const Space& space = continuous ? box : discrete;
    Json config = {{"type", type}};
    if (type == "StochasticSampling") config["random_timesteps"] = 10;
    if (type == "EpsilonGreedy" || type == "PerWorkerEpsilonGreedy") config["epsilon_timesteps"] = 100;
    AnyExploration exploration(context(space, config, 1, 3));
    for (std::int64_t timestep : {0, 50, 5000}) {
      for (bool explore : {true, false}) {
        CAPTURE(type);
        CAPTURE(timestep);
        CAPTURE(explore);
        const std::size_t allocations =
            continuous ? warm_call_allocations<TinyGaussian>(exploration, space, gaussian_inputs, timestep, explore)
                       : warm_call_allocations<TinyCategorical>(exploration, space, q, timestep, explore);
        CHECK(allocations == 0);
      }
    }
  }
}

TEST_CASE("OrnsteinUhlenbeckNoise allocates only when the batch grows past the rows it has") {
  const Space box = Box(-1.0, 1.0, {2});
  OrnsteinUhlenbeckNoise ou(context(box, {{"type", "OrnsteinUhlenbeckNoise"}, {"random_timesteps", 0}}));
  nn::Matrix inputs = nn::Matrix::Zero(4, 4);
  {
    // The counter sees the first call's allocations (the actions buffer, the OU rows).
    ad::Tape tape;
    TinyGaussian dist(tape.input(inputs.data(), 4, 4), box);
    nn::Matrix actions;
    std::vector<float> logp(4);
    RandomStream rng(0);
    OrnsteinUhlenbeckNoise cold = ou;
    CHECK(count_allocations([&] { cold.get_exploration_action(dist, actions, logp, 0, true, rng); }) > 0);
  }
  CHECK(warm_call_allocations<TinyGaussian>(ou, box, inputs, 10, true) == 0);
  nn::Matrix fewer = nn::Matrix::Zero(2, 4);  // a smaller batch reuses the first rows
  CHECK(warm_call_allocations<TinyGaussian>(ou, box, fewer, 11, true) == 0);
  CHECK(ou.ou_rows() == 4);
}
