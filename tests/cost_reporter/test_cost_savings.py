"""The savings formula: a hand-computed example, edge cases and properties of the arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambdas.cost_reporter.logic import render
from lambdas.cost_reporter.logic.savings import (
    daily_totals,
    dominant_instance_type,
    endpoint_line,
    savings_blockers,
    totals,
    with_idle,
)
from lambdas.cost_reporter.models import Baseline, DayUsage, EndpointUsage, PriceQuote

D = Decimal
G5_2XL = PriceQuote(hourly_price=D("1.515"), source="catalog:fmbench-2025-01-26")


def usage(hours: str, instance_cost: str, other_cost: str = "0") -> EndpointUsage:
    return EndpointUsage(
        instance_hours=D(hours),
        instance_cost=D(instance_cost),
        other_cost=D(other_cost),
        hours_by_instance_type={"ml.inf2.xlarge": D(hours)},
    )


def test_formula_matches_the_hand_computed_example() -> None:
    # One ml.inf2.xlarge for a 30-day month: 720 h x 0.99 USD/h = 712.80 USD, plus 3.20 USD of storage.
    # Baseline: ml.g5.2xlarge at 1.515 USD/h, capacity ratio 1.5 (1.5 GPU instances per Inf2 instance).
    #   actual_cost   = 712.80 + 3.20                      =   716.00
    #   baseline_cost = 720 x 1.5 x 1.515 + 3.20 = 1636.20 + 3.20 = 1639.40
    #   savings       = 1639.40 - 716.00                   =   923.40
    #   savings_pct   = 100 x 923.40 / 1639.40             =    56.3255... -> 56.33
    #   per 1k req (1,200,000 invocations): 1000 x 716.00 / 1,200,000 = 0.596666... -> 0.5967
    #   baseline per 1k: 1000 x 1639.40 / 1,200,000 = 1.366166... -> 1.3662
    # Arrange
    baseline = Baseline("ml.g5.2xlarge", D("1.5"), G5_2XL)

    # Act
    line = endpoint_line("chat", usage("720", "712.80", "3.20"), baseline, invocations=1_200_000)
    document = render.endpoint_document(line)

    # Assert
    assert line.actual_cost == D("716.00")
    assert line.baseline_cost == D("1639.40")
    assert line.savings == D("923.40")
    assert document["savings_pct"] == 56.33
    assert document["cost_per_1k_invocations"] == 0.5967
    assert document["baseline_cost_per_1k_invocations"] == 1.3662
    assert document["instance_type"] == "ml.inf2.xlarge"
    assert document["price_source"] == "catalog:fmbench-2025-01-26"


def test_unknown_baseline_price_leaves_baseline_figures_empty() -> None:
    line = endpoint_line("chat", usage("10", "9.90"), Baseline("ml.g6.xlarge", D(1), None), invocations=None)

    assert (line.baseline_cost, line.savings, line.savings_pct, line.baseline_hourly_price) == (None,) * 4
    assert line.cost_per_1k_invocations is None
    assert line.actual_cost == D("9.90")


def test_zero_baseline_cost_gives_null_percentage_and_no_invocations_gives_null_rates() -> None:
    line = endpoint_line("idle", EndpointUsage(), Baseline("ml.g5.2xlarge", D(1), G5_2XL), invocations=0)

    assert line.baseline_cost == 0
    assert line.savings_pct is None
    assert line.cost_per_1k_invocations is None
    assert line.instance_type is None


def test_totals_cover_only_endpoints_with_a_baseline() -> None:
    known = endpoint_line("a", usage("100", "99"), Baseline("ml.g5.2xlarge", D(1), G5_2XL), 1000)
    unknown = endpoint_line("b", usage("10", "9.9"), Baseline("ml.g6.xlarge", D(1), None), None)

    result = totals([known, unknown])

    assert result.actual_cost == D("108.9")
    assert result.baseline_cost == D("151.500")
    assert result.savings == D("52.500")
    assert result.instance_hours == D(110)
    assert result.invocations == 1000


def test_dominant_instance_type_is_the_one_with_most_hours() -> None:
    mixed = EndpointUsage(hours_by_instance_type={"ml.inf2.xlarge": D(10), "ml.inf2.8xlarge": D(30)})

    assert dominant_instance_type(mixed) == "ml.inf2.8xlarge"


money = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
hours = st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False, allow_infinity=False)
ratio = st.decimals(min_value=D("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False)
price = st.decimals(min_value=D("0.0001"), max_value=100, places=4, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # (hours, instance cost, other cost, capacity ratio, baseline price/h, invocations) ->
        # (actual, baseline, savings, savings % rounded to 2 places, actual per 1k, baseline per 1k), by hand:
        #   100 h of ml.inf2.xlarge at 0.99 = 99.00; baseline 100 x 1 x 1.515 = 151.50;
        #   151.50 - 99.00 = 52.50; 100 x 52.50 / 151.50 = 34.653... ; 1000 x 99 / 1000 = 99
        (("100", "99.00", "0", "1", "1.515", 1_000), ("99.00", "151.500", "52.500", 34.65, 99.0, 151.5)),
        #   a month (730 h) of ml.inf2.xlarge, 10.00 of storage, baseline ml.g5.12xlarge at 7.09 with ratio 0.5:
        #   actual 722.70 + 10.00 = 732.70; baseline 730 x 0.5 x 7.09 = 2587.85, + 10.00 = 2597.85;
        #   savings 2597.85 - 732.70 = 1865.15; 100 x 1865.15 / 2597.85 = 71.7959... ;
        #   per 1k of 2,000,000: 732.70 / 2000 = 0.36635 -> 0.3664 (half up), 2597.85 / 2000 = 1.298925 -> 1.2989
        (
            ("730", "722.70", "10.00", "0.5", "7.09", 2_000_000),
            ("732.70", "2597.85", "1865.15", 71.80, 0.3664, 1.2989),
        ),
        #   the GPU is cheaper: 100 h of ml.inf2.8xlarge at 2.36 = 236.00 against 100 x 1 x 1.515 = 151.50:
        #   savings 151.50 - 236.00 = -84.50; 100 x -84.50 / 151.50 = -55.775... ; 236 / 5 = 47.2, 151.5 / 5 = 30.3
        (("100", "236.00", "0", "1", "1.515", 5_000), ("236.00", "151.500", "-84.500", -55.78, 47.2, 30.3)),
        #   no instance hours, 5.00 of storage only: both sides are the storage, nothing saved
        (("0", "0", "5.00", "2", "1.515", 0), ("5.00", "5.00", "0", 0.0, None, None)),
    ],
)
def test_formula_matches_hand_computed_values(
    case: tuple[str, str, str, str, str, int],
    expected: tuple[str, str, str, float, float | None, float | None],
) -> None:
    h, instance, other, r, p, invocations = case
    actual, baseline_cost, saved, pct, per_1k, baseline_per_1k = expected
    baseline = Baseline("ml.g5.2xlarge", D(r), PriceQuote(D(p), "test"))

    line = endpoint_line("e", EndpointUsage(D(h), D(instance), D(other)), baseline, invocations)
    document = render.endpoint_document(line)

    assert (line.actual_cost, line.baseline_cost, line.savings) == (D(actual), D(baseline_cost), D(saved))
    assert document["savings_pct"] == pct
    assert document["cost_per_1k_invocations"] == per_1k
    assert document["baseline_cost_per_1k_invocations"] == baseline_per_1k


@given(
    h=hours,
    instance=money,
    other=money,
    r=ratio,
    p=price,
    invocations=st.integers(min_value=0, max_value=10**12),
)
def test_savings_percentage_is_at_most_100_and_has_the_sign_of_the_savings(
    *, h: Decimal, instance: Decimal, other: Decimal, r: Decimal, p: Decimal, invocations: int
) -> None:
    baseline = Baseline("ml.g5.2xlarge", r, PriceQuote(p, "test"))
    usage = EndpointUsage(h, instance, other)
    line = endpoint_line("e", usage, baseline, invocations)

    # Savings are stated exactly when nothing blocks them: instance cost without instance hours does.
    assert (line.savings is None) == bool(savings_blockers(usage, baseline))
    assert (line.savings is None) == (instance > 0 and h == 0)
    if line.savings is None:
        return
    if line.savings_pct is not None:
        assert line.savings_pct <= 100
        assert (line.savings_pct > 0) == (line.savings > 0)


@given(hours, ratio, price, money)
def test_same_price_and_ratio_one_saves_nothing(h: Decimal, r: Decimal, p: Decimal, other: Decimal) -> None:
    # Inferentia billed at exactly the baseline's price, one for one: baseline == actual.
    baseline = Baseline("ml.g5.2xlarge", D(1), PriceQuote(p, "test"))
    line = endpoint_line("e", EndpointUsage(h, h * p, other), baseline, None)

    assert line.savings == 0


@given(st.lists(st.tuples(hours, money, money, ratio, price), min_size=0, max_size=20))
def test_totals_are_sums_of_the_endpoints(
    rows: list[tuple[Decimal, Decimal, Decimal, Decimal, Decimal]],
) -> None:
    lines = [
        endpoint_line(f"e{i}", EndpointUsage(h, c, o), Baseline("ml.g5.2xlarge", r, PriceQuote(p, "t")), 1)
        for i, (h, c, o, r, p) in enumerate(rows)
    ]

    result = totals(lines)

    compared = [line for line in lines if line.savings is not None]
    assert result.actual_cost == sum((line.actual_cost for line in lines), D(0))
    assert result.savings == sum((line.savings or D(0) for line in compared), D(0))
    assert result.savings == result.baseline_cost - sum((line.actual_cost for line in compared), D(0))
    assert result.invocations == len(rows)


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False))
def test_rounding_to_cents_is_idempotent_and_within_half_a_cent(amount: Decimal) -> None:
    rounded = render.round_money(amount)

    assert render.round_money(rounded) == rounded
    assert abs(rounded - amount) <= D("0.005")
    assert rounded.as_tuple().exponent == -2


@given(
    st.lists(st.tuples(hours, money, money, st.integers(0, 10**9)), min_size=1, max_size=31),
    ratio,
    price,
)
def test_the_period_is_exactly_the_sum_of_its_days(
    days: list[tuple[Decimal, Decimal, Decimal, int]], r: Decimal, p: Decimal
) -> None:
    # Arrange: a bill per day as the parser builds it (the period's figures summed from the same rows)
    first = date(2026, 10, 1)
    usage = EndpointUsage(hours_by_instance_type={"ml.inf2.xlarge": D(1)})
    invocations = {}
    for i, (h, c, o, n) in enumerate(days):
        usage.days[first + timedelta(days=i)] = DayUsage(h, c, o)
        usage.instance_hours += h
        usage.instance_cost += c
        usage.other_cost += o
        invocations[first + timedelta(days=i)] = n

    # Act
    line = endpoint_line("e", usage, Baseline("ml.g5.2xlarge", r, PriceQuote(p, "t")), invocations)

    # Assert: exact Decimal sums, and the day formula summed is the period formula
    assert line.actual_cost == sum((d.actual_cost for d in line.daily), D(0))
    assert line.instance_hours == sum((d.instance_hours for d in line.daily), D(0)) == usage.instance_hours
    assert line.invocations == sum(d.invocations or 0 for d in line.daily)
    if line.baseline_cost is not None:
        assert line.baseline_cost == sum((d.baseline_cost or D(0) for d in line.daily), D(0))
        assert line.baseline_cost == usage.instance_hours * r * p + usage.other_cost
    (project,) = [daily_totals([line])]
    assert [t.actual_cost for t in project] == [d.actual_cost for d in line.daily]


def test_daily_totals_sum_endpoints_per_day_and_baseline_only_where_known() -> None:
    # Hand-computed: two endpoints on 1 October; "b" has no baseline price.
    #   a: 24 h x 0.99 = 23.76 actual; baseline 24 x 1 x 1.515 = 36.36; savings 12.60
    #   b: 10.00 actual, baseline unknown -> day total actual 33.76, baseline 36.36, savings 12.60
    day = date(2026, 10, 1)
    a = EndpointUsage(D(24), D("23.76"), D(0), {day: DayUsage(D(24), D("23.76"))}, {"ml.inf2.xlarge": D(24)})
    b = EndpointUsage(D(10), D("10.00"), D(0), {day: DayUsage(D(10), D("10.00"))}, {"ml.inf2.xlarge": D(10)})
    lines = [
        endpoint_line("a", a, Baseline("ml.g5.2xlarge", D(1), G5_2XL), {day: 100}),
        endpoint_line("b", b, Baseline("ml.g5.2xlarge", D(1), None), None),
    ]

    (total,) = daily_totals(lines)

    assert (total.actual_cost, total.baseline_cost, total.savings) == (D("33.76"), D("36.360"), D("12.600"))
    assert (total.instance_hours, total.invocations) == (D(34), 100)


def test_idle_matches_the_hand_computed_example() -> None:
    # A 3-day period of one ml.inf2.xlarge endpoint at 0.99 USD/h, with 1.00 USD of storage:
    #   Oct 1: 48 instance-hours -> 48 / 24 = 2 instances each hour; invocations in 8 hours (09:00-16:00),
    #          16 hours without: idle 16 x 2 = 32 instance-hours
    #   Oct 2: 12 instance-hours (it scaled) -> 0.5 per hour; invocations in 6 hours: idle 18 x 0.5 = 9
    #   Oct 3: no instance-hours (at zero all day): 24 hours at zero, nothing idle
    #   idle_instance_hours = 32 + 9 = 41; hourly price = 59.40 / 60 = 0.99 USD
    #   idle_cost  = 41 x 0.99 = 40.59 USD
    #   idle_share = 40.59 / 59.40 = 41 / 60 = 0.68333... -> 0.6833 (storage is not instance cost)
    # Arrange
    oct1, oct2, oct3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)
    bill = EndpointUsage(
        instance_hours=D(60),
        instance_cost=D("59.40"),
        other_cost=D("1.00"),
        days={
            oct1: DayUsage(D(48), D("47.52"), D("0.50")),
            oct2: DayUsage(D(12), D("11.88"), D("0.50")),
        },
        hours_by_instance_type={"ml.inf2.xlarge": D(60)},
    )
    hour = {d: datetime.combine(d, time(), tzinfo=UTC) for d in (oct1, oct2)}
    invocations = {hour[oct1] + timedelta(hours=h): 100 for h in range(9, 17)}
    invocations |= {hour[oct2] + timedelta(hours=h): 5 for h in range(10, 16)}
    line = endpoint_line("chat", bill, Baseline("ml.g5.2xlarge", D("1.5"), G5_2XL), invocations=None)

    # Act
    figured = with_idle(line, invocations, [oct1, oct2, oct3], scaled_to_zero=True)
    unknown = with_idle(line, None, [oct1, oct2, oct3])
    document = render.endpoint_document(figured)

    # Assert
    assert figured.idle_instance_hours == D(41)
    assert figured.idle_cost == D("40.59")
    assert (document["idle_instance_hours"], document["idle_cost"], document["idle_share"]) == (
        41.0,
        40.59,
        0.6833,
    )
    assert document["hours_at_zero"] == 24
    assert with_idle(line, invocations, [oct1, oct2, oct3]).hours_at_zero is None  # never scaled to zero
    assert (unknown.idle_cost, unknown.idle_share) == (None, None)  # invocations unknown: idle unknown
    assert (totals([figured, unknown]).idle_cost, totals([figured]).idle_instance_hours) == (
        D("40.59"),
        D(41),
    )
    assert render.idle_words(figured) == "68.33%, 24 h at 0"


def test_an_endpoint_busy_every_hour_has_no_idle_cost() -> None:
    day = date(2026, 10, 1)
    bill = EndpointUsage(D(24), D("23.76"), days={day: DayUsage(D(24), D("23.76"))})
    line = endpoint_line("busy", bill, Baseline("ml.g5.2xlarge", D("1.5"), G5_2XL), invocations=None)
    midnight = datetime.combine(day, time(), tzinfo=UTC)

    figured = with_idle(line, {midnight + timedelta(hours=h): 1 for h in range(24)}, [day])

    assert (figured.idle_instance_hours, figured.idle_cost, figured.idle_share) == (D(0), D(0), D(0))
