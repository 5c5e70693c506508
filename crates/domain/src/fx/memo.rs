//! Conversions of many amounts at the cost of one lookup each: what a conversion says beside its
//! amount (rate, date, source, provisional status) depends only on the two currencies and the day,
//! so it is worked out once per pair and day and each amount is only multiplied through it. The
//! first dashboard converts a million flows over a few thousand such keys; describing the rate
//! for each flow was most of a conversion's cost (issue #13).

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{ConversionError, RateTable, converted_amount};
use crate::codes::CurrencyCode;
use crate::money::Money;

/// Everything a [`super::Conversion`] holds but the amounts: the same for every amount converted
/// between two currencies on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversionTerms {
    /// The currency converted to.
    pub currency: CurrencyCode,
    /// Units of the target currency per unit of the source currency, rounded for display.
    pub rate: Decimal,
    pub rate_date: NaiveDate,
    pub source: String,
    /// `Some(date)` when the conversion is provisional (see [`super::Conversion::provisional`]).
    pub provisional: Option<NaiveDate>,
    /// Whether a published rate takes part (a conversion between dollars needs none).
    pub uses_a_rate: bool,
    /// The two legs' published ratios, from and to.
    pub(super) ratios: ((Decimal, Decimal), (Decimal, Decimal)),
    /// The legs `source` describes in English, for pages that word them in their language.
    pub legs: Vec<super::RateLeg>,
}

impl ConversionTerms {
    /// `amount` converted on these terms: [`RateTable::convert_on`]'s amount.
    pub fn amount_of(&self, amount: Decimal) -> Result<Decimal, ConversionError> {
        converted_amount(amount, self.ratios.0, self.ratios.1, &self.currency)
    }
}

/// [`RateTable::convert_on`] for many amounts: each currency pair and day's terms are worked out
/// once and kept.
pub struct Conversions<'a> {
    rates: &'a RateTable,
    terms:
        HashMap<(CurrencyCode, CurrencyCode, NaiveDate), Result<ConversionTerms, ConversionError>>,
}

impl<'a> Conversions<'a> {
    pub fn new(rates: &'a RateTable) -> Self {
        Self {
            rates,
            terms: HashMap::new(),
        }
    }

    /// The table the amounts are converted with.
    pub fn rates(&self) -> &'a RateTable {
        self.rates
    }

    /// The terms of converting from `from` to `to` on `day`, or why there are none.
    pub fn terms(
        &mut self,
        from: &CurrencyCode,
        to: &CurrencyCode,
        day: NaiveDate,
    ) -> Result<&ConversionTerms, ConversionError> {
        let rates = self.rates;
        self.terms
            .entry((from.clone(), to.clone(), day))
            .or_insert_with(|| rates.terms_on(from, to, day).map(|(terms, _)| terms))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// [`RateTable::convert_on`]'s amount, or its error.
    pub fn convert_on(
        &mut self,
        money: &Money,
        to: &CurrencyCode,
        day: NaiveDate,
    ) -> Result<Decimal, ConversionError> {
        self.terms(&money.currency, to, day)?
            .amount_of(money.amount)
    }
}
