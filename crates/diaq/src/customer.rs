//! Customer ("エンドユーザー"): who receives a delivery or hands over a fetch.

use serde::{Deserialize, Serialize};

use crate::fields::Fields;
use crate::patterns::{self, EMAIL, PHONE, ZIPCODE};

/// The Customer object. Estimates carry only the address; deliveries and fetches the rest too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub address_zipcode: String,
    pub address_prefecture: String,
    pub address_line_1: String,
    #[serde(default)]
    pub address_line_2: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Which customer properties a request must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerUse {
    /// Estimates: the address only.
    Estimate,
    /// Deliveries and fetches: the address, a name and a phone to reach the person.
    Order,
}

impl Customer {
    /// Reads `customer` from a request, applying the document's table.
    pub fn read(body: &mut Fields<'_>, usage: CustomerUse) -> Option<Customer> {
        let mut f = body.object("customer", true)?;
        let order = usage == CustomerUse::Order;
        let zipcode = f.required_str("address_zipcode");
        if let Some(z) = &zipcode
            && !ZIPCODE.is_match(z)
        {
            f.fail(
                f.field_path("address_zipcode"),
                patterns::rule(patterns::ZIPCODE_DOC),
            );
        }
        let prefecture = f.required_str("address_prefecture");
        let line_1 = f.str_max("address_line_1", 100, true);
        let line_2 = f.str_max("address_line_2", 100, false);
        let last_name = f.str_max("last_name", 50, order);
        let first_name = f.str_max("first_name", 50, false);
        let business_name = f.str_max("business_name", 100, false);
        let phone = f.str_max("phone", 13, order);
        if let Some(p) = &phone
            && !PHONE.is_match(p)
        {
            f.fail(f.field_path("phone"), patterns::rule(patterns::PHONE_DOC));
        }
        let email = f.str_max("email", 200, false);
        if let Some(e) = &email
            && !e.is_empty()
            && !EMAIL.is_match(e)
        {
            f.fail(f.field_path("email"), patterns::rule(patterns::EMAIL_DOC));
        }
        let ok = f.errors.is_empty();
        body.absorb(f);
        if !ok {
            return None;
        }
        Some(Customer {
            address_zipcode: zipcode?,
            address_prefecture: prefecture?,
            address_line_1: line_1?,
            address_line_2: line_2.unwrap_or_default(),
            last_name,
            first_name,
            business_name,
            phone,
            email,
        })
    }

    /// The address as one line for geocoding (line 2 is building and room).
    pub fn address(&self) -> String {
        format!("{}{}", self.address_prefecture, self.address_line_1)
    }
}
