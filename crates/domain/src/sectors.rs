//! Names of the OECD DAC purpose codes aidtrace's seed data and reports use most. Other codes
//! are shown by number; the full list arrives with the IATI codelists.

pub fn name(code: &str) -> Option<&'static str> {
    Some(match code {
        "12110" => "Health policy and administrative management",
        "12181" => "Medical education/training",
        "12182" => "Medical research",
        "12191" => "Medical services",
        "12220" => "Basic health care",
        "12230" => "Basic health infrastructure",
        "12240" => "Basic nutrition",
        "12250" => "Infectious disease control",
        "12264" => "COVID-19 control",
        "12310" => "NCDs control, general",
        "15110" => "Public sector policy and administrative management",
        "23630" => "Electric power transmission and distribution (centralised grids)",
        "23640" => "Retail gas distribution",
        "23210" => "Energy generation, renewable sources - multiple technologies",
        "72010" => "Material relief assistance and services",
        "73010" => "Immediate post-emergency reconstruction and rehabilitation",
        "74020" => "Multi-hazard response preparedness",
        _ => return None,
    })
}

pub fn label(code: &str) -> String {
    match name(code) {
        Some(n) => format!("{code} {n}"),
        None => code.to_string(),
    }
}
