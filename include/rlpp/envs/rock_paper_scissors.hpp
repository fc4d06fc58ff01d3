#pragma once
// RockPaperScissors: rlpp's first multi-agent env (RLlib's examples/env/rock_paper_scissors.py),
// two players moving simultaneously for 10 steps, with RLlib's two scripted opponents
// (rllib/examples/policy/rock_paper_scissors_dummies.py) to train and evaluate against.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/envs/multi_agent_env.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

namespace rps {
inline constexpr std::int64_t rock = 0;
inline constexpr std::int64_t paper = 1;
inline constexpr std::int64_t scissors = 2;
inline constexpr std::int64_t lizard = 3;  // Sheldon Cooper mode only
inline constexpr std::int64_t spock = 4;   // Sheldon Cooper mode only

// RLlib's WIN_MATRIX: the rewards (player1, player2) for moves (move1, move2), each in [0, 5).
// Lizard poisons Spock and eats paper, is crushed by rock and decapitated by scissors; Spock
// vaporizes rock and smashes scissors, is poisoned by lizard and disproved by paper.
constexpr std::pair<int, int> rewards(std::int64_t move1, std::int64_t move2) noexcept {
  // win[a][b] = 1 if a beats b, -1 if b beats a, 0 for a draw.
  constexpr std::array<std::array<int, 5>, 5> win{{
      //  R   P   S   L  Sp
      {0, -1, 1, 1, -1},   // rock
      {1, 0, -1, -1, 1},   // paper
      {-1, 1, 0, 1, -1},   // scissors
      {-1, 1, -1, 0, 1},   // lizard
      {1, -1, 1, -1, 0},   // spock
  }};
  const int r = win[static_cast<std::size_t>(move1)][static_cast<std::size_t>(move2)];
  return {r, -r};
}
}  // namespace rps

// Agents "player1" and "player2". Each observes the other's last move (0 for both after
// reset); actions and observations are Discrete(3) (rock, paper, scissors) or, with
// env_config "sheldon_cooper_mode", Discrete(5) (+ lizard, Spock). The winner of a step gets
// +1, the loser -1, a draw 0 each. After 10 steps terminateds["__all__"] (and each player's
// entry) is true. No randomness: reset's seed is ignored.
class RockPaperScissors {
 public:
  using observation_type = std::int64_t;
  using action_type = std::int64_t;
  static constexpr std::int64_t episode_len = 10;

  struct State {
    std::int64_t num_moves = 0;
    std::int64_t player1_score = 0;
    std::int64_t player2_score = 0;
    friend bool operator==(const State&, const State&) = default;
    // Exact JSON (envs/state_json.hpp), for checkpoints.
    friend void to_json(Json& json, const State& state) {
      json = Json::object();
      json["num_moves"] = state_to_json(state.num_moves);
      json["player1_score"] = state_to_json(state.player1_score);
      json["player2_score"] = state_to_json(state.player2_score);
    }
    friend void from_json(const Json& json, State& state) {
      state_keys(json, {"num_moves", "player1_score", "player2_score"});
      state_field(json, "num_moves", state.num_moves);
      state_field(json, "player1_score", state.player1_score);
      state_field(json, "player2_score", state.player2_score);
    }
  };

  RockPaperScissors() : RockPaperScissors(EnvContext{}) {}
  explicit RockPaperScissors(const EnvContext& context)
      : sheldon_cooper_mode_(context.get<bool>("sheldon_cooper_mode", false)) {}

  bool sheldon_cooper_mode() const noexcept { return sheldon_cooper_mode_; }
  std::int64_t num_move_types() const noexcept { return sheldon_cooper_mode_ ? 5 : 3; }

  std::vector<AgentId> agent_ids() const { return {"player1", "player2"}; }
  Space observation_space(const AgentId& id) const {
    check_agent(id);
    return Discrete(num_move_types());
  }
  Space action_space(const AgentId& id) const {
    check_agent(id);
    return Discrete(num_move_types());
  }

  AgentDict<std::int64_t> reset(Seed) {
    state_.num_moves = 0;
    return {{"player1", 0}, {"player2", 0}};
  }

  // EnvError if a player's action is missing or not a legal move.
  MultiAgentStep<std::int64_t> step(const AgentDict<std::int64_t>& actions) {
    const std::int64_t move1 = checked_move(actions, "player1");
    const std::int64_t move2 = checked_move(actions, "player2");
    const auto [r1, r2] = rps::rewards(move1, move2);
    ++state_.num_moves;
    if (r1 > r2) ++state_.player1_score;
    if (r2 > r1) ++state_.player2_score;
    const bool over = state_.num_moves >= episode_len;

    MultiAgentStep<std::int64_t> result;
    result.observations = {{"player1", move2}, {"player2", move1}};
    result.rewards = {{"player1", static_cast<double>(r1)}, {"player2", static_cast<double>(r2)}};
    result.terminateds = {{"player1", over}, {"player2", over}, {std::string(all_agents), over}};
    result.truncateds = {{std::string(all_agents), false}};
    return result;
  }

  // Steps won by each player since construction (RLlib keeps these for its tests).
  std::int64_t player1_score() const noexcept { return state_.player1_score; }
  std::int64_t player2_score() const noexcept { return state_.player2_score; }
  std::int64_t num_moves() const noexcept { return state_.num_moves; }

  const State& get_state() const noexcept { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  static void check_agent(const AgentId& id) {
    if (id != "player1" && id != "player2") {
      throw EnvError("RockPaperScissors", "unknown agent '" + id + "'", "the agents are 'player1' and 'player2'");
    }
  }

  std::int64_t checked_move(const AgentDict<std::int64_t>& actions, const char* player) const {
    const std::int64_t* move = actions.find(player);
    if (move == nullptr) {
      throw EnvError("RockPaperScissors", std::string("no action for '") + player + "'",
                     "both players move every step");
    }
    if (*move < 0 || *move >= num_move_types()) {
      throw EnvError("RockPaperScissors",
                     std::string(player) + "'s move " + std::to_string(*move) + " is not in Discrete(" +
                         std::to_string(num_move_types()) + ")",
                     sheldon_cooper_mode_ ? "" : "lizard (3) and Spock (4) need env_config.sheldon_cooper_mode");
    }
    return *move;
  }

  bool sheldon_cooper_mode_;
  State state_;
};

// RLlib's AlwaysSameHeuristic: picks rock, paper or scissors at random at the start of each
// episode and plays it throughout.
class AlwaysSameHeuristic {
 public:
  explicit AlwaysSameHeuristic(std::uint64_t seed = 0) : rng_(seed) { reset(std::nullopt); }

  // Call at the start of each episode: draws the move for the episode.
  void reset(Seed seed) {
    if (seed) rng_ = RandomStream(*seed);
    move_ = static_cast<std::int64_t>(rng_.below(3));
  }
  std::int64_t compute_action(std::int64_t /*opponent_last_move*/) const noexcept { return move_; }
  std::int64_t move() const noexcept { return move_; }

 private:
  RandomStream rng_;
  std::int64_t move_ = rps::rock;
};

// RLlib's BeatLastHeuristic: plays the move that beats the opponent's last one (rock -> paper,
// paper -> scissors, scissors -> rock); after lizard or Spock a random one of the three.
class BeatLastHeuristic {
 public:
  explicit BeatLastHeuristic(std::uint64_t seed = 0) : rng_(seed) {}

  void reset(Seed seed) {
    if (seed) rng_ = RandomStream(*seed);
  }
  std::int64_t compute_action(std::int64_t opponent_last_move) noexcept {
    switch (opponent_last_move) {
      case rps::rock: return rps::paper;
      case rps::paper: return rps::scissors;
      case rps::scissors: return rps::rock;
      default: return static_cast<std::int64_t>(rng_.below(3));
    }
  }

 private:
  RandomStream rng_;
};

}  // namespace rlpp
