"""Baseline hourly prices: the AWS Price List API first, the bundled catalog as the fallback.

``pricing:GetProducts`` (ServiceCode ``AmazonSageMaker``; filters ``instanceName``, ``regionCode`` and
``component`` = ``Hosting``) answers with JSON strings whose ``terms.OnDemand.*.priceDimensions.*``
carry ``pricePerUnit.USD`` per ``Hrs``. The call sits behind :data:`ProductsFetcher` so tests (and the
emulator, which does not implement the Price List API) can stand in for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from lambdas.common.catalog import Catalog, load_catalog
from lambdas.common.paging import PagingError, paginate
from lambdas.common.retry import describe_error
from lambdas.cost_reporter.models import Issue, PriceQuote

if TYPE_CHECKING:
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_pricing.type_defs import (
        FilterTypeDef,
        GetProductsRequestTypeDef,
    )

PRICE_LIST_SOURCE = "price-list-api"
CATALOG_SOURCE_PREFIX = "catalog:"

#: (instance type, region) -> the PriceList JSON strings of matching products.
ProductsFetcher = Callable[[str, str], list[str]]


def price_list_products(client: PricingClient, instance_type: str, region: str) -> list[str]:
    """Every SageMaker hosting product of ``instance_type`` in ``region`` (paginated GetProducts)."""
    filters: list[FilterTypeDef] = [
        {"Type": "TERM_MATCH", "Field": "instanceName", "Value": instance_type},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "component", "Value": "Hosting"},
    ]
    items: list[str] = []
    request: GetProductsRequestTypeDef = {"ServiceCode": "AmazonSageMaker", "Filters": filters}
    for page in paginate(client.get_products, request, page_param="NextToken", what="Price List GetProducts"):
        items.extend(page.get("PriceList", []))
    return items


#: Upper bound of a believable hosting price per instance-hour (the largest SageMaker instances cost tens of
#: USD per hour); a larger "price" is corrupt data and is skipped like a malformed item.
MAX_HOURLY_PRICE_USD = Decimal(10_000)


def hourly_prices(price_list: list[str]) -> set[Decimal]:
    """Positive on-demand USD prices per hour found in Price List items (malformed items are skipped)."""
    prices: set[Decimal] = set()
    for raw in price_list:
        try:
            on_demand = json.loads(raw)["terms"]["OnDemand"]
            for term in on_demand.values():
                for dimension in term["priceDimensions"].values():
                    price = Decimal(dimension["pricePerUnit"]["USD"])
                    if (
                        dimension.get("unit") in ("Hrs", "Hours")
                        and price.is_finite()
                        and 0 < price <= MAX_HOURLY_PRICE_USD
                    ):
                        prices.add(price)
        except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation):
            continue
    return prices


class PriceBook:
    """Hourly prices per (instance type, region), cached for the run, with the source of each.

    The first Price List failure (no access, not implemented, no network) switches the run to the catalog
    with one warning; an instance type the Price List does not know falls back alone.
    """

    def __init__(self, fetch_products: ProductsFetcher | None, catalog: Catalog | None = None) -> None:
        self._fetch = fetch_products
        self._catalog = catalog or load_catalog()
        self._cache: dict[tuple[str, str], PriceQuote | None] = {}
        self.warnings: list[Issue] = []

    @classmethod
    def from_client(cls, client: PricingClient) -> PriceBook:
        """A price book that asks the Price List API through ``client``."""
        return cls(partial(price_list_products, client))

    def quote(self, instance_type: str, region: str) -> PriceQuote | None:
        """The hourly price of ``instance_type`` in ``region``; None if neither source knows it."""
        key = (instance_type, region)
        if key not in self._cache:
            self._cache[key] = self._from_price_list(instance_type, region) or self._from_catalog(
                instance_type, region
            )
        return self._cache[key]

    def _from_price_list(self, instance_type: str, region: str) -> PriceQuote | None:
        if self._fetch is None:
            return None
        try:
            prices = hourly_prices(self._fetch(instance_type, region))
        except (ClientError, BotoCoreError, PagingError) as exc:
            self._fetch = None
            self.warnings.append(
                Issue(
                    f"AWS Price List API unavailable ({describe_error(exc)}); baseline prices from the catalog"
                )
            )
            return None
        if not prices:
            return None
        if len(prices) > 1:
            self.warnings.append(
                Issue(f"Price List lists several prices for {instance_type} in {region}: using the lowest")
            )
        return PriceQuote(hourly_price=min(prices), source=PRICE_LIST_SOURCE)

    def _from_catalog(self, instance_type: str, region: str) -> PriceQuote | None:
        spec = self._catalog.get(instance_type)
        if spec is None or spec.hourly_price_usd is None:
            return None
        if region != self._catalog.price_region:
            self.warnings.append(
                Issue(
                    f"catalog price of {instance_type} is for {self._catalog.price_region}, used for {region}"
                )
            )
        return PriceQuote(
            hourly_price=spec.hourly_price_usd, source=f"{CATALOG_SOURCE_PREFIX}{spec.price_source}"
        )
