//! Writing a version 2 plan's assigned units as assets of the donating activity (admin only).

use maud::{Markup, html};

use crate::auth::Caller;
use crate::energy_v2_page::PlanForm;

/// The commit form under a plan, for administrators; nothing for anyone else.
pub fn commit_form(_caller: &Caller, _form: &PlanForm) -> Markup {
    html! {}
}
