//! Refusals made before anything is queued or sent: the form gets the API's own wording
//! (`<field>: <rule>`), with the field to highlight, and no outbox row is left behind.

use hakobu_diaq::FieldError;

use crate::CommandError;

/// The first broken rule of a body, as the API would answer it (one error per response, in
/// the document's order).
pub(crate) fn first_broken(errors: Vec<FieldError>) -> CommandError {
    match errors.into_iter().next() {
        Some(e) => CommandError::bad_field(&e.field, e.to_string()),
        None => CommandError::bad_field("body", "body: could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use hakobu_diaq::Rule;

    use super::*;
    use crate::ErrorCode;

    #[test]
    fn the_first_rule_names_its_nested_field() {
        let e = first_broken(vec![
            FieldError::at("packages[1].boxes".into(), Rule::Range { min: 1, max: 10 }),
            FieldError::new("store_id", Rule::Required),
        ]);
        assert_eq!(
            (e.code, e.field.as_deref(), e.message.as_str()),
            (
                ErrorCode::BadRequest,
                Some("packages[1].boxes"),
                "packages[1].boxes: must be an integer from 1 to 10"
            )
        );
        let e = first_broken(Vec::new());
        assert_eq!(e.field.as_deref(), Some("body"));
    }
}
