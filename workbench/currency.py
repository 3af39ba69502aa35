"""Money in the company's currency: the code comes from the World (``World.currency``, the
``company`` table; USD when absent), the symbol and the Excel number format from here."""

from __future__ import annotations

__all__ = ["CURRENCY_SYMBOLS", "currency_symbol", "money_prefix", "excel_money_format"]

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
