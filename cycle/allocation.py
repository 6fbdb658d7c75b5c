"""Suggested allocation: which priorities to fund to get the most weighted outcome value within budget.

Method (stated in README): an exact 0/1 knapsack. Each priority is funded whole or
not at all; the aim is the largest total of outcome value × weight with total cost
no more than the budget. Dynamic programming over the Pareto frontier of (cost,
value) — after each priority only combinations that no cheaper combination beats
are kept — gives the optimum without rounding costs. Among equal values the cheaper
combination wins, then the one using better-ranked priorities.

The frontier stays small for real priorities; for pathological figures (values growing
exactly with costs) it can grow exponentially, so past MAX_STATES the suggestion falls
back to the best of a greedy fill by value per pound, and says it is approximate.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Item:
    key: object
    rank: int
    cost: Decimal
    value: Decimal


MAX_STATES = 50_000


class Suggestion(tuple):
    """(keys, value, cost), with `.exact` telling whether it is the proven optimum."""

    exact = True


def suggest(items: list[Item], budget: Decimal) -> tuple[frozenset, Decimal, Decimal]:
    """The keys to fund, their total value and total cost (a Suggestion)."""
    # Each state: cost -> (value, chosen ranks as a sorted tuple, chosen keys)
    frontier: list[tuple[Decimal, Decimal, tuple, frozenset]] = [(Decimal(0), Decimal(0), (), frozenset())]
    for item in sorted(items, key=lambda i: i.rank):
        if item.cost > budget:
            continue
        extended = [
            (cost + item.cost, value + item.value, ranks + (item.rank,), keys | {item.key})
            for cost, value, ranks, keys in frontier
            if cost + item.cost <= budget
        ]
        frontier = _pareto(frontier + extended)
        if len(frontier) > MAX_STATES:
            return _greedy(items, budget)
    best = max(frontier, key=lambda s: (s[1], -s[0], tuple(-r for r in s[2])))
    return Suggestion((best[3], best[1], best[0]))


def _greedy(items, budget):
    chosen, cost, value = set(), Decimal(0), Decimal(0)
    for item in sorted(items, key=lambda i: (-(i.value / i.cost) if i.cost else Decimal("-Infinity"), i.rank)):
        if cost + item.cost <= budget:
            chosen.add(item.key)
            cost += item.cost
            value += item.value
    result = Suggestion((frozenset(chosen), value, cost))
    result.exact = False
    return result


def _pareto(states):
    """Keep only states that no cheaper-or-equal state matches or beats in value."""
    states.sort(key=lambda s: (s[0], -s[1], s[2]))
    kept, best_value = [], None
    for state in states:
        if best_value is None or state[1] > best_value:
            kept.append(state)
            best_value = state[1]
    return kept
