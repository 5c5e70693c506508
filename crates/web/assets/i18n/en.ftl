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
