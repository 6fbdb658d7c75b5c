"""The suggested allocation is the optimum: checked against brute force on small inputs."""

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cycle.allocation import Item, suggest

money = st.integers(min_value=0, max_value=50).map(lambda n: Decimal(n) * 1000)
value = st.integers(min_value=0, max_value=40).map(Decimal)


def brute_force(items, budget):
    best = Decimal(0)
    for size in range(len(items) + 1):
        for combination in itertools.combinations(items, size):
            if sum((i.cost for i in combination), Decimal(0)) <= budget:
                best = max(best, sum((i.value for i in combination), Decimal(0)))
    return best


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(money, value), min_size=0, max_size=9), st.integers(min_value=0, max_value=200).map(lambda n: Decimal(n) * 1000))
def test_the_suggestion_reaches_the_brute_force_optimum_within_budget(pairs, budget):
    items = [Item(key=n, rank=n + 1, cost=cost, value=worth) for n, (cost, worth) in enumerate(pairs)]
    chosen, total_value, total_cost = suggest(items, budget)
    by_key = {i.key: i for i in items}
    assert total_cost == sum((by_key[k].cost for k in chosen), Decimal(0)) <= budget
    assert total_value == sum((by_key[k].value for k in chosen), Decimal(0))
    assert total_value == brute_force(items, budget)


def test_among_equal_values_the_cheaper_then_the_better_ranked_wins():
    items = [Item("a", 1, Decimal(60), Decimal(10)), Item("b", 2, Decimal(50), Decimal(10)), Item("c", 3, Decimal(50), Decimal(10))]
    chosen, total_value, total_cost = suggest(items, Decimal(100))
    assert (chosen, total_value, total_cost) == (frozenset({"b", "c"}), Decimal(20), Decimal(100))
    chosen, _, _ = suggest(items, Decimal(55))
    assert chosen == frozenset({"b"})  # b and c tie; b is ranked higher


def test_a_priority_dearer_than_the_whole_budget_is_never_funded():
    chosen, total_value, _ = suggest([Item("x", 1, Decimal(101), Decimal(99))], Decimal(100))
    assert chosen == frozenset() and total_value == 0


def test_pathological_figures_fall_back_to_a_greedy_fill_and_say_so(monkeypatch):
    from cycle import allocation

    monkeypatch.setattr(allocation, "MAX_STATES", 50)
    items = [Item(n, n + 1, Decimal(2 ** n), Decimal(2 ** n)) for n in range(12)]
    result = suggest(items, Decimal(2 ** 11 + 5))
    chosen, total_value, total_cost = result
    assert result.exact is False and total_cost <= 2 ** 11 + 5 and total_value == total_cost
    assert suggest(items[:3], Decimal(7)).exact is True
