// Tests for RockPaperScissors and its heuristic opponents
// (include/rlpp/envs/rock_paper_scissors.hpp), and for multi-agent episodes whose agent set
// shrinks as agents finish at different times.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/envs/rock_paper_scissors.hpp"

namespace {

using namespace rlpp;
using rps::lizard, rps::paper, rps::rock, rps::scissors, rps::spock;

static_assert(multi_agent_environment<RockPaperScissors>);
static_assert(std::is_same_v<multi_agent_observation_t<RockPaperScissors>, std::int64_t>);
static_assert(std::is_same_v<multi_agent_action_t<RockPaperScissors>, std::int64_t>);

AgentDict<std::int64_t> moves(std::int64_t move1, std::int64_t move2) {
  return {{"player1", move1}, {"player2", move2}};
}

TEST_CASE("RockPaperScissors has two players with Discrete(3) moves who observe each other") {
  RockPaperScissors env;
  CHECK(env.agent_ids() == std::vector<AgentId>{"player1", "player2"});
  CHECK(env.observation_space("player1") == Space(Discrete(3)));
  CHECK(env.action_space("player2") == Space(Discrete(3)));
  const auto obs = env.reset(0);
  CHECK(obs.at("player1") == 0);
  CHECK(obs.at("player2") == 0);
  const auto step = env.step(moves(paper, scissors));
  CHECK(step.observations.at("player1") == scissors);  // the opponent's last move
  CHECK(step.observations.at("player2") == paper);
}

TEST_CASE("RockPaperScissors rewards: win +1, lose -1, draw 0") {
  RockPaperScissors env;
  env.reset(0);
  struct Case { std::int64_t move1, move2; double r1, r2; };
  const Case cases[] = {
      {rock, rock, 0, 0},      {rock, paper, -1, 1},     {rock, scissors, 1, -1},
      {paper, rock, 1, -1},    {paper, paper, 0, 0},     {paper, scissors, -1, 1},
      {scissors, rock, -1, 1}, {scissors, paper, 1, -1}, {scissors, scissors, 0, 0},
  };
  for (const Case& c : cases) {
    env.reset(std::nullopt);
    const auto step = env.step(moves(c.move1, c.move2));
    CHECK(step.rewards.at("player1") == c.r1);
    CHECK(step.rewards.at("player2") == c.r2);
  }
}

TEST_CASE("RockPaperScissors in Sheldon Cooper mode adds lizard and Spock") {
  EnvContext context;
  context.env_config = {{"sheldon_cooper_mode", true}};
  RockPaperScissors env(context);
  CHECK(env.action_space("player1") == Space(Discrete(5)));
  CHECK(env.observation_space("player2") == Space(Discrete(5)));
  env.reset(0);
  // Lizard poisons Spock, eats paper; rock crushes and scissors decapitate lizard;
  // Spock vaporizes rock, smashes scissors; paper disproves Spock.
  CHECK(rps::rewards(lizard, spock) == std::pair{1, -1});
  CHECK(rps::rewards(lizard, paper) == std::pair{1, -1});
  CHECK(rps::rewards(rock, lizard) == std::pair{1, -1});
  CHECK(rps::rewards(scissors, lizard) == std::pair{1, -1});
  CHECK(rps::rewards(spock, rock) == std::pair{1, -1});
  CHECK(rps::rewards(spock, scissors) == std::pair{1, -1});
  CHECK(rps::rewards(paper, spock) == std::pair{1, -1});
  CHECK(rps::rewards(spock, spock) == std::pair{0, 0});
  // The matrix is antisymmetric: swapping the moves swaps the rewards.
  for (std::int64_t a = 0; a < 5; ++a)
    for (std::int64_t b = 0; b < 5; ++b) CHECK(rps::rewards(a, b).first == rps::rewards(b, a).second);
  CHECK(env.step(moves(spock, lizard)).rewards.at("player2") == 1.0);
}

TEST_CASE("RockPaperScissors ends after 10 moves with __all__ terminated") {
  RockPaperScissors env;
  env.reset(0);
  for (int t = 1; t < 10; ++t) {
    const auto step = env.step(moves(rock, paper));
    CHECK_FALSE(step.all_done());
    CHECK(step.terminateds.at(all_agents) == false);
  }
  const auto last = env.step(moves(rock, paper));
  CHECK(last.all_done());
  CHECK(last.terminateds.at(all_agents));
  CHECK(last.terminateds.at("player1"));
  CHECK(last.truncateds.at(all_agents) == false);
  CHECK(env.player2_score() == 10);
  CHECK(env.player1_score() == 0);
  env.reset(std::nullopt);
  CHECK(env.num_moves() == 0);
}

TEST_CASE("RockPaperScissors errors: missing player, illegal move, unknown agent") {
  RockPaperScissors env;
  env.reset(0);
  CHECK_THROWS_WITH_AS(env.step({{"player1", rock}}),
                       "RockPaperScissors: no action for 'player2' (both players move every step)", EnvError);
  CHECK_THROWS_WITH_AS(env.step(moves(lizard, rock)),
                       "RockPaperScissors: player1's move 3 is not in Discrete(3) (lizard (3) and Spock (4) "
                       "need env_config.sheldon_cooper_mode)",
                       EnvError);
  CHECK_THROWS_AS(env.step(moves(rock, -1)), EnvError);
  CHECK_THROWS_AS(env.observation_space("player3"), EnvError);
  EnvContext bad;
  bad.env_config = {{"sheldon_cooper_mode", 1}};
  CHECK_THROWS_AS(RockPaperScissors{bad}, ConfigError);
}

TEST_CASE("AlwaysSameHeuristic keeps one random move per episode") {
  AlwaysSameHeuristic policy(1);
  std::vector<std::int64_t> chosen;
  for (int episode = 0; episode < 60; ++episode) {
    policy.reset(std::nullopt);
    const std::int64_t move = policy.move();
    CHECK((move >= rock && move <= scissors));
    for (std::int64_t obs = 0; obs < 3; ++obs) CHECK(policy.compute_action(obs) == move);
    chosen.push_back(move);
  }
  for (std::int64_t move = rock; move <= scissors; ++move)
    CHECK(std::count(chosen.begin(), chosen.end(), move) > 5);  // each of the three appears
  AlwaysSameHeuristic a(7), b(7);
  a.reset(99);
  b.reset(99);
  CHECK(a.move() == b.move());
}

TEST_CASE("BeatLastHeuristic plays what beats the opponent's last move") {
  BeatLastHeuristic policy;
  CHECK(policy.compute_action(rock) == paper);
  CHECK(policy.compute_action(paper) == scissors);
  CHECK(policy.compute_action(scissors) == rock);
  for (int i = 0; i < 20; ++i) {
    const std::int64_t move = policy.compute_action(spock);  // no rule: a random basic move
    CHECK((move >= rock && move <= scissors));
  }
}

TEST_CASE("BeatLastHeuristic beats AlwaysSameHeuristic from the second move on") {
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    RockPaperScissors env;
    AlwaysSameHeuristic same(seed);
    BeatLastHeuristic beat(seed);
    auto obs = env.reset(seed);
    same.reset(seed);
    double beat_return = 0.0;
    bool first = true;
    double first_reward = 0.0;
    for (bool done = false; !done;) {
      const auto step = env.step(moves(same.compute_action(obs.at("player1")), beat.compute_action(obs.at("player2"))));
      if (first) first_reward = step.rewards.at("player2");
      first = false;
      beat_return += step.rewards.at("player2");
      obs = step.observations;
      done = step.all_done();
    }
    // Move 1: paper (beating the initial observation, rock) against the fixed move: +1 vs rock,
    // 0 vs paper, -1 vs scissors. Moves 2..10: nine wins.
    const double expected_first = same.move() == rock ? 1.0 : same.move() == paper ? 0.0 : -1.0;
    CHECK(first_reward == expected_first);
    CHECK(beat_return == 9.0 + expected_first);
  }
}

// ---- a multi-agent env whose agents finish at different times ---------------------------------

// Three runners; runner i finishes after `finish[i]` steps (terminated) and then leaves the
// observation dict. Each step rewards every runner still in the race with its action. The
// episode ends (__all__) when the last runner finishes. Acting for a runner that has left is
// an EnvError, as is leaving out one that has not.
struct Relay {
  using observation_type = std::int64_t;  // steps taken so far
  using action_type = std::int64_t;
  std::vector<std::pair<AgentId, std::int64_t>> finish{{"a", 1}, {"b", 3}, {"c", 2}};
  std::int64_t t = 0;

  std::vector<AgentId> agent_ids() const { return {"a", "b", "c"}; }
  Space observation_space(const AgentId&) const { return Box(0.0, 10.0, {}, DType::int64); }
  Space action_space(const AgentId&) const { return Discrete(2); }

  AgentDict<std::int64_t> reset(Seed) {
    t = 0;
    AgentDict<std::int64_t> obs;
    for (const auto& [id, end] : finish) obs[id] = 0;
    return obs;
  }
  MultiAgentStep<std::int64_t> step(const AgentDict<std::int64_t>& actions) {
    for (const auto& [id, action] : actions) {
      bool racing = false;
      for (const auto& [runner, end] : finish) racing = racing || (runner == id && t < end);
      if (!racing) throw EnvError("Relay", "agent '" + id + "' has already finished");
    }
    MultiAgentStep<std::int64_t> result;
    ++t;
    bool all = true;
    for (const auto& [id, end] : finish) {
      if (t > end) continue;  // finished earlier: absent from every dict
      if (!actions.contains(id)) throw EnvError("Relay", "no action for '" + id + "'");
      result.rewards[id] = static_cast<double>(actions.at(id));
      result.terminateds[id] = t == end;
      if (t < end) result.observations[id] = t;  // only runners still in the race act next
      all = all && t >= end;
    }
    result.terminateds[all_agents] = all;
    result.truncateds[all_agents] = false;
    return result;
  }
};
static_assert(multi_agent_environment<Relay>);

TEST_CASE("Agents that finish leave the observation dict; __all__ comes with the last one") {
  Relay env;
  auto obs = env.reset(0);
  CHECK(obs.keys() == std::vector<AgentId>{"a", "b", "c"});
  std::vector<std::vector<AgentId>> acting;
  std::vector<std::vector<AgentId>> finished;
  double total_reward = 0.0;
  for (bool done = false; !done;) {
    AgentDict<std::int64_t> actions;
    for (const auto& [id, o] : obs) actions[id] = 1;  // act for exactly the agents observed
    acting.push_back(actions.keys());
    const auto step = env.step(actions);
    std::vector<AgentId> ended;
    for (const auto& [id, flag] : step.terminateds)
      if (flag && id != all_agents) ended.push_back(id);
    finished.push_back(ended);
    for (const auto& [id, r] : step.rewards) total_reward += r;
    obs = step.observations;
    done = step.all_done();
  }
  CHECK(acting == std::vector<std::vector<AgentId>>{{"a", "b", "c"}, {"b", "c"}, {"b"}});
  CHECK(finished == std::vector<std::vector<AgentId>>{{"a"}, {"c"}, {"b"}});
  CHECK(obs.empty());
  CHECK(total_reward == 3.0 + 2.0 + 1.0);

  env.reset(0);
  env.step({{"a", 1}, {"b", 1}, {"c", 1}});
  CHECK_THROWS_AS(env.step({{"a", 1}, {"b", 1}, {"c", 1}}), EnvError);  // "a" has finished
  CHECK_THROWS_AS(env.step({{"b", 1}}), EnvError);                      // "c" is still racing
}

}  // namespace
