//! What aid buys and where it goes: equipment names with their text forms, the nouns that end a
//! facility's name, and the words that make an item generic. Apart because only the item and
//! facility readers of the extractor use them.

/// Medical and related equipment: canonical name, then the forms found in text (singular; plurals
/// are matched by the extractor). Longer forms first where one contains another.
pub const ITEMS: &[(&str, &[&str])] = &[
    (
        "MRI machine",
        &[
            "magnetic resonance imaging machine",
            "magnetic resonance imaging scanner",
            "magnetic resonance imaging system",
            "magnetic resonance imaging",
            "MRI machine",
            "MRI scanner",
            "MRI system",
            "MRI unit",
            "MRI",
        ],
    ),
    (
        "CT scanner",
        &[
            "computed tomography scanner",
            "computed tomography",
            "computerized tomography scanner",
            "CT scanner",
            "CT machine",
            "CT system",
            "CT unit",
        ],
    ),
    (
        "X-ray machine",
        &[
            "digital X-ray machine",
            "mobile X-ray machine",
            "X-ray machine",
            "X-ray system",
            "X-ray unit",
            "radiography system",
            "X-ray",
        ],
    ),
    (
        "ultrasound machine",
        &[
            "ultrasound machine",
            "ultrasound scanner",
            "ultrasound system",
            "ultrasound device",
            "ultrasound unit",
            "ultrasound",
        ],
    ),
    (
        "mammography machine",
        &[
            "mammography machine",
            "mammography unit",
            "mammogram machine",
            "mammograph",
        ],
    ),
    ("endoscope", &["endoscopy system", "endoscope"]),
    ("ventilator", &["mechanical ventilator", "ventilator"]),
    ("oxygen concentrator", &["oxygen concentrator"]),
    (
        "oxygen plant",
        &[
            "oxygen generation plant",
            "oxygen generating plant",
            "oxygen plant",
            "PSA oxygen plant",
        ],
    ),
    ("oxygen cylinder", &["oxygen cylinder"]),
    (
        "patient monitor",
        &["patient monitor", "vital signs monitor", "bedside monitor"],
    ),
    ("defibrillator", &["defibrillator"]),
    (
        "electrocardiograph",
        &[
            "electrocardiograph",
            "electrocardiogram machine",
            "ECG machine",
            "EKG machine",
            "ECG",
        ],
    ),
    ("infusion pump", &["infusion pump", "syringe pump"]),
    (
        "anaesthesia machine",
        &["anaesthesia machine", "anesthesia machine"],
    ),
    (
        "dialysis machine",
        &[
            "haemodialysis machine",
            "hemodialysis machine",
            "dialysis machine",
        ],
    ),
    (
        "incubator",
        &[
            "baby incubator",
            "neonatal incubator",
            "infant incubator",
            "incubator",
        ],
    ),
    ("infant warmer", &["radiant warmer", "infant warmer"]),
    ("ambulance", &["ambulance"]),
    ("mobile clinic", &["mobile clinic", "mobile health clinic"]),
    (
        "mobile laboratory",
        &["mobile laboratory", "mobile lab", "mobile laboratories"],
    ),
    (
        "vehicle",
        &["vehicle", "pickup truck", "four-wheel drive vehicle"],
    ),
    ("motorcycle", &["motorcycle", "motorbike"]),
    (
        "hospital bed",
        &["hospital bed", "ICU bed", "intensive care bed"],
    ),
    ("wheelchair", &["wheelchair"]),
    (
        "generator",
        &["power generator", "diesel generator", "generator"],
    ),
    (
        "solar power system",
        &["solar power system", "solar system", "solar panel"],
    ),
    (
        "refrigerator",
        &[
            "vaccine refrigerator",
            "solar refrigerator",
            "refrigerator",
            "freezer",
        ],
    ),
    (
        "cold chain equipment",
        &["cold chain equipment", "cold room", "cold box"],
    ),
    (
        "platelet storage device",
        &[
            "platelet storage device",
            "platelet incubator",
            "platelet agitator",
        ],
    ),
    ("blood bank refrigerator", &["blood bank refrigerator"]),
    ("microscope", &["microscope"]),
    (
        "PCR machine",
        &["PCR machine", "PCR system", "PCR analyser", "PCR analyzer"],
    ),
    (
        "laboratory analyser",
        &[
            "biochemistry analyser",
            "biochemistry analyzer",
            "hematology analyzer",
            "haematology analyser",
            "laboratory analyser",
            "laboratory analyzer",
        ],
    ),
    ("GeneXpert machine", &["GeneXpert machine", "GeneXpert"]),
    (
        "test kit",
        &[
            "rapid test kit",
            "test kit",
            "testing kit",
            "diagnostic kit",
        ],
    ),
    (
        "vaccine dose",
        &[
            "vaccine dose",
            "dose of vaccine",
            "doses of vaccine",
            "vaccine",
        ],
    ),
    (
        "surgical mask",
        &["surgical mask", "face mask", "N95 mask", "mask"],
    ),
    (
        "personal protective equipment",
        &["personal protective equipment", "PPE kit", "PPE"],
    ),
    ("syringe", &["syringe"]),
    ("autoclave", &["autoclave", "steriliser", "sterilizer"]),
    ("operating table", &["operating table", "surgical table"]),
    (
        "surgical light",
        &["surgical light", "operating lamp", "operating light"],
    ),
    ("pulse oximeter", &["pulse oximeter"]),
    ("dental chair", &["dental chair", "dental unit"]),
    (
        "intensive care equipment",
        &[
            "intensive care equipment",
            "intensive care unit equipment",
            "ICU equipment",
        ],
    ),
    (
        "laboratory equipment",
        &["laboratory equipment", "lab equipment"],
    ),
    (
        "surgical equipment",
        &["surgical equipment", "surgical instruments"],
    ),
    (
        "staff call system",
        &["staff call system", "nurse call system"],
    ),
    (
        "telemedicine equipment",
        &["telemedicine equipment", "telemedicine system"],
    ),
    ("hearing aid", &["hearing aid"]),
    (
        "water purifier",
        &["water purification unit", "water purifier"],
    ),
    (
        "medical waste incinerator",
        &["medical waste incinerator", "incinerator"],
    ),
    ("dialyser", &["dialyser", "dialyzer"]),
    ("tent", &["tent"]),
    ("colposcope", &["colposcope"]),
    ("linear accelerator", &["linear accelerator", "LINAC"]),
    (
        "mosquito net",
        &[
            "long-lasting insecticidal net",
            "insecticidal net",
            "mosquito net",
            "bed net",
        ],
    ),
];

/// Nouns that end the name of a facility.
pub const FACILITY_HEADS: &[&str] = &[
    "Hospital",
    "Clinic",
    "Polyclinic",
    "Medical Center",
    "Medical Centre",
    "Health Center",
    "Health Centre",
    "Blood Center",
    "Blood Centre",
    "blood center",
    "blood centre",
    "Blood Bank",
    "Maternity Home",
    "Dispensary",
    "Health Post",
    "Medical University",
    "Cancer Center",
    "Cancer Centre",
    "Perinatal Center",
    "Perinatal Centre",
    "Laboratory",
    "Sanatorium",
    "Medical College",
    "Infirmary",
];

/// Words that make an item name generic rather than a piece of equipment.
pub const GENERIC_EQUIPMENT: &[&str] = &[
    "medical equipment",
    "equipment",
    "medical devices",
    "medical supplies",
    "supplies",
    "medicines",
    "devices",
];
