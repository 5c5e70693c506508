# aidtrace interface text, English (the reference catalogue).
nav-dashboard = Dashboard
nav-activities = Activities
nav-facilities = Facilities
nav-map = Map
nav-organisations = Organisations
nav-quality = Data quality
nav-changes = Changes
nav-import = Import
nav-assets = Equipment
nav-energy = Energy
nav-intake = Intake
nav-api = API
sign-in = Sign in
sign-out = Sign out
public-view = Public view: approved data only
footer = Converted figures use International Monetary Fund exchange rates unless stated. Source: International Monetary Fund.
title-dashboard = Dashboard
title-activities = Activities
title-facilities = Facilities
title-map = Map of facilities
title-organisations = Organisations
title-quality = Data quality
title-import = Import
title-changes = Changes
title-sign-in = Sign in
card-activities =
    { $count ->
        [one] activity
       *[other] activities
    }
card-flows =
    { $count ->
        [one] flow
       *[other] flows
    }
card-facilities =
    { $count ->
        [one] facility
       *[other] facilities
    }
card-organisations =
    { $count ->
        [one] organisation
       *[other] organisations
    }
card-problems =
    { $count ->
        [one] data-quality problem
       *[other] data-quality problems
    }
chart-by-donor = Flows by donor and kind (USD at IMF rates)
chart-by-year = Converted flows by year and kind (USD at IMF rates)
by-donor = By donor
by-recipient = By recipient
by-region = By region
by-sector = By sector
by-year = By year
export = Export
search = Search
filter = Filter
any = any
status = Status
instrument = Instrument
flows = Flows
equipment = Equipment
sources = Sources
findings = Findings
history = Change history
language = Language
# Equipment pages (asset_pages.rs)
title-assets = Equipment register
title-asset-indicators = Equipment indicators
assets-facility = Facility
assets-donor = Donor
assets-currency = Currency
assets-count = assets
assets-tag = Inventory tag
assets-model = Model
assets-since = Since
assets-open-orders = Open work orders
assets-money-to-machine = Money to machine
assets-donation-failures = Failed donation checks
assets-responsible = Responsible for O&M
assets-om-payer = Pays for O&M
assets-report-down = Report device down
assets-back-in-service = Back in service
assets-short-url = Short link (for a QR label)
assets-events = Lifecycle
assets-downtime = Downtime
assets-work-orders = Work orders
assets-pm-schedule = Preventive maintenance
assets-from = From
assets-to = To
assets-by = By
assets-cause = Cause
assets-note = Note
assets-of-facility = Equipment at this facility (register, uptime)
assets-cause-mechanical = Mechanical fault
assets-cause-electrical = Electrical fault
assets-cause-external-power = No mains power
assets-cause-user-error = User error
assets-cause-wear = Wear
assets-cause-consumables-out-of-stock = Consumables out of stock
assets-cause-awaiting-parts = Awaiting parts
assets-cause-planned-maintenance = Planned maintenance
assets-cause-other = Other

# Energy: generator allocation plan
title-energy = Generator allocation plan
energy-map = Facilities coloured by the share of unmet critical load covered
energy-fleet = Fleet
energy-fleet-illustrative = illustrative fleet (the store records none; give ?units=MODEL:KW:COUNT,…)
energy-horizon = Horizon
energy-fuel = Fuel
energy-max-units = Units per facility at most
energy-objective = Weighted kW covered
energy-bound = Upper bound
energy-gap = Gap
energy-facility = Facility
energy-region = Region
energy-weight = Weight
energy-unmet-kw = Unmet critical kW
energy-units = Units by model
energy-covered-kw = Covered kW
energy-binding = Binding constraint
energy-export-csv = Export as CSV
energy-note = Unmet critical load = powered high and medium criticality equipment minus existing backup (kVA × 0.8); equipment without a stated kW counts 0. Green: covered; orange: partly; red: not covered; grey: nothing to cover.

# intake review
title-intake = Intake review
intake-intro = Paste a press release or news item: aidtrace drafts its aid facts, each tied to the words it came from and checked against exchange rates and existing records. Editors and admins accept (optionally editing, as field=value) or reject each fact; accepted facts become records citing the article.
intake-title = Title (default: first line)
intake-url = Address (URL)
intake-published = Published
intake-text = Article text
intake-submit = Draft facts
intake-queue = Review queue
intake-empty = No drafts yet.
intake-no-facts = No aid facts found in this article.
intake-submitted-by = submitted by
intake-donor = Donor
intake-recipient = Recipient
intake-items = Items
intake-reason = Reason
intake-reviewed-by = reviewed by
intake-records = Records
intake-accept = Accept
intake-reject = Reject
intake-check-fx-off = Stated equivalent does not match the IMF rate
intake-check-fx-ok = Stated equivalent agrees with the IMF rate
intake-check-fx-unchecked = Stated equivalent not checked
intake-check-same-as = Same as existing flow
intake-ratio = ratio
