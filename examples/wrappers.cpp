// Env wrappers: two user wrappers written with rlpp's CRTP bases in a few lines each
// (OneHotEnv, ClipRewardEnv), then rlpp's stock wrappers stacked over the test envs.
// Build: any C++20 compiler with include/ on the include path and nlohmann/json available.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/envs/contextual_bandit.hpp"
#include "rlpp/envs/random_env.hpp"
#include "rlpp/envs/repeat_after_me.hpp"
#include "rlpp/envs/wrappers/clip_action.hpp"
#include "rlpp/envs/wrappers/frame_stack.hpp"
#include "rlpp/envs/wrappers/normalize_observation.hpp"
#include "rlpp/envs/wrappers/observation_wrapper.hpp"
#include "rlpp/envs/wrappers/rescale_action.hpp"
#include "rlpp/envs/wrappers/reward_wrapper.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"

using namespace rlpp;

// One-hot observations for an env with Discrete(N) observations. N is part of the type, so the
// observation is a std::array<float, N> and no step allocates.
template <environment E, std::size_t N>
struct OneHotEnv : ObservationWrapper<OneHotEnv<E, N>, E> {
  explicit OneHotEnv(E env) : ObservationWrapper<OneHotEnv, E>(std::move(env)) {
    const Space inner = this->inner().observation_space();
    const auto* discrete = inner.template get_if<Discrete>();
    if (discrete == nullptr || discrete->n() != static_cast<std::int64_t>(N))
      throw SpaceError("OneHotEnv", "needs a Discrete(" + std::to_string(N) +
                                        ") observation space, got " + inner.to_string());
    start = discrete->start();
  }
  Space observation_space() const { return Box(0.0, 1.0, {static_cast<std::int64_t>(N)}); }
  std::array<float, N> observation(std::int64_t obs) const {
    std::array<float, N> one_hot{};
    one_hot[static_cast<std::size_t>(obs - start)] = 1.0f;
    return one_hot;
  }
  std::int64_t start = 0;
};

// Rewards clamped to [min, max].
template <environment E>
struct ClipRewardEnv : RewardWrapper<ClipRewardEnv<E>, E> {
  ClipRewardEnv(E env, double min, double max)
      : RewardWrapper<ClipRewardEnv, E>(std::move(env)), min(min), max(max) {}
  double reward(double r) const { return std::clamp(r, min, max); }
  double min, max;
};

template <class Values>
std::string format(const Values& values) {
  std::string text = "[";
  for (const auto& v : values) {
    char number[32];
    std::snprintf(number, sizeof number, "%.2f", static_cast<double>(v));
    text += (text.size() > 1 ? ", " : "") + std::string(number);
  }
  return text + "]";
}

int main() {
  // 1. RepeatAfterMe (repeat the token from one step back) seen through one-hot frames, two
  //    stacked, with a 6-step time limit. The older frame holds the token to repeat, so
  //    "argmax of frame 0" plays perfectly once the stack holds a real history.
  {
    using OneHot = OneHotEnv<RepeatAfterMe, 2>;
    auto env = TimeLimit(FrameStack<OneHot, 2>(OneHot(RepeatAfterMe{})), 6);
    std::printf("RepeatAfterMe | OneHotEnv | FrameStack(2) | TimeLimit(6)\n");
    std::printf("  observation space: %s\n", env.observation_space().to_string().c_str());
    auto obs = reset_env(env, 0).observation;
    for (bool done = false; !done;) {
      const std::int64_t action = obs[0][1] > obs[0][0] ? 1 : 0;
      const auto step = env.step(action);
      std::printf("  frames %s %s  action %lld  reward %+.0f%s\n", format(obs[0]).c_str(),
                  format(obs[1]).c_str(), static_cast<long long>(action), step.reward,
                  step.truncated ? "  (truncated)" : "");
      obs = step.observation;
      done = step.done();
    }
  }

  // 2. SimpleContextualBandit's +-10 rewards clipped to [-1, 1].
  {
    ClipRewardEnv env(SimpleContextualBandit{}, -1.0, 1.0);
    std::printf("SimpleContextualBandit | ClipRewardEnv(-1, 1)\n");
    for (std::int64_t arm = 0; arm < 3; ++arm) {
      const auto context = env.reset(5);
      const auto step = env.step(arm);
      std::printf("  context %s  arm %lld  reward %+.0f (unclipped %+.0f)\n", format(context).c_str(),
                  static_cast<long long>(arm), step.reward,
                  SimpleContextualBandit::reward_for(context[0], arm));
    }
  }

  // 3. A Box(-2, 2, (2,)) action space that rejects out-of-bounds actions, driven in [-1, 1]:
  //    RescaleAction maps [-1, 1] onto [-2, 2], ClipAction keeps the agent's actions in [-1, 1].
  {
    EnvContext context;
    context.env_config = {
        {"action_space", {{"type", "Box"}, {"low", -2.0}, {"high", 2.0}, {"shape", {2}}}},
        {"observation_space", {{"type", "Box"}, {"low", 0.0}, {"high", 10.0}, {"shape", {3}}}},
        {"check_action_bounds", true},
        {"p_terminated", 0.0},
    };
    auto env = ClipAction(RescaleAction(RandomEnv(context), -1.0, 1.0));
    std::printf("RandomEnv | RescaleAction(-1, 1) | ClipAction\n");
    std::printf("  action space: %s -> %s -> %s\n", env.unwrapped().action_space().to_string().c_str(),
                env.inner().action_space().to_string().c_str(), env.action_space().to_string().c_str());
    env.reset(0);
    for (const std::vector<float>& action : {std::vector<float>{0.5f, -0.25f}, std::vector<float>{3.0f, -7.0f}}) {
      env.step(action);  // would throw EnvError if an action outside [-2, 2] reached RandomEnv
      std::printf("  agent action %s accepted\n", format(action).c_str());
    }

    // 4. The same env's Box(0, 10) observations normalized with running statistics.
    auto normalized = NormalizeObservation(RandomEnv(context));
    normalized.reset(0);
    std::vector<float> last;
    for (int i = 0; i < 1000; ++i) last = normalized.step({0.0f, 0.0f}).observation;
    const auto& rms = normalized.obs_rms();
    std::printf("RandomEnv | NormalizeObservation, after 1000 steps of uniform(0, 10) observations\n");
    std::printf("  mean %s (expect 5)  var %s (expect 8.33)  last observation %s\n",
                format(rms.mean).c_str(), format(rms.var).c_str(), format(last).c_str());
  }
  return 0;
}
