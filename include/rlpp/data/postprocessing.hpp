#pragma once
// Trajectory postprocessing (RLlib's rllib/evaluation/postprocessing.py): advantages and value
// targets (GAE), n-step returns, V-trace. Each lives in its own header; this one includes them all.

#include "rlpp/data/advantages.hpp"
#include "rlpp/data/nstep.hpp"
#include "rlpp/data/vtrace.hpp"
