use std::fmt;

use crate::model::RecordKind;

/// A value that breaks a rule of the model. Always names the field and the offending value, so a
/// user can fix their input without reading code. `message` is the English sentence (the CLI,
/// the API, logs); `problem`, where the rule gives one, says the same as a message id with
/// arguments so a page words it in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    pub field: String,
    pub value: String,
    pub message: String,
    /// Boxed: errors travel in `Result`s and stay small.
    pub problem: Option<Box<Problem>>,
}

/// A refusal as a message id and its arguments (catalogue key `verr-<id>` on pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: ProblemId,
    pub args: Vec<(&'static str, ProblemArg)>,
}

/// An argument of a [`Problem`]: text shown as it is, or a record kind shown by its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemArg {
    Text(String),
    Kind(RecordKind),
}

/// The refusals of the service's write rules, the approval workflow and the web's write
/// preconditions that reach a form or a page.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProblemId {
    /// "no {kind} with this id exists" (`kind`).
    NoSuchRecord,
    /// "appears twice in one batch".
    TwiceInBatch,
    /// "this parent link makes a cycle".
    ParentCycle,
    /// "asset history is append-only: …".
    AppendOnly,
    /// "a record is a JSON object".
    NotAnObject,
    /// "missing: say which kind of record this is".
    NoRecordKind,
    /// "unknown record kind; expected one of …" (`expected`).
    UnknownRecordKind,
    /// An intake fact that is not pending any more (`status`).
    FactNotPending,
    /// "a rejection needs a reason".
    ReasonNeeded,
    /// "not an editable field; expected one of …" (`expected`).
    NotEditable,
    /// "the article is empty".
    EmptyArticle,
    /// "expected a web address starting with http:// or https://".
    NotAWebAddress,
    /// An intake fact matched to an existing flow.
    FactLinked,
    /// An intake amount read as not aid.
    FactNotAid,
    /// An intake fact without an amount.
    FactNoAmount,
    /// No donor found in the article.
    NoDonor,
    /// "an organisation cannot be merged into itself".
    MergeIntoItself,
    /// "merging would make it its own parent" (`chain`: the parents from INTO up to FROM).
    MergeMakesOwnParent,
    /// "must name the organisation in letters or digits" (an alias).
    AliasNoLetters,
    /// "is this organisation's name already" (an alias).
    AliasIsName,
    /// "already names organisation …" (`id`, `name`: the organisation it names).
    AliasTaken,
    /// A record created anew whose id is taken ("already exists").
    AlreadyExists,
    /// The record changed since the editor loaded it (a failed precondition).
    ChangedSinceLoaded,
    /// The record an edit was loaded from does not exist any more.
    Gone,
    /// The record is outside what the account may edit.
    OutOfScope,
    /// "only the author submits a draft".
    NotAuthor,
    /// The account's role may not approve or reject changes.
    MayNotApprove,
    /// The records a change would write moved on after it was made.
    ChangedSinceEdit,
    /// Another approver decided the change first.
    DecidedMeanwhile,
    /// The change is not in the state the decision needs (decided or submitted already).
    ChangeNotInState,
    /// No change in the approval queue has this number.
    NoSuchChange,
    /// A movement takes more of a lot than the facility holds (`facility`, `lot`, `on_hand`,
    /// `quantity`).
    BeyondStock,
    /// A receipt beyond what the accepted packing list still holds (`lot`, `quantity`,
    /// `remaining`).
    BeyondPackingList,
    /// A movement of a lot the accepted packing list does not hold (`lot`, `product`).
    NotOnPackingList,
    /// A flow of 0 that is not an interest payment or loan repayment.
    ZeroAmount,
    /// Neither a country code nor a country's name.
    NotACountry,
    /// Neither a currency code nor a currency's name.
    NotACurrency,
    /// A device reported down that is not in service (`state`).
    NotInService,
    /// A device reported back in service that has no open downtime.
    NoOpenDowntime,
    /// A time later than now allows (`minutes`: how far ahead is accepted).
    InTheFuture,
    /// An energy plan that assigns no unit, so there is nothing to record.
    EmptyPlan,
    /// An energy plan assigning a model its fleet does not hold.
    NotInPlanFleet,
    /// An energy plan's assignment that is no plan to record (units, power).
    PlanNotRecordable,
    /// A text that must say something is empty.
    Empty,
    /// A date outside the years the ledger accepts (`from`, `to`).
    YearOutOfRange,
    /// A negative amount, rate or quantity where none may be.
    Negative,
    /// An amount above [`crate::money::MAX_AMOUNT`].
    TooLarge,
    /// A record named as its own parent.
    OwnParent,
    /// A latitude outside -90..90.
    LatitudeRange,
    /// A longitude outside -180..180.
    LongitudeRange,
    /// A share that is not in (0, 100].
    PercentRange,
    /// Shares that do not add up to 100 (the value is their sum).
    PercentSum,
    /// An end before its start (`start`).
    EndBeforeStart,
    /// A sector that is not a 5-digit OECD DAC purpose code.
    DacPurposeCode,
    /// A recorded exchange rate of zero or less.
    RateNotPositive,
    /// A quantity of 0 (unknown is left empty).
    QuantityAtLeastOne,
    /// A generator rated both in kW and in kVA.
    KwOrKvaNotBoth,
    /// A generator with no rating.
    KwOrKvaNeeded,
    /// A generator rating outside (0, 100000].
    RatingRange,
    /// A partnership without partners.
    NoPartner,
    /// A partnership whose lead is also among its partners.
    LeadIsPartner,
    /// Text with a control character other than tab and line breaks (`code`: U+XXXX).
    ControlCharacter,
    /// Text with a character that opens a direction (`code`: U+XXXX).
    BidiControl,
    /// A period of indicators that begins after now.
    PeriodInFuture,
    /// A date of something already observed that lies after today (`today`).
    DateInFuture,
    /// An article giving more facts than a draft holds (`found`, `max`).
    TooManyFacts,
    /// A contract's response time of 0 hours.
    ResponseAtLeastOneHour,
    /// Covered hours that do not run from 0–23 to a later hour up to 24.
    CoveredHoursRange,
    /// Covered hours on no day.
    NoCoveredDay,
}

impl Problem {
    pub fn new(id: ProblemId) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// A text argument of the message.
    #[must_use]
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, ProblemArg::Text(value.into())));
        self
    }

    /// The text argument `name`, if the message has one.
    pub fn text_arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find_map(|(n, arg)| match arg {
            ProblemArg::Text(t) if *n == name => Some(t.as_str()),
            _ => None,
        })
    }
}

impl ValidationError {
    pub fn new(
        field: impl Into<String>,
        value: impl fmt::Display,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
            problem: None,
        }
    }

    /// A reference to a record that does not exist: "no {kind} with this id exists".
    pub fn no_such_record(
        field: impl Into<String>,
        id: impl fmt::Display,
        kind: RecordKind,
    ) -> Self {
        Self::new(
            field,
            id,
            format!("no {} with this id exists", kind.as_str()),
        )
        .because(ProblemId::NoSuchRecord)
        .arg("kind", ProblemArg::Kind(kind))
    }

    /// The same refusal as a message id, for pages in other languages.
    #[must_use]
    pub fn because(mut self, id: ProblemId) -> Self {
        self.problem = Some(Box::new(Problem::new(id)));
        self
    }

    /// A text argument of the message id set by [`Self::because`].
    #[must_use]
    pub fn with_text(self, name: &'static str, value: impl fmt::Display) -> Self {
        self.arg(name, ProblemArg::Text(value.to_string()))
    }

    /// An argument of the message id set by [`Self::because`].
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: ProblemArg) -> Self {
        if let Some(p) = &mut self.problem {
            p.args.push((name, value));
        }
        self
    }

    /// Prefixes the field path, so nested records report e.g. `flows[2].money.currency`.
    #[must_use]
    pub fn within(mut self, parent: &str) -> Self {
        self.field = if self.field.is_empty() {
            parent.to_string()
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}: {}", self.field, self.value, self.message)
    }
}
