//! Package ("荷物") and the price table by `service_brand`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::fields::Fields;
use crate::validation::Rule;

/// The document's service brands with our sandbox price per package, in yen (the document has
/// no price table; 80サイズ at 880 matches its examples, the rest follow in ¥220 steps, as
/// courier size tiers do).
pub const SERVICE_BRANDS: [(&str, u32); 7] = [
    ("ポスト投函サイズ", 440),
    ("60サイズ", 660),
    ("80サイズ", 880),
    ("100サイズ", 1100),
    ("120サイズ", 1320),
    ("140サイズ", 1540),
    ("160サイズ", 1760),
];

const BRAND_NAMES: [&str; 7] = [
    "ポスト投函サイズ",
    "60サイズ",
    "80サイズ",
    "100サイズ",
    "120サイズ",
    "140サイズ",
    "160サイズ",
];

/// Added to each package's price when the held TimeWindow `is_extra_charge` (早朝・深夜).
pub const EXTRA_CHARGE_YEN: u32 = 330;

pub fn base_price(service_brand: &str) -> Option<u32> {
    SERVICE_BRANDS
        .iter()
        .find(|(b, _)| *b == service_brand)
        .map(|(_, p)| *p)
}

/// A package as requests send it and responses return it (`price` only in responses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Package {
    pub service_brand: String,
    #[serde(default)]
    pub order_reference: String,
    #[serde(default)]
    pub name: String,
    pub boxes: u32,
    pub number: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(default)]
    pub height: f64,
    #[serde(default)]
    pub width: f64,
    #[serde(default)]
    pub depth: f64,
    #[serde(default)]
    pub weight: f64,
    #[serde(default)]
    pub attention: String,
}

impl Package {
    /// Reads the `packages` array of a request (non-empty), with the document's rules.
    pub fn read_all(body: &mut Fields<'_>) -> Option<Vec<Package>> {
        let items = body.objects("packages")?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for mut f in items {
            let brand = f.required_str("service_brand");
            if let Some(b) = &brand
                && base_price(b).is_none()
            {
                f.fail(
                    f.field_path("service_brand"),
                    Rule::OneOf {
                        allowed: &BRAND_NAMES,
                    },
                );
            }
            let order_reference = f.str("order_reference");
            let name = f.str_max("name", 100, false);
            let boxes = f.int_range("boxes", 1, 10, true);
            let number = f.int_range("number", 1, 10, true);
            let mut dim = |n: &str| {
                let v = f.number(n).unwrap_or(0.0);
                if v < 0.0 {
                    f.fail(
                        f.field_path(n),
                        Rule::Invalid {
                            reason: "must not be negative".into(),
                        },
                    );
                }
                v
            };
            let (height, width, depth, weight) =
                (dim("height"), dim("width"), dim("depth"), dim("weight"));
            let attention = f.str_max("attention", 200, false);
            if f.errors.is_empty() {
                out.push(Package {
                    service_brand: brand.unwrap_or_default(),
                    order_reference: order_reference.unwrap_or_default(),
                    name: name.unwrap_or_default(),
                    boxes: boxes.unwrap_or(1) as u32,
                    number: number.unwrap_or(1) as u32,
                    price: None,
                    height,
                    width,
                    depth,
                    weight,
                    attention: attention.unwrap_or_default(),
                });
            } else {
                ok = false;
            }
            body.absorb(f);
        }
        ok.then_some(out)
    }

    /// The package with its price: the brand's, plus the extra charge for 早朝・深夜 windows.
    pub fn priced(mut self, extra_charge: bool) -> Package {
        let base = base_price(&self.service_brand).unwrap_or(0);
        let extra = if extra_charge { EXTRA_CHARGE_YEN } else { 0 };
        self.price = Some((base + extra).to_string());
        self
    }
}
