// RLlib's custom-policy tutorial in C++: the policy-gradient loss and the returns
// postprocessing, composed into a policy by type, trained by hand on CartPole-v1 with a plain
// loop (sample episodes, postprocess each, learn on the batch) until it clearly improves.
// (Rollout workers and trainers do this loop for you; this shows the policy API on its own.)
#include <cstdio>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/envs/registry.hpp>
#include <rlpp/policy/policy.hpp>
#include <rlpp/policy/postprocessors.hpp>

namespace ad = rlpp::ad;
namespace cols = rlpp::cols;

// def policy_gradient_loss(policy, model, dist_class, train_batch):
//     logits, _ = model.from_batch(train_batch)
//     action_dist = dist_class(logits, model)
//     return -tf.reduce_mean(action_dist.logp(train_batch["actions"]) * train_batch["returns"])
struct PolicyGradientLoss {
  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    auto action_dist = c.action_dist();
    return -ad::mean(action_dist.logp(c[cols::actions]) * c[cols::advantages]);
  }
};

// MyTFPolicy = build_tf_policy(name="MyTFPolicy", loss_fn=policy_gradient_loss,
//                              postprocess_fn=calculate_advantages)
using MyPolicy = rlpp::build_policy<"MyPolicy", rlpp::loss<PolicyGradientLoss>,
                                    rlpp::postprocess<rlpp::discounted_returns>>;

// One episode with the policy, as a SampleBatch (obs, actions, rewards, dones, eps_id).
rlpp::SampleBatch sample_episode(rlpp::AnyEnv& env, MyPolicy& policy, std::int64_t episode) {
  std::vector<float> obs_rows, rewards;
  std::vector<std::int64_t> actions;
  std::vector<float> obs = env.reset(static_cast<std::uint64_t>(episode)).observation;
  for (bool done = false; !done;) {
    const float action = policy.compute_single_action(obs).actions(0, 0);
    obs_rows.insert(obs_rows.end(), obs.begin(), obs.end());
    actions.push_back(static_cast<std::int64_t>(action));
    auto step = env.step({action});
    rewards.push_back(step.reward);
    done = step.terminated || step.truncated;
    obs = std::move(step.observation);
  }
  const std::size_t n = rewards.size();
  rlpp::SampleBatch batch;
  batch.set(cols::obs, xt::xarray<float>(xt::adapt(obs_rows, std::vector<std::size_t>{n, 4})));
  batch.set(cols::actions.name, rlpp::Column(xt::xarray<std::int64_t>(xt::adapt(actions, std::vector<std::size_t>{n}))));
  batch.set(cols::rewards, xt::xarray<float>(xt::adapt(rewards, std::vector<std::size_t>{n})));
  batch.set(cols::eps_id, xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({n}) + episode));
  return batch;
}

int main() {
  rlpp::AnyEnv env = rlpp::make_env("CartPole-v1");
  MyPolicy policy(env.observation_space(), env.action_space(),
                  {{"lr", 0.01}, {"gamma", 0.99}, {"seed", 0}, {"model", {{"fcnet_hiddens", {32, 32}}}}});
  double first_mean = 0.0, last_mean = 0.0;
  std::int64_t episode = 0;
  for (int iteration = 0; iteration < 40; ++iteration) {
    std::vector<rlpp::SampleBatch> episodes;
    double total_reward = 0.0;
    for (int e = 0; e < 10; ++e) {
      episodes.push_back(sample_episode(env, policy, episode++));
      policy.postprocess_trajectory(episodes.back());  // discounted returns per episode
      total_reward += static_cast<double>(episodes.back().count());
    }
    const rlpp::SampleBatch train_batch = rlpp::concat_samples(episodes);
    const auto info = policy.learn_on_batch(train_batch);
    const double mean_return = total_reward / 10.0;
    if (iteration == 0) first_mean = mean_return;
    last_mean = mean_return;
    if (iteration % 5 == 0 || iteration == 39)
      std::printf("iter %2d  episode_reward_mean %6.1f  policy loss %8.3f\n", iteration, mean_return,
                  info["learner_stats"]["total_loss"].get<double>());
  }
  std::printf("mean return: %.1f -> %.1f\n", first_mean, last_mean);
  // It must clearly improve (a random CartPole policy averages about 22).
  return last_mean > 2.0 * first_mean && last_mean > 60.0 ? 0 : 1;
}
