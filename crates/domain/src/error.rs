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
    /// Equipment lifecycle states, shown by their labels and joined ("in service, down").
    States(Vec<crate::assets::LifecycleState>),
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
    // Refusals of the equipment records' own rules (assets/validate.rs, service assets/rules.rs).
    /// An asset cost above [`crate::assets::validate::MAX_AMOUNT`] (`max`).
    ImplausibleAmount,
    /// A number of phases other than 1 or 3.
    PhasesOneOrThree,
    /// A mains frequency other than 50 or 60 Hz.
    MainsFrequency,
    /// A generic type that is not lower-case letters, digits and '_'.
    GenericTypeFormat,
    /// An expected life of 0 years (unknown is left empty).
    LifeAtLeastOneYear,
    /// An average load above the peak (`peak`: the peak in kW).
    AverageAbovePeak,
    /// A maximum voltage below the minimum (`min`).
    VoltageMaxBelowMin,
    /// One load above [`crate::assets::load::MAX_KW`] (`max`).
    LoadTooLarge,
    /// A building load of kind "other" without a description.
    OtherLoadNeedsDescription,
    /// A tier override naming both or neither of an asset and a generic type.
    AssetOrGenericType,
    /// Typical outage hours per day outside 0..=24.
    OutageHoursRange,
    /// Litres of fuel above [`crate::assets::load::MAX_FUEL_LITRES`] (`max`).
    FuelTooLarge,
    /// More fuel on hand than the tank holds (`tank`: its size in litres).
    AboveTankSize,
    /// Fuel on hand without the day it was measured.
    FuelDateNeeded,
    /// A fuel measurement date without the litres on hand.
    FuelDateWithoutLitres,
    /// A reference figure's last year not after its first or beyond the last year accepted
    /// (`after`: the first year, `max`).
    YearToRange,
    /// A reference figure that cites no source.
    ReferenceNeedsSource,
    /// A population of 0.
    PopulationAtLeastOne,
    /// A commissioning event without the acceptance work order that passed.
    AcceptanceNeeded,
    /// A transfer event without the receiving facility.
    ReceivingFacilityNeeded,
    /// A disposed event without its disposal record.
    DisposalRecordNeeded,
    /// A disposal record on an event that is not a disposal (the value is the event's state).
    DisposalNotDisposed,
    /// An event naming itself as the event it corrects.
    CorrectsItself,
    /// A done or cancelled work order without the time it was closed.
    ClosedTimeNeeded,
    /// An open work order with a closing time.
    OpenOrderHasCloseTime,
    /// A work order closed before it was opened (`opened`).
    ClosedBeforeOpened,
    /// Implausibly many parts on one work order (`max`).
    TooManyParts,
    /// A maintenance plan naming both or neither of a model and an asset.
    PlanModelOrAsset,
    /// A maintenance plan's interval of 0 days.
    IntervalAtLeastOneDay,
    /// A maintenance plan's meter interval of 0.
    IntervalAtLeastOne,
    /// A donation check answering one item twice.
    AnsweredTwice,
    /// A change to a voided work order, downtime or meter reading (`kind`).
    VoidedNotChanged,
    /// A stored downtime rewritten other than by closing or annotating it.
    DowntimeRewritten,
    /// A change to a work order closed already (`closed`: when; the value is its status).
    ClosedOnce,
    /// A work order under another asset's plan (`plan_asset`, `asset`, `model`).
    PlanForOtherAsset,
    /// A work order under another model's plan (`plan_model`, `asset`, `model`).
    PlanForOtherModel,
    // Refusals of the equipment lifecycle: work orders, parts, recalls, contracts, gaps.
    /// A first lifecycle event in a state no history begins with (`event`, `allowed`: the
    /// states a history may begin with, as codes).
    NotAFirstState,
    /// A lifecycle event the state machine does not allow after the previous one (`event`,
    /// `from`, `allowed`: state codes).
    StateNotAllowedNext,
    /// A lifecycle event after a state nothing may follow: the asset has left for good
    /// (`event`, `from`).
    AssetLeftForGood,
    /// Back in service from storage or a transfer without ever being commissioned (`event`).
    NeverCommissioned,
    /// A stored lifecycle event written again changed (events are append-only).
    EventNotChanged,
    /// A correction of an event that is not voided, or of another asset's (`event`; the value
    /// is the event it corrects).
    CorrectsUnvoided,
    /// A new event earlier than the asset's latest live one (`event`, `latest`).
    EventOutOfOrder,
    /// Downtime overlapping another of the same asset (`downtime`, `other`, `start`, `end`: a
    /// time, or `open` when the other is still open).
    DowntimeOverlaps,
    /// Downtime starting before the asset's first lifecycle event (`downtime`, `first`).
    DowntimeBeforeFirstEvent,
    /// Downtime starting once the asset was retired (`downtime`, `retired`).
    DowntimeAfterRetired,
    /// A meter reading below an earlier one of the same meter (`reading`, `other`, `at`,
    /// `value`: the other reading's).
    ReadingGoesBackwards,
    /// A work order opened on a retired asset (`order`, `state`, `at`).
    WorkOnRetiredAsset,
    /// A work order of another asset than the record naming it (`asset`: the order's,
    /// `expected`: the record's).
    WorkOrderOtherAsset,
    /// A commissioning's acceptance work order that is not an acceptance test.
    NotAnAcceptance,
    /// A commissioning's acceptance test that is not done.
    AcceptanceNotDone,
    /// A commissioning's acceptance test closed after it (`at`: the commissioning).
    AcceptanceClosedAfter,
    /// A work order's time before its previous step (`step`: `opened`, `acknowledged` or
    /// `started`; `at`: that step's time).
    BeforeEarlierStep,
    /// A result on a work order that is not done.
    ResultOnlyWhenDone,
    /// A pass beside a failed checklist item (`item`).
    ChecklistItemFailed,
    /// A reading with neither min nor max.
    ToleranceNeeded,
    /// A reading's min above its max (`max`).
    MinAboveMax,
    /// A test instrument calibrated after the work (`done`: the work's date).
    CalibratedAfterWork,
    /// A pass beside a reading out of tolerance (`quantity`, `value`, `unit`).
    OutOfTolerance,
    /// A spare part with two minimum levels at one facility (the value is the facility).
    TwoMinimums,
    /// A part quantity above [`crate::assets::parts::MAX_QUANTITY`] (`max`).
    QuantityTooLarge,
    /// A stock adjustment of 0.
    AdjustmentZero,
    /// A consumption of parts naming no work order.
    ConsumptionNeedsWorkOrder,
    /// A receipt or adjustment of parts naming a work order.
    OnlyConsumptionNamesWorkOrder,
    /// An optional text given but empty: leave it out.
    LeaveOutNotEmpty,
    /// A field safety notice naming neither a model nor a UDI-DI.
    NoticeNamesNothing,
    /// A serial range missing an end.
    RangeNeedsBothEnds,
    /// A serial range whose ends differ in length.
    RangeEndsDiffer,
    /// A serial range ending before it starts.
    RangeBackwards,
    /// A reference density that is not a number of units per million of at least 0.
    PerMillion,
    /// Neither a year nor a range of years.
    YearOrRange,
    /// A contract naming both listed assets and a model at a facility.
    AssetsOrModelNotBoth,
    /// A contract naming neither assets nor a model.
    AssetsOrModelNeeded,
    /// A model's contract without the facility it covers.
    ModelNeedsFacility,
    /// An entry listed twice (the value is the entry).
    ListedTwice,
    /// A void without the reason the entry was wrong.
    VoidNeedsReason,
    /// An entry recorded before the event it records (`at`: when it happened).
    RecordedBeforeEvent,
    /// A coverage window not written DAYS HH:MM-HH:MM [±HH:MM] nor 24x7.
    CoverageForm,
    /// A day of a coverage window that is not mon … sun.
    CoverageDays,
    /// A range of days running backwards (e.g. fri-mon).
    DayRangeOrder,
    /// Covered hours not written HH:MM-HH:MM.
    CoverageHoursForm,
    /// Covered hours that do not end after they start.
    CoverageEndsBeforeStart,
    /// A UTC offset not written ±HH:MM.
    OffsetForm,
    /// A UTC offset beyond ±23:59.
    OffsetRange,
    /// A time in none of the forms [`crate::assets::instant::parse`] reads.
    NotATime,
    /// A stored part movement written again changed.
    MovementNotRewritten,
    /// A consumption's work order on an asset of another model than the part's (`asset`,
    /// `model`, `part_model`).
    PartForOtherModel,
    /// A consumption at another facility than its work order's asset (`asset`, `facility`).
    AssetAtOtherFacility,
    /// Part movements taking a facility's stock below zero (`facility`, `on_hand`, `part`).
    PartBelowZero,
    /// A record voided already (`reason`: its void's reason).
    AlreadyVoided,
    /// Voiding a work order a live event commissions the asset with (the value is the event).
    OrderCommissionsAsset,
    /// Voiding a work order a live downtime names (the value is the downtime).
    OrderNamedByDowntime,
    /// A stored field safety notice written again with other content.
    NoticeNotRewritten,
    /// A step recorded on a closed work order.
    OrderClosed,
    /// A work order step recorded a second time (`at`: the first time).
    StepRecordedAlready,
    /// An asset's embedded contract list giving no valid contract id.
    NoValidContractId,
    /// Another contract record holding the id a migrated contract would take.
    ContractIdTaken,
    /// Closing a work order with a status that does not close it.
    CloseAsDoneOrCancelled,
    // Refusals of the medicine, exchange-rate and code rules.
    /// A language that is not a two-letter ISO 639-1 code in lower case.
    LanguageCode,
    /// A packing line or movement of 0 base units.
    BaseUnitsAtLeastOne,
    /// A packing line or movement of more base units than plausible (`max`).
    TooManyBaseUnits,
    /// A medicine product whose pack holds no base unit.
    PackAtLeastOneUnit,
    /// An ATC code that is not up to 7 letters and digits starting with a capital.
    AtcCode,
    /// A GTIN that is not 8, 12, 13 or 14 digits.
    GtinDigits,
    /// A GTIN whose check digit is wrong (`found`, `expected`).
    GtinCheckDigit,
    /// A scanned GS1 element string that cannot be read (element, length, date or text).
    Gs1Unreadable,
    /// A lot that expires on or before its manufacture date (`manufactured`).
    ExpiryNotAfterManufacture,
    /// A lot that had expired when its consignment was shipped (`shipped`).
    ExpiredWhenShipped,
    /// A consignment that arrives before it was shipped (`shipped`).
    ArrivedBeforeShipped,
    /// A consignment naming no language read at the recipient.
    RecipientLanguageNeeded,
    /// A packing list without lines.
    NoPackingLines,
    /// A decision to accept in part that names no accepted line.
    PartNamesLines,
    /// A decision to accept or reject that names accepted lines.
    LinesOnlyInPart,
    /// A movement taking stock from a facility that names none.
    FromFacilityNeeded,
    /// A receipt that names a facility it comes from.
    ReceiptFromFacility,
    /// A movement putting stock into a facility that names none.
    ToFacilityNeeded,
    /// Stock used, lost, expired or destroyed that names a facility it goes to.
    ConsumedToFacility,
    /// A distribution to the facility it leaves.
    DistributionToSameFacility,
    /// An essential medicines list entry citing no list.
    EssentialListSourceNeeded,
    /// Stock figures that would overflow.
    StockOverflow,
    /// A CSV file, header or row that cannot be read.
    UnreadableCsv,
    /// A file header without the columns it needs (`columns`).
    ExpectedColumns,
    /// A date not written YYYY-MM-DD.
    DateNotIso,
    /// A figure that is not a decimal number.
    NotADecimal,
    /// A rate frequency other than A, M or D.
    RateFrequency,
    /// A second rate of one currency and frequency for one date (`currency`, `frequency`,
    /// `line`: where the first is).
    RateTwice,
    /// A second rate of one currency for one month (`currency`, `at`: where the first is).
    RateTwiceInMonth,
    /// A monthly rate table that is not a JSON array of {year, month, currency_id, value}.
    SdrJsonShape,
    /// A month that is not a valid year and month.
    NotAMonth,
    /// A date that appears twice in a rate table.
    DateTwice,
    /// Not an ISO 4217 currency code (names are not accepted here).
    NotACurrencyCode,
    /// Not an ISO 3166-1 alpha-2 country code (names are not accepted here).
    NotACountryCode,
    /// A record id that is not 1-200 characters of letters, digits, '-', '_', '.', ':'.
    NotAnId,
    /// An IATI organisation identifier without an agency prefix.
    NotAnIatiOrgId,
    /// A spreadsheet cell whose type does not fit its column.
    CellTypeMismatch,
    /// A packing line without a lot (typed or scanned).
    LotNeeded,
    /// A packing line without an expiry (typed or scanned).
    ExpiryNeeded,
    /// A packing line's quantity that is not a whole number of base units.
    QuantityWholeBaseUnits,
    /// A yes/no cell holding something else.
    YesOrNo,
    /// A packing line number beyond the list (`count`: the lines it has).
    NoSuchLine,
    /// Accepted lines whose value is too large to add up.
    AcceptedValueOverflow,
    /// A consignment's value flow that is not a disbursement.
    ValueFlowNotDisbursement,
    /// A consignment's value flow of another activity (`flow_activity`, `activity`).
    ValueFlowOtherActivity,
    /// A packing list replaced after the consignment was decided.
    ConsignmentDecided,
    /// A figure of zero or less where it must be greater than zero.
    MustBePositive,
    /// A number with more digits than a decimal keeps exactly.
    TooManyDigits,
    /// An intake fact kind other than commitment, disbursement, pledge, cumulative or not_aid.
    UnknownFactKind,
    /// A same_as edit other than none.
    SameAsNone,
    /// An edit not written field=value.
    FieldEqualsValue,
    /// An article not in English.
    NotEnglish,
    /// A record missing a field it needs (`name`).
    MissingField,
    /// A value that is not one of the field's choices (`expected`).
    UnknownChoice,
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

    /// An argument of equipment lifecycle states.
    #[must_use]
    pub fn arg_states(
        mut self,
        name: &'static str,
        states: Vec<crate::assets::LifecycleState>,
    ) -> Self {
        self.args.push((name, ProblemArg::States(states)));
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
