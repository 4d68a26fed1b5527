//! Demo data for an empty sandbox: a chain of shops across Tokyo.
//! Addresses are real towns with their real postal codes; shop names and numbers are invented.

use hakobu_diaq::{PickupProof, Store, StoreType};
use rusqlite::Connection;

use crate::error::AppError;
use crate::stores;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Seed {
    /// Twelve stores across Tokyo's wards and Musashino.
    Tokyo,
    /// The twelve stores and a day of deliveries and fetches to real Tokyo addresses, some
    /// already under way: the embedded default's demo.
    TokyoDay,
}

struct SeedStore {
    alias: &'static str,
    name: &'static str,
    zipcode: &'static str,
    line_1: &'static str,
    line_2: &'static str,
    phone: &'static str,
    store_type: StoreType,
    pickup_proof: PickupProof,
    hours: (&'static str, &'static str),
}

const TOKYO: &[SeedStore] = &[
    SeedStore {
        alias: "S0001",
        name: "ハコブ商店 麻布十番店",
        zipcode: "106-0045",
        line_1: "港区麻布十番2-3-5",
        line_2: "十番ビル1階",
        phone: "03-5439-1021",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("10:00", "20:00"),
    },
    SeedStore {
        alias: "S0002",
        name: "ハコブ商店 新宿西口店",
        zipcode: "160-0023",
        line_1: "新宿区西新宿1-5-1",
        line_2: "西口ショッピングモール B1",
        phone: "03-3348-2210",
        store_type: StoreType::InMallStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("10:00", "21:00"),
    },
    SeedStore {
        alias: "S0003",
        name: "ハコブ商店 渋谷道玄坂店",
        zipcode: "150-0043",
        line_1: "渋谷区道玄坂2-6-17",
        line_2: "道玄坂センタービル3階",
        phone: "03-3461-0811",
        store_type: StoreType::ConsolidationStore,
        pickup_proof: PickupProof::Signature,
        hours: ("11:00", "21:00"),
    },
    SeedStore {
        alias: "S0004",
        name: "ハコブ商店 池袋東口店",
        zipcode: "170-0013",
        line_1: "豊島区東池袋1-12-3",
        line_2: "",
        phone: "03-3985-4400",
        store_type: StoreType::InMallStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("10:00", "21:00"),
    },
    SeedStore {
        alias: "S0005",
        name: "ハコブ商店 銀座中央通り店",
        zipcode: "104-0061",
        line_1: "中央区銀座4-6-16",
        line_2: "",
        phone: "03-3562-7711",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Signature,
        hours: ("11:00", "20:00"),
    },
    SeedStore {
        alias: "S0006",
        name: "ハコブ商店 上野御徒町店",
        zipcode: "110-0005",
        line_1: "台東区上野3-21-4",
        line_2: "",
        phone: "03-3831-2266",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Selfcheck,
        hours: ("10:00", "20:00"),
    },
    SeedStore {
        alias: "S0007",
        name: "ハコブ商店 吉祥寺店",
        zipcode: "180-0004",
        line_1: "武蔵野市吉祥寺本町1-11-5",
        line_2: "",
        phone: "0422-21-3030",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Signature,
        hours: ("10:00", "20:00"),
    },
    SeedStore {
        alias: "S0008",
        name: "ハコブ商店 二子玉川店",
        zipcode: "158-0094",
        line_1: "世田谷区玉川2-21-1",
        line_2: "玉川ライズ 2階",
        phone: "03-3709-1212",
        store_type: StoreType::InMallStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("10:00", "21:00"),
    },
    SeedStore {
        alias: "S0009",
        name: "ハコブ商店 豊洲ベイサイド店",
        zipcode: "135-0061",
        line_1: "江東区豊洲3-3-1",
        line_2: "豊洲フロント1階",
        phone: "03-3533-8181",
        store_type: StoreType::ConsolidationStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("09:00", "19:00"),
    },
    SeedStore {
        alias: "S0010",
        name: "ハコブ商店 北千住駅前店",
        zipcode: "120-0034",
        line_1: "足立区千住3-92",
        line_2: "",
        phone: "03-3882-5151",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Signature,
        hours: ("10:00", "20:00"),
    },
    SeedStore {
        alias: "S0011",
        name: "ハコブ商店 中目黒店",
        zipcode: "153-0051",
        line_1: "目黒区上目黒3-6-18",
        line_2: "",
        phone: "03-3791-0707",
        store_type: StoreType::StandaloneStore,
        pickup_proof: PickupProof::Selfcheck,
        hours: ("11:00", "20:00"),
    },
    SeedStore {
        alias: "S0012",
        name: "ハコブ商店 秋葉原電気街店",
        zipcode: "101-0021",
        line_1: "千代田区外神田1-15-16",
        line_2: "",
        phone: "03-3253-9090",
        store_type: StoreType::ConsolidationStore,
        pickup_proof: PickupProof::Barcode,
        hours: ("10:00", "21:00"),
    },
];

/// Loads the seed only into an empty database, so a restarted sandbox keeps what changed.
pub fn load_if_empty(conn: &mut Connection, seed: Seed) -> Result<(), AppError> {
    let tx = conn.transaction()?;
    let existing: i64 = tx.query_row("SELECT COUNT(*) FROM stores", [], |r| r.get(0))?;
    if existing == 0 {
        // Both seeds start with the stores; TokyoDay adds orders once the sandbox is up.
        let (Seed::Tokyo | Seed::TokyoDay) = seed;
        for (i, s) in TOKYO.iter().enumerate() {
            // Stable ids, so the demo reads the same on every machine.
            let id = format!("5eed0000-0000-4000-8000-{:012}", i + 1);
            stores::insert(&tx, &to_store(s, id))?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn to_store(s: &SeedStore, id: String) -> Store {
    Store {
        id,
        id_alias: s.alias.to_owned(),
        store_name: s.name.to_owned(),
        store_address_zipcode: s.zipcode.to_owned(),
        store_address_prefecture: "東京都".to_owned(),
        store_address_line_1: s.line_1.to_owned(),
        store_address_line_2: s.line_2.to_owned(),
        store_phone: s.phone.to_owned(),
        store_type: s.store_type,
        offers_delivery: true,
        offers_fetches: true,
        pickup_proof: s.pickup_proof,
        delivery_proof: hakobu_diaq::store::DELIVERY_PROOF.to_owned(),
        opening_time: Some(s.hours.0.to_owned()),
        closing_time: Some(s.hours.1.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hakobu_diaq::StoreInput;

    #[test]
    fn every_seed_store_passes_the_document_rules() {
        for s in TOKYO {
            let store = to_store(s, "x".into());
            let input: StoreInput =
                serde_json::from_value(serde_json::to_value(&store).unwrap()).unwrap();
            assert_eq!(input.create_errors(), vec![], "{}", s.name);
        }
        assert!(TOKYO.len() >= 8);
    }
}
