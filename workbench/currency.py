"""Money in the company's currency: the code comes from the World (``World.currency``, the
``company`` table; USD when absent), the symbol and the Excel number format from here.

Also the one exchange-rate table of the workbench (:data:`ECB_RATES`, no network at run time):
the channel model's default costs are US dollar figures, expressed in another currency at
these rates (:meth:`workbench.channels.ChannelParams.for_currency`).
"""

from __future__ import annotations

__all__ = ["CURRENCY_SYMBOLS", "currency_symbol", "money_prefix", "excel_money_format", "format_money",
           "ECB_RATES", "RATES_DATE", "RATES_SOURCE", "usd_rate"]

CURRENCY_SYMBOLS = {
    "USD": "$", "BRL": "R$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "CNY": "CN¥", "MXN": "MX$",
    "CAD": "CA$", "AUD": "A$", "ZAR": "R", "KRW": "₩", "CHF": "CHF ", "SEK": "SEK ", "PLN": "PLN ",
}


def currency_symbol(code: str) -> str:
    """The symbol shown before an amount: '$' for USD, 'R$' for BRL, the code and a space otherwise."""
    code = (code or "USD").upper()
    return CURRENCY_SYMBOLS.get(code, code + " ")


def money_prefix(code: str) -> str:
    """Alias of :func:`currency_symbol` for labels such as 'R$/unit'."""
    return currency_symbol(code)


def excel_money_format(code: str) -> str:
    """An Excel number format for whole amounts in the currency, e.g. '"R$"#,##0;-"R$"#,##0'."""
    sym = currency_symbol(code).replace('"', "")
    return f'"{sym}"#,##0;-"{sym}"#,##0'


def format_money(amount: float, code: str = "USD", *, decimals: int = 0, millions: bool = False) -> str:
    """An amount with the currency's symbol: ``format_money(2.5e6, 'BRL', millions=True)`` is
    'R$2.50M' (``decimals`` places; two for millions unless given)."""
    sym = currency_symbol(code)
    sign = "-" if amount < 0 else ""
    if millions:
        return f"{sign}{sym}{abs(amount) / 1e6:,.{decimals or 2}f}M"
    return f"{sign}{sym}{abs(amount):,.{decimals}f}"


# Euro foreign exchange reference rates of the European Central Bank (units of each currency per
# euro) on 11 June 2024, as published in the ECB's daily file (eurofxref-daily.xml) for that day.
RATES_DATE = "2024-06-11"
RATES_SOURCE = ("European Central Bank, euro foreign exchange reference rates of 11 June 2024 "
                "(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/)")
ECB_RATES = {
    "EUR": 1.0, "USD": 1.0765, "JPY": 169.35, "GBP": 0.84365, "CHF": 0.9641, "SEK": 11.2345, "PLN": 4.3385,
    "AUD": 1.6280, "BRL": 5.7912, "CAD": 1.4795, "CNY": 7.8086, "INR": 89.9490, "KRW": 1481.35,
    "MXN": 20.2743, "ZAR": 20.0486,
}


def usd_rate(code: str) -> float | None:
    """Units of ``code`` per US dollar at :data:`ECB_RATES` (1.0 for USD; ``None`` when the table
    has no rate for the currency), e.g. 5.7912 / 1.0765 = 5.3797 BRL per USD."""
    code = (code or "USD").upper()
    if code == "USD":
        return 1.0
    if code not in ECB_RATES:
        return None
    return ECB_RATES[code] / ECB_RATES["USD"]
